package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Seeded test inputs and tolerance checks shared by the op and layer tests. */
public final class TestData {
    private TestData() {
    }

    /** Uniform values in [-1, 1) from a fixed seed. */
    public static float[] uniform(long seed, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    public static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /**
     * Fails, naming {@code what} and the worst element, unless |actual − expected| ≤ atol + rtol·|expected|
     * everywhere (NaN never passes).
     */
    public static void assertClose(String what, double[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(err <= allowed)) {
                double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - allowed;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " expected " + expected[worst] + ", got " + actual[worst]
                    + " (rtol " + rtol + ", atol " + atol + ")");
        }
    }
}
