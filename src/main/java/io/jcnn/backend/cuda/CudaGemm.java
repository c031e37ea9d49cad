package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.floats;
import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/** Matrix products: cuBLAS where it runs ({@link CublasGemm}), else jcnn's tiled SGEMM kernel. */
final class CudaGemm {
    private final CudaBackend backend;
    private final CudaContext context;
    /** Null: jcnn's kernel. */
    private final CublasGemm cublas;

    CudaGemm(CudaBackend backend, CudaContext context, CublasGemm cublas) {
        this.backend = backend;
        this.context = context;
        this.cublas = cublas;
    }

    void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, Tensor a, Tensor b,
              float beta, Tensor c) {
        OpChecks.gemm(backend, transposeA, transposeB, m, n, k, alpha, a, b, beta, c);
        context.makeCurrent();
        context.tally.add("gemm", implementation());
        sgemm(transposeA, transposeB, m, n, k, alpha, context.pointer(a), transposeA ? m : k, context.pointer(b),
                transposeB ? k : n, beta, context.pointer(c), n);
    }

    /** Where matrix products run. */
    CudaTier implementation() {
        return cublas != null ? CudaTier.CUBLAS : CudaTier.KERNELS;
    }

    /** Row-major C = alpha·op(A)·op(B) + beta·C on device pointers, by cuBLAS where it runs, else our kernel. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, int lda,
               CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc) {
        if (cublas != null) {
            cublas.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        context.launch(CudaKernel.SGEMM, (n + 63) / 64, (m + 63) / 64, 16, 16, ints(transA ? 1 : 0),
                ints(transB ? 1 : 0), ints(m), ints(n), ints(k), floats(alpha), Pointer.to(a), ints(lda),
                Pointer.to(b), ints(ldb), floats(beta), Pointer.to(c), ints(ldc));
    }
}
