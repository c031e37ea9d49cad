package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.floats;
import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * Elementwise ops on jcnn's grid-stride kernels: fill, axpy, scale, inverted dropout with the counter-based mask
 * the CPU backend draws, and the sum of squares (per-block partials added on the host in order).
 */
final class CudaElementwise {
    private final CudaBackend backend;
    private final CudaContext context;

    CudaElementwise(CudaBackend backend, CudaContext context) {
        this.backend = backend;
        this.context = context;
    }

    void fill(Tensor target, float value) {
        OpChecks.onBackend(backend, "fill", target);
        context.makeCurrent();
        context.launch1d(CudaKernel.FILL, target.size(), ints(target.size()), floats(value),
                Pointer.to(context.pointer(target)));
    }

    void axpy(float alpha, Tensor x, Tensor y) {
        OpChecks.onBackend(backend, "axpy", x, y);
        OpChecks.sameSize("axpy", "x", x, "y", y);
        OpChecks.finite("axpy", "alpha", alpha);
        context.makeCurrent();
        context.launch1d(CudaKernel.AXPY, x.size(), ints(x.size()), floats(alpha), Pointer.to(context.pointer(x)),
                Pointer.to(context.pointer(y)));
    }

    void scale(Tensor x, float alpha) {
        OpChecks.onBackend(backend, "scale", x);
        OpChecks.finite("scale", "alpha", alpha);
        context.makeCurrent();
        context.launch1d(CudaKernel.SCALE, x.size(), ints(x.size()), floats(alpha), Pointer.to(context.pointer(x)));
    }

    double sumOfSquares(Tensor x) {
        OpChecks.onBackend(backend, "sumOfSquares", x);
        context.makeCurrent();
        CUdeviceptr partials = context.memory.allocate(8L * CudaContext.REDUCTION_BLOCKS);
        try {
            context.launch(CudaKernel.SUM_OF_SQUARES_PARTIAL, CudaContext.REDUCTION_BLOCKS, 1, CudaContext.THREADS,
                    1, ints(x.size()), Pointer.to(context.pointer(x)), Pointer.to(partials));
            return context.sumOnHost(partials, CudaContext.REDUCTION_BLOCKS);
        } finally {
            context.memory.release(partials);
        }
    }

    void dropout(String op, Tensor in, Tensor out, float rate, long seed) {
        OpChecks.dropout(backend, op, in, out, rate);
        context.makeCurrent();
        context.launch1d(CudaKernel.DROPOUT, in.size(), ints(in.size()), Pointer.to(context.pointer(in)),
                Pointer.to(context.pointer(out)), floats(rate), floats(1f / (1f - rate)),
                Pointer.to(new long[] {seed}));
    }
}
