package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.floats;
import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.Activation;
import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;

/**
 * Per-channel bias: the add is deferred ({@link CudaContext#deferBias}), so that when the next op is the activation
 * of its output both run as one kernel (one pass over the tensor instead of two) on every tier; anything else that
 * touches device memory launches it first. The gradient sums each channel in a fixed order.
 */
final class CudaBias {
    private final CudaBackend backend;
    private final CudaContext context;

    CudaBias(CudaBackend backend, CudaContext context) {
        this.backend = backend;
        this.context = context;
    }

    void add(Tensor y, Tensor bias) {
        OpChecks.biasAdd(backend, y, bias);
        context.makeCurrent();
        context.deferBias(new CudaContext.PendingBias((CudaStorage) y.storage(), (CudaStorage) bias.storage(),
                y.shape()));
    }

    /**
     * Runs the pending bias add fused with the activation of its output, when x is that output: z += bias, then
     * y = f(z), in one kernel. False when no bias add is pending on x.
     */
    boolean fusedWithActivation(Activation activation, Tensor x, Tensor y) {
        CudaContext.PendingBias p = context.takePendingBias(x);
        if (p == null) {
            return false;
        }
        context.tally.add("biasActivationForward", CudaTier.KERNELS);
        Shape s = p.shape();
        context.launch1d(CudaKernel.BIAS_ACTIVATION_FORWARD, s.size(), ints(s.batch()), ints(s.channels()),
                ints(s.spatialSize()), Pointer.to(context.address(p.target())), Pointer.to(context.address(p.bias())),
                ints(activation.kind().ordinal()), floats(activation.alpha()), Pointer.to(context.pointer(y)));
        return true;
    }

    void gradient(Tensor dy, Tensor dbias) {
        OpChecks.biasGradient(backend, dy, dbias);
        context.makeCurrent();
        Shape s = dy.shape();
        context.launch(CudaKernel.BIAS_GRADIENT, s.channels(), 1, CudaContext.THREADS, 1, ints(s.batch()),
                ints(s.channels()), ints(s.spatialSize()), Pointer.to(context.pointer(dy)),
                Pointer.to(context.pointer(dbias)));
    }
}
