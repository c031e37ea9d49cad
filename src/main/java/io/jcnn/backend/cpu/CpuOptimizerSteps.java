package io.jcnn.backend.cpu;

/**
 * Fused in-place optimizer updates, one pass over each parameter. Per-step constants (bias corrections) are
 * computed once per call in double; the per-element state stays float like the tensors that hold it.
 */
final class CpuOptimizerSteps {
    private static final int MIN_CHUNK = 1 << 14;

    private CpuOptimizerSteps() {
    }

    /**
     * g = grad + weightDecay·param; velocity = momentum·velocity + g;
     * param −= lr·(g + momentum·velocity) with Nesterov, else lr·velocity.
     */
    static void sgd(CpuParallel parallel, float[] param, float[] grad, float[] velocity, int size, float learningRate,
                    float momentum, float weightDecay, boolean nesterov) {
        if (nesterov) {
            parallel.forRange(size, MIN_CHUNK, (chunk, start, end) -> {
                for (int i = start; i < end; i++) {
                    float g = grad[i] + weightDecay * param[i];
                    float v = momentum * velocity[i] + g;
                    velocity[i] = v;
                    param[i] -= learningRate * (g + momentum * v);
                }
            });
        } else {
            parallel.forRange(size, MIN_CHUNK, (chunk, start, end) -> {
                for (int i = start; i < end; i++) {
                    float g = grad[i] + weightDecay * param[i];
                    float v = momentum * velocity[i] + g;
                    velocity[i] = v;
                    param[i] -= learningRate * v;
                }
            });
        }
    }

    /**
     * g = grad + weightDecay·param; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
     * param −= lr·m̂/(√v̂ + ε) with m̂ = m/(1−β1^step), v̂ = v/(1−β2^step).
     */
    static void adam(CpuParallel parallel, float[] param, float[] grad, float[] m, float[] v, int size,
                     float learningRate, float beta1, float beta2, float epsilon, float weightDecay, int step) {
        double stepSize = learningRate / (1.0 - Math.pow(beta1, step));
        double inverseCorrection2 = 1.0 / (1.0 - Math.pow(beta2, step));
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        parallel.forRange(size, MIN_CHUNK, (chunk, start, end) -> {
            for (int i = start; i < end; i++) {
                float g = grad[i] + weightDecay * param[i];
                float mi = beta1 * m[i] + oneMinusBeta1 * g;
                float vi = beta2 * v[i] + oneMinusBeta2 * g * g;
                m[i] = mi;
                v[i] = vi;
                param[i] -= (float) (stepSize * mi / (Math.sqrt(vi * inverseCorrection2) + epsilon));
            }
        });
    }
}
