// Optimizer steps, in place, one element per thread.
#include "common.cuh"

// SGD with momentum (PyTorch's convention): g = grad + weightDecay·param; velocity = momentum·velocity + g;
// param −= lr·(g + momentum·velocity) when nesterov, else lr·velocity.
extern "C" __global__ void sgd_step(int n, float* param, const float* grad, float* velocity, float lr,
                                    float momentum, float weightDecay, int nesterov) {
    GRID_STRIDE(i, n) {
        float g = grad[i] + weightDecay * param[i];
        float v = momentum * velocity[i] + g;
        velocity[i] = v;
        param[i] -= lr * (nesterov ? g + momentum * v : v);
    }
}

// Adam with L2 weight decay folded into the gradient, as the CPU backend computes it: stepSize = lr/(1 − β1^step)
// and inverseCorrection2 = 1/(1 − β2^step) come from the host in double; the update is taken in double.
extern "C" __global__ void adam_step(int n, float* param, const float* grad, float* m, float* v, double stepSize,
                                     float beta1, float beta2, float epsilon, float weightDecay,
                                     double inverseCorrection2) {
    GRID_STRIDE(i, n) {
        float g = grad[i] + weightDecay * param[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] -= (float) (stepSize * mi / (sqrt(vi * inverseCorrection2) + epsilon));
    }
}
