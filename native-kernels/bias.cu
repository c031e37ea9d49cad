// Per-channel bias and its gradient, for N×C×S data (S = H·W, or 1 for dense layers).
#include "common.cuh"

// y[n, c, s] += bias[c]
extern "C" __global__ void bias_add(int n, int c, int s, float* y, const float* bias) {
    GRID_STRIDE(i, n * c * s) { y[i] += bias[(i / s) % c]; }
}

// z[n, c, s] += bias[c], then y = f(z): a bias add and the activation after it in one pass (one read of z instead of
// two), leaving z what the bias add alone leaves, so the activation's backward reads it as before.
extern "C" __global__ void bias_activation_forward(int n, int c, int s, float* z, const float* bias, int kind,
                                                   float alpha, float* y) {
    GRID_STRIDE(i, n * c * s) {
        float v = z[i] + bias[(i / s) % c];
        z[i] = v;
        y[i] = activate(kind, alpha, v);
    }
}

// dbias[c] = Σ over n and s of dy[n, c, s]: one block per channel, a fixed order of additions in double, so the
// result is the same on every run. Launch with one block per channel and 256 threads.
extern "C" __global__ void bias_gradient(int n, int c, int s, const float* dy, float* dbias) {
    __shared__ double shared[256];
    int channel = blockIdx.x;
    double sum = 0.0;
    for (int i = threadIdx.x; i < n * s; i += blockDim.x) {
        int image = i / s;
        sum += dy[(image * c + channel) * s + (i - image * s)];
    }
    sum = block_sum(sum, shared);
    if (threadIdx.x == 0) {
        dbias[channel] = (float) sum;
    }
}
