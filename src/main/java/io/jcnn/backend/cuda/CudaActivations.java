package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.floats;
import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.Activation;
import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;

/**
 * Pointwise activations and softmax: a pending bias add on the input runs fused with the activation
 * ({@link CudaBias}); otherwise cuDNN where it runs and has the function (it has no leaky ReLU), else jcnn's
 * kernels.
 */
final class CudaActivations {
    private final CudaBackend backend;
    private final CudaContext context;
    private final CudaBias bias;
    /** Null: jcnn's kernels. */
    private final CudnnActivations cudnn;

    CudaActivations(CudaBackend backend, CudaContext context, CudaBias bias, CudnnActivations cudnn) {
        this.backend = backend;
        this.context = context;
        this.bias = bias;
        this.cudnn = cudnn;
    }

    void forward(Activation activation, Tensor x, Tensor y) {
        OpChecks.activationForward(backend, activation, x, y);
        context.makeCurrent();
        if (bias.fusedWithActivation(activation, x, y)) {
            return;
        }
        if (cudnn != null && cudnn.supports(activation)) {
            context.tally.add("activationForward", CudaTier.CUDNN);
            cudnn.forward(activation, x.shape(), context.pointer(x), context.pointer(y));
            return;
        }
        context.tally.add("activationForward", CudaTier.KERNELS);
        context.launch1d(CudaKernel.ACTIVATION_FORWARD, x.size(), ints(activation.kind().ordinal()),
                floats(activation.alpha()), ints(x.size()), Pointer.to(context.pointer(x)),
                Pointer.to(context.pointer(y)));
    }

    void backward(Activation activation, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.activationBackward(backend, activation, x, y, dy, dx);
        context.makeCurrent();
        if (cudnn != null && cudnn.supports(activation)) {
            context.tally.add("activationBackward", CudaTier.CUDNN);
            cudnn.backward(activation, x.shape(), context.pointer(x), context.pointer(y), context.pointer(dy),
                    context.pointer(dx));
            return;
        }
        context.tally.add("activationBackward", CudaTier.KERNELS);
        context.launch1d(CudaKernel.ACTIVATION_BACKWARD, x.size(), ints(activation.kind().ordinal()),
                floats(activation.alpha()), ints(x.size()), Pointer.to(context.pointer(x)),
                Pointer.to(context.pointer(y)), Pointer.to(context.pointer(dy)), Pointer.to(context.pointer(dx)));
    }

    void softmaxForward(Tensor x, Tensor y, boolean log) {
        OpChecks.softmaxForward(backend, x, y);
        context.makeCurrent();
        if (cudnn != null) {
            context.tally.add("softmaxForward", CudaTier.CUDNN);
            cudnn.softmaxForward(x.shape(), context.pointer(x), context.pointer(y), log);
            return;
        }
        context.tally.add("softmaxForward", CudaTier.KERNELS);
        Shape s = x.shape();
        context.launch(CudaKernel.SOFTMAX_FORWARD, s.batch(), 1, CudaContext.THREADS, 1, ints(s.batch()),
                ints(s.sampleSize()), Pointer.to(context.pointer(x)), Pointer.to(context.pointer(y)),
                ints(log ? 1 : 0));
    }

    void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        OpChecks.softmaxBackward(backend, y, dy, dx);
        context.makeCurrent();
        if (cudnn != null) {
            context.tally.add("softmaxBackward", CudaTier.CUDNN);
            cudnn.softmaxBackward(y.shape(), context.pointer(y), context.pointer(dy), context.pointer(dx), log);
            return;
        }
        context.tally.add("softmaxBackward", CudaTier.KERNELS);
        Shape s = y.shape();
        context.launch(CudaKernel.SOFTMAX_BACKWARD, s.batch(), 1, CudaContext.THREADS, 1, ints(s.batch()),
                ints(s.sampleSize()), Pointer.to(context.pointer(y)), Pointer.to(context.pointer(dy)),
                Pointer.to(context.pointer(dx)), ints(log ? 1 : 0));
    }
}
