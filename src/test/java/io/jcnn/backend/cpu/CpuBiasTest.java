package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcnn.backend.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bias add and gradient on 1, 2 and 3 threads: the same bits whatever the thread count, for dense layers' N×C
 * data (rows added and summed along) and for N×C×H×W planes of either summation path; and each gradient against a
 * sum in double, element by element in image order.
 */
class CpuBiasTest {

    @ParameterizedTest(name = "n={0} c={1} s={2}")
    @CsvSource({"64, 500, 1", "3, 7, 1", "1, 257, 1", "64, 50, 64", "5, 4, 9", "2, 20, 576"})
    void sameBitsOnEveryThreadCountAndCloseToADoubleSum(int n, int c, int s) {
        float[] dy = TestData.uniform(21, n * c * s);
        float[] bias = TestData.uniform(22, c);
        double[] expected = new double[c];
        for (int i = 0; i < dy.length; i++) {
            expected[(i / s) % c] += dy[i];
        }
        float[] firstGradient = null;
        float[] firstSum = null;
        for (CpuParallel pool : TestPools.all()) {
            float[] dbias = new float[c];
            CpuBias.gradient(pool, n, c, s, dy, dbias);
            float[] y = dy.clone();
            CpuBias.add(pool, n, c, s, y, bias);
            for (int i = 0; i < y.length; i++) {
                assertEquals(dy[i] + bias[(i / s) % c], y[i], 0f, "bias add, element " + i);
            }
            TestData.assertClose("bias gradient", expected, dbias, 1e-6, 1e-6);
            if (firstGradient == null) {
                firstGradient = dbias;
                firstSum = y;
            } else {
                assertArrayEquals(firstGradient, dbias, pool.threads() + " threads");
                assertArrayEquals(firstSum, y, pool.threads() + " threads");
            }
        }
    }
}
