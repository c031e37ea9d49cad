package io.jcnn.backend.cpu;

/** Row-major single-precision GEMM on heap arrays: C = alpha·op(A)·op(B) + beta·C. */
final class CpuGemm {
    private CpuGemm() {
    }

    /**
     * Full GEMM with offsets and leading dimensions (row strides). {@code parallel} may be null, in which case the
     * call runs on the calling thread only (used inside already-parallel loops such as per-image convolution).
     */
    static void gemm(CpuParallel parallel, boolean transposeA, boolean transposeB, int m, int n, int k, float alpha,
                     float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                     float beta, float[] c, int cOffset, int ldc) {
        // Placeholder: straightforward and correct; replaced by the blocked kernel.
        for (int i = 0; i < m; i++) {
            int cRow = cOffset + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, cRow, cRow + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[cRow + j] *= beta;
                }
            }
            for (int p = 0; p < k; p++) {
                float av = alpha * (transposeA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p]);
                if (transposeB) {
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += av * b[bOffset + j * ldb + p];
                    }
                } else {
                    int bRow = bOffset + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += av * b[bRow + j];
                    }
                }
            }
        }
    }
}
