package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jcnn.backend.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vector 2×2 max pooling against the scalar tiled loop, bit for bit: whole vectors of outputs, rows with fewer
 * outputs than a vector left (LeNet's pool1 and pool2, whose stores spill onto later rows), scalar tails, odd widths
 * and heights (the last column and row are dropped), with NaN and both zeros among the inputs; and a chunk of planes
 * never writes outside its own outputs. Backward likewise: the vector rows against the scalar windows, bit for bit,
 * with ties inside windows (as after a ReLU), both zeros, NaN and infinities, rows of whole blocks and rows whose last
 * block is moved back (LeNet's pool1 at 16 lanes), and rows too narrow for a block.
 */
class CpuVectorPoolingTest {

    @BeforeAll
    static void vectorKernelAvailable() {
        TestPools.assumeVectorKernel();
    }

    @ParameterizedTest(name = "planes 1 and 2 of 4, {0}x{1}")
    @CsvSource({"8, 8", "24, 24", "4, 40", "2, 6"})
    void aChunkWritesOnlyItsOwnPlanes(int h, int w) {
        int p = h / 2;
        int q = w / 2;
        float[] x = TestData.uniform(43, 4 * h * w);
        float[] expected = new float[4 * p * q];
        java.util.Arrays.fill(expected, -7f);
        CpuTiledPooling.forward(2, 2, true, 0.25f, h, w, p, q, x, expected, 1, 3);
        float[] actual = new float[expected.length];
        java.util.Arrays.fill(actual, -7f);
        CpuVectorPooling.max2x2(h, w, p, q, x, actual, 1, 3);
        assertArrayEquals(expected, actual);
    }

    @ParameterizedTest(name = "{0} planes of {1}x{2}")
    @CsvSource({"3, 24, 24", "2, 8, 8", "2, 2, 2", "4, 9, 33", "1, 6, 26", "2, 5, 40", "3, 12, 64", "1, 3, 7",
        "5, 8, 40", "2, 30, 8", "3, 4, 58"})
    void sameBitsAsTheScalarLoop(int planes, int h, int w) {
        int p = h / 2;
        int q = w / 2;
        float[] x = TestData.uniform(41, planes * h * w);
        for (int i = 0; i < x.length; i += 7) {
            x[i] = i % 3 == 0 ? Float.NaN : i % 3 == 1 ? -0f : 0f;
        }
        float[] expected = new float[planes * p * q];
        CpuTiledPooling.forward(2, 2, true, 0.25f, h, w, p, q, x, expected, 0, planes);
        float[] actual = TestData.uniform(42, expected.length);
        CpuVectorPooling.max2x2(h, w, p, q, x, actual, 0, planes);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(new int[] {Float.floatToRawIntBits(expected[i])},
                    new int[] {Float.floatToRawIntBits(actual[i])}, "output " + i);
        }
    }

    @ParameterizedTest(name = "backward, {0} planes of {1}x{2}, {3}")
    @CsvSource({"3, 24, 24, random", "2, 8, 8, ties", "2, 64, 64, ties", "4, 9, 33, specials", "1, 6, 26, random",
        "2, 32, 32, specials", "3, 12, 64, ties", "1, 3, 7, random", "2, 4, 4, random", "3, 16, 48, specials",
        // Two input rows per vector (at 512 bits; rows of 4 at 256): random, ties, specials, an odd row count.
        "5, 8, 8, random", "3, 8, 8, specials", "4, 10, 8, ties", "3, 9, 8, random", "3, 4, 4, ties", "2, 6, 4, specials"})
    void backwardSameBitsAsTheScalarWindows(int planes, int h, int w, String values) {
        int p = h / 2;
        int q = w / 2;
        float[] x = TestData.uniform(51, planes * h * w);
        for (int i = 0; i < x.length; i++) {
            switch (values) {
                case "ties" -> x[i] = i % 3 == 0 ? 0f : i % 5 == 0 ? 1f : Math.max(0f, x[i]);
                case "specials" -> {
                    if (i % 11 == 0) {
                        x[i] = i % 4 == 0 ? Float.NaN : i % 4 == 1 ? Float.POSITIVE_INFINITY
                                : i % 4 == 2 ? Float.NEGATIVE_INFINITY : -0f;
                    } else if (i % 7 == 0) {
                        x[i] = 0f;
                    }
                }
                default -> {
                }
            }
        }
        float[] dy = TestData.uniform(52, planes * p * q);
        float[] expected = TestData.uniform(53, x.length);
        CpuTiledPooling.backward(2, 2, true, 0.25f, h, w, p, q, x, dy, expected, 0, planes, false);
        float[] actual = TestData.uniform(54, x.length);
        CpuTiledPooling.backward(2, 2, true, 0.25f, h, w, p, q, x, dy, actual, 0, planes, true);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(new int[] {Float.floatToRawIntBits(expected[i])},
                    new int[] {Float.floatToRawIntBits(actual[i])}, "input gradient " + i);
        }
    }
}
