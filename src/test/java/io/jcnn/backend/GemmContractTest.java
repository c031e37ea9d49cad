package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#gemm} against a naive double-precision reference, on every backend. The backends are shared
 * instances, so parameterised tests must not let JUnit close them ({@code autoCloseArguments = false}).
 */
class GemmContractTest {

    static Stream<Arguments> cases() {
        int[][] mnk = {
            {1, 1, 1}, {7, 1, 1}, {1, 7, 255}, {2, 3, 3}, {7, 7, 7}, {255, 1, 9}, {1, 257, 4},
            {256, 9, 5}, {9, 256, 257}, {257, 255, 31}, {64, 10, 500}, {20, 576, 25},
        };
        Stream.Builder<Arguments> out = Stream.builder();
        for (Backend backend : TestBackends.all()) {
            for (int[] s : mnk) {
                for (int t = 0; t < 4; t++) {
                    out.add(Arguments.of(backend, t >= 2, (t & 1) == 1, s[0], s[1], s[2]));
                }
            }
        }
        return out.build();
    }

    static double[] reference(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, float[] b,
                              float beta, float[] c) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[p * m + i] : a[i * k + p];
                    double bv = tb ? b[j * k + p] : b[p * n + j];
                    sum += av * bv;
                }
                out[i * n + j] = alpha * sum + (beta == 0f ? 0 : beta * (double) c[i * n + j]);
            }
        }
        return out;
    }

    private static float[] gemm(Backend backend, boolean ta, boolean tb, int m, int n, int k, float alpha,
                                float[] a, float[] b, float beta, float[] c) {
        Shape aShape = ta ? Shape.of(k, m) : Shape.of(m, k);
        Shape bShape = tb ? Shape.of(n, k) : Shape.of(k, n);
        try (Tensor ta0 = backend.tensor(aShape, a);
             Tensor tb0 = backend.tensor(bShape, b);
             Tensor tc = backend.tensor(Shape.of(m, n), c)) {
            backend.gemm(ta, tb, m, n, k, alpha, ta0, tb0, beta, tc);
            float[] out = new float[m * n];
            backend.download(tc, out);
            return out;
        }
    }

    @ParameterizedTest(name = "{0} ta={1} tb={2} {3}x{4}x{5}", autoCloseArguments = false)
    @MethodSource("cases")
    void matchesReferenceForAllTransposesAndOddSizes(Backend backend, boolean ta, boolean tb, int m, int n, int k) {
        float[] a = TestData.uniform(1, m * k);
        float[] b = TestData.uniform(2, k * n);
        float[] c = TestData.uniform(3, m * n);
        for (float[] ab : new float[][] {{1f, 0f}, {-0.5f, 1f}, {2f, 0.25f}}) {
            float[] got = gemm(backend, ta, tb, m, n, k, ab[0], a, b, ab[1], c);
            TestData.assertClose(backend.name() + " gemm alpha=" + ab[0] + " beta=" + ab[1],
                    reference(ta, tb, m, n, k, ab[0], a, b, ab[1], c), got, 1e-5, 1e-5 * Math.sqrt(k));
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void handWorkedTwoByThreeTimesThreeByTwo(Backend backend) {
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] b = {7, 8, 9, 10, 11, 12};
        // [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
        assertArrayEquals(new float[] {58, 64, 139, 154},
                gemm(backend, false, false, 2, 2, 3, 1f, a, b, 0f, new float[4]));
        // Same product with both operands stored transposed: Aᵀ is 3×2, Bᵀ is 2×3.
        float[] at = {1, 4, 2, 5, 3, 6};
        float[] bt = {7, 9, 11, 8, 10, 12};
        assertArrayEquals(new float[] {58, 64, 139, 154},
                gemm(backend, true, true, 2, 2, 3, 1f, at, bt, 0f, new float[4]));
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void betaZeroIgnoresNaNInC(Backend backend) {
        float[] c = new float[33 * 41];
        Arrays.fill(c, Float.NaN);
        float[] got = gemm(backend, false, true, 33, 41, 19, 1f, TestData.uniform(4, 33 * 19),
                TestData.uniform(5, 41 * 19), 0f, c);
        for (float v : got) {
            assertFalse(Float.isNaN(v));
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void sameInputsGiveSameBits(Backend backend) {
        int m = 70, n = 300, k = 260;
        float[] a = TestData.uniform(6, m * k);
        float[] b = TestData.uniform(7, k * n);
        float[] c = TestData.uniform(8, m * n);
        float[] first = gemm(backend, true, false, m, n, k, 0.5f, a, b, 2f, c);
        assertArrayEquals(first, gemm(backend, true, false, m, n, k, 0.5f, a, b, 2f, c));
    }

    @org.junit.jupiter.api.Test
    void cpuResultBitsDoNotDependOnThreadCount() {
        int m = 130, n = 700, k = 300;
        float[] a = TestData.uniform(9, m * k);
        float[] b = TestData.uniform(10, k * n);
        float[] c = TestData.uniform(11, m * n);
        try (CpuBackend one = new CpuBackend(1); CpuBackend three = new CpuBackend(3)) {
            for (int t = 0; t < 4; t++) {
                boolean ta = t >= 2, tb = (t & 1) == 1;
                assertArrayEquals(gemm(one, ta, tb, m, n, k, 1.5f, a, b, -1f, c),
                        gemm(three, ta, tb, m, n, k, 1.5f, a, b, -1f, c), "ta=" + ta + " tb=" + tb);
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void wrongSizesNameGemmAndTheExpectedAndActualCounts(Backend backend) {
        try (Tensor a = backend.allocate(Shape.of(4, 5));
             Tensor b = backend.allocate(Shape.of(5, 6));
             Tensor c = backend.allocate(Shape.of(4, 6));
             Tensor wrong = backend.allocate(Shape.of(3, 5))) {
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.gemm(false, false, 4, 6, 5, 1f, wrong, b, 0f, c)), "A (4×5)", "20", "15");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.gemm(false, true, 4, 6, 5, 1f, a, wrong, 0f, c)), "B (6×5)", "30", "15");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.gemm(false, false, 4, 6, 5, 1f, a, b, 0f, wrong)), "C (4×6)", "24", "15");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.gemm(false, false, 0, 6, 5, 1f, a, b, 0f, c)), "m=0");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.gemm(false, false, 4, 6, 5, Float.NaN, a, b, 0f, c)), "alpha");
        }
        try (Tensor square = backend.allocate(Shape.of(4, 4)); Tensor other = backend.allocate(Shape.of(4, 4))) {
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.gemm(false, false, 4, 4, 4, 1f, square, other, 0f, square.reshape(Shape.of(16)))),
                    "must not share storage");
        }
    }

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        assertTrue(e.getMessage().startsWith("gemm"), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }
}
