package io.jcnn.backend.cpu;

/** Fused in-place optimizer updates. */
final class CpuOptimizerSteps {
    private CpuOptimizerSteps() {
    }

    static void sgd(CpuParallel parallel, float[] param, float[] grad, float[] velocity, int size, float learningRate,
                    float momentum, float weightDecay, boolean nesterov) {
        throw new UnsupportedOperationException("sgdStep is not implemented yet");
    }

    static void adam(CpuParallel parallel, float[] param, float[] grad, float[] m, float[] v, int size,
                     float learningRate, float beta1, float beta2, float epsilon, float weightDecay, int step) {
        throw new UnsupportedOperationException("adamStep is not implemented yet");
    }
}
