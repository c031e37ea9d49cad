package io.jcnn.backend.cpu;

import io.jcnn.backend.TestData;

/**
 * A strided GEMM problem for the kernel tests: op(A) m×k, op(B) k×n, C m×n, each inside a larger array at an offset,
 * with a double-precision reference and the exact fma sequence both kernels promise.
 */
record GemmCase(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                int aOffset, int lda, int bOffset, int ldb, int cOffset, int ldc,
                float[] a, float[] b, float[] c) {

    static GemmCase of(long seed, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int pad) {
        int aRows = ta ? k : m, aCols = ta ? m : k;
        int bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        int aOffset = pad * 3, bOffset = pad * 5, cOffset = pad * 7;
        return new GemmCase(ta, tb, m, n, k, alpha, beta, aOffset, lda, bOffset, ldb, cOffset, ldc,
                TestData.uniform(seed, aOffset + aRows * lda),
                TestData.uniform(seed + 1, bOffset + bRows * ldb),
                TestData.uniform(seed + 2, cOffset + m * ldc));
    }

    float a(int i, int p) {
        return ta ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
    }

    float b(int p, int j) {
        return tb ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
    }

    /** Runs the kernel this JVM selected. */
    float[] run(CpuParallel parallel) {
        return run(CpuGemm.selectedKernel(), parallel);
    }

    float[] run(CpuGemm.Kernel kernel, CpuParallel parallel) {
        float[] out = c.clone();
        CpuGemm.gemm(kernel, parallel, ta, tb, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, out, cOffset,
                ldc);
        return out;
    }

    /** Reference in double precision; elements of the array outside C keep their values. */
    double[] reference() {
        double[] out = TestData.toDouble(c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a(i, p) * b(p, j);
                }
                int at = cOffset + i * ldc + j;
                out[at] = alpha * sum + (beta == 0f ? 0 : beta * (double) c[at]);
            }
        }
        return out;
    }

    /** The exact operation sequence the kernel documents: beta first, then fma over p in order, then padding. */
    float[] fmaSequence() {
        float[] out = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = cOffset + i * ldc + j;
                float v = beta == 0f ? 0f : beta == 1f ? out[at] : beta * out[at];
                for (int p = 0; p < k; p++) {
                    v = Math.fma(alpha * a(i, p), b(p, j), v);
                }
                if (CpuGemm.padsDepth(k)) {
                    v += 0f; // the kernel's zero padding of the last k block
                }
                out[at] = v;
            }
        }
        return out;
    }
}
