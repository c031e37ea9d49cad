package io.jcnn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InitializerTest {
    private static final int SIZE = 200_003;

    private static float[] fill(Initializer init, int fanIn, int fanOut, long seed) {
        float[] v = new float[SIZE];
        init.fill(v, fanIn, fanOut, seed);
        return v;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double variance(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return s / v.length;
    }

    @Test
    void xavierUniformStaysInItsBoundsWithTheRightVariance() {
        int fanIn = 500;
        int fanOut = 50;
        float[] v = fill(Initializer.xavierUniform(), fanIn, fanOut, 1);
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        assertTrue(Arrays.stream(toDouble(v)).allMatch(x -> Math.abs(x) <= limit));
        assertEquals(limit * limit / 3, variance(v), 0.02 * limit * limit / 3);
        assertEquals(0, mean(v), 0.01 * limit);
    }

    @Test
    void heNormalHasVarianceTwoOverFanIn() {
        float[] v = fill(Initializer.heNormal(), 25, 20, 2);
        assertEquals(2.0 / 25, variance(v), 0.02 * 2.0 / 25);
        assertEquals(0, mean(v), 0.005);
    }

    @Test
    void xavierNormalAndHeUniformMatchTheirFormulas() {
        assertEquals(2.0 / 300, variance(fill(Initializer.xavierNormal(), 100, 200, 3)), 0.02 * 2.0 / 300);
        assertEquals(2.0 / 64, variance(fill(Initializer.heUniform(), 64, 1, 4)), 0.02 * 2.0 / 64);
        assertEquals(1e-4, variance(fill(Initializer.normal(0.01), 1, 1, 5)), 0.02 * 1e-4);
    }

    @Test
    void aSeedReproducesValuesAndAnotherSeedChangesThem() {
        assertArrayEquals(fill(Initializer.heNormal(), 9, 9, 7), fill(Initializer.heNormal(), 9, 9, 7));
        assertFalse(Arrays.equals(fill(Initializer.heNormal(), 9, 9, 7), fill(Initializer.heNormal(), 9, 9, 8)));
    }

    @Test
    void constantFillsEveryValue() {
        float[] v = fill(Initializer.constant(0.5f), 1, 1, 0);
        assertTrue(Arrays.stream(toDouble(v)).allMatch(x -> x == 0.5));
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
