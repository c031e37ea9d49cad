package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.floats;
import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;

/** SGD (momentum, Nesterov, weight decay) and Adam updates, one kernel per parameter tensor. */
final class CudaOptimizerSteps {
    private final CudaBackend backend;
    private final CudaContext context;

    CudaOptimizerSteps(CudaBackend backend, CudaContext context) {
        this.backend = backend;
        this.context = context;
    }

    void sgd(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum, float weightDecay,
             boolean nesterov) {
        OpChecks.sgdStep(backend, param, grad, velocity, learningRate, momentum, weightDecay);
        context.makeCurrent();
        context.launch1d(CudaKernel.SGD_STEP, param.size(), ints(param.size()), Pointer.to(context.pointer(param)),
                Pointer.to(context.pointer(grad)), Pointer.to(context.pointer(velocity)), floats(learningRate),
                floats(momentum), floats(weightDecay), ints(nesterov ? 1 : 0));
    }

    /** The bias corrections are computed here in double, once per step, as the CPU backend does. */
    void adam(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2,
              float epsilon, float weightDecay, int step) {
        OpChecks.adamStep(backend, param, grad, m, v, learningRate, beta1, beta2, epsilon, weightDecay, step);
        context.makeCurrent();
        double stepSize = learningRate / (1.0 - Math.pow(beta1, step));
        double inverseCorrection2 = 1.0 / (1.0 - Math.pow(beta2, step));
        context.launch1d(CudaKernel.ADAM_STEP, param.size(), ints(param.size()), Pointer.to(context.pointer(param)),
                Pointer.to(context.pointer(grad)), Pointer.to(context.pointer(m)), Pointer.to(context.pointer(v)),
                Pointer.to(new double[] {stepSize}), floats(beta1), floats(beta2), floats(epsilon),
                floats(weightDecay), Pointer.to(new double[] {inverseCorrection2}));
    }
}
