// Elementwise ops, pointwise activations and the sum-of-squares reduction.
#include "common.cuh"

extern "C" __global__ void fill(int n, float value, float* x) {
    GRID_STRIDE(i, n) { x[i] = value; }
}

// y += alpha * x
extern "C" __global__ void axpy(int n, float alpha, const float* x, float* y) {
    GRID_STRIDE(i, n) { y[i] = fmaf(alpha, x[i], y[i]); }
}

// x *= alpha
extern "C" __global__ void scale(int n, float alpha, float* x) {
    GRID_STRIDE(i, n) { x[i] *= alpha; }
}

extern "C" __global__ void activation_forward(int kind, float alpha, int n, const float* x, float* y) {
    GRID_STRIDE(i, n) { y[i] = activate(kind, alpha, x[i]); }
}

// dx = dy * f'(x), from x (ReLU, leaky ReLU; derivative 0 at 0) or y = f(x) (sigmoid, tanh).
extern "C" __global__ void activation_backward(int kind, float alpha, int n, const float* x, const float* y,
                                               const float* dy, float* dx) {
    GRID_STRIDE(i, n) {
        float g = dy[i];
        switch (kind) {
            case RELU: dx[i] = x[i] > 0.0f ? g : 0.0f; break;
            case LEAKY_RELU: dx[i] = x[i] > 0.0f ? g : alpha * g; break;
            case SIGMOID: dx[i] = g * y[i] * (1.0f - y[i]); break;
            default: dx[i] = g * (1.0f - y[i] * y[i]); break;
        }
    }
}

// One partial sum of x² per block, in double, over a fixed stride pattern: the host adds the partials in block
// order, so the result depends only on n and the launch size. Launch with 256 threads per block.
extern "C" __global__ void sum_of_squares_partial(int n, const float* x, double* partials) {
    __shared__ double shared[256];
    double sum = 0.0;
    GRID_STRIDE(i, n) {
        double v = x[i];
        sum += v * v;
    }
    sum = block_sum(sum, shared);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = sum;
    }
}
