package io.jcnn.backend.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;

/**
 * The cuBLAS tier of the CUDA backend's matrix products. Row-major C = alpha·op(A)·op(B) + beta·C is the
 * column-major Cᵀ = alpha·op(B)ᵀ·op(A)ᵀ + beta·Cᵀ, so the operands go to cublasSgemm swapped, with their row-major
 * leading dimensions. TF32 tensor-core math only when asked for; the default is exact float32. Only created where
 * {@link CudaProbe} found cuBLAS, so this class never loads JCublas2 where its library is missing.
 */
final class CublasGemm implements AutoCloseable {
    private final cublasHandle handle = new cublasHandle();
    private final boolean tf32;

    /** A handle on the current context's default stream; nothing is left behind if it cannot be set up. */
    CublasGemm(boolean tf32) {
        this.tf32 = tf32;
        check(JCublas2.cublasCreate(handle), "cublasCreate", "");
        if (tf32) {
            int status = JCublas2.cublasSetMathMode(handle, cublasMath.CUBLAS_TF32_TENSOR_OP_MATH);
            if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
                JCublas2.cublasDestroy(handle);
                check(status, "cublasSetMathMode", "TF32");
            }
        }
    }

    boolean tf32() {
        return tf32;
    }

    /** As the kernel: a, b and c are device pointers, lda, ldb and ldc row-major leading dimensions. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Pointer a, int lda, Pointer b,
               int ldb, float beta, Pointer c, int ldc) {
        check(JCublas2.cublasSgemm(handle, transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N, n, m, k,
                Pointer.to(new float[] {alpha}), b, ldb, a, lda, Pointer.to(new float[] {beta}), c, ldc),
                "cublasSgemm", m + "×" + n + "×" + k + (transA ? ", A transposed" : "") + (transB ? ", B transposed" : ""));
    }

    private static void check(int status, String call, String what) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException("cuda: " + call + " failed with " + cublasStatus.stringFor(status)
                    + (what.isEmpty() ? "" : " (" + what + ")"));
        }
    }

    @Override
    public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
