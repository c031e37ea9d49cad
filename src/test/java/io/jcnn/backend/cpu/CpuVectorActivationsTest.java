package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcnn.backend.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vector ReLU backward and leaky ReLU against their scalar ternaries, bit for bit, over whole vectors and tails,
 * with NaN, ±0 and ±infinity among x and dy.
 */
class CpuVectorActivationsTest {

    @BeforeAll
    static void vectorKernelAvailable() {
        TestPools.assumeVectorKernel();
    }

    private static float[] withSpecials(long seed, int n) {
        float[] v = TestData.uniform(seed, n);
        float[] specials = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE};
        for (int i = 0; i < n; i += 5) {
            v[i] = specials[(i / 5) % specials.length];
        }
        return v;
    }

    private static void assertSameBits(float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }

    @ParameterizedTest(name = "[{0}, {1})")
    @CsvSource({"0, 64", "3, 70", "0, 1", "5, 5", "1, 1003"})
    void sameBitsAsTheScalarLoops(int start, int end) {
        int n = end + 3;
        float[] x = withSpecials(1, n);
        float[] dy = withSpecials(2, n);
        float alpha = 0.01f;

        float[] expected = TestData.uniform(3, n);
        float[] actual = expected.clone();
        for (int i = start; i < end; i++) {
            expected[i] = x[i] > 0f ? dy[i] : 0f;
        }
        CpuVectorActivations.reluBackward(x, dy, actual, start, end);
        assertSameBits(expected, actual);

        for (int i = start; i < end; i++) {
            expected[i] = x[i] > 0f ? x[i] : alpha * x[i];
        }
        CpuVectorActivations.leakyReluForward(alpha, x, actual, start, end);
        assertSameBits(expected, actual);

        for (int i = start; i < end; i++) {
            expected[i] = x[i] > 0f ? dy[i] : alpha * dy[i];
        }
        CpuVectorActivations.leakyReluBackward(alpha, x, dy, actual, start, end);
        assertSameBits(expected, actual);
    }
}
