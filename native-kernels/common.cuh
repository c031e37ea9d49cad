// Shared helpers for jcnn's kernels. Every kernel is extern "C" (unmangled, so the Java side names it as written),
// takes plain int sizes (tensors stay below 2^31 elements) and walks its range with a grid-stride loop, so any
// launch size covers any problem size.
#pragma once

#define GRID_STRIDE(i, n) \
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)

// Block-wide reductions through shared memory (one slot per thread), in a fixed order, so a result does not depend
// on timing. Every thread of the block must call them; all get the result.
__device__ inline float block_max(float v, float* shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            shared[threadIdx.x] = fmaxf(shared[threadIdx.x], shared[threadIdx.x + half]);
        }
        __syncthreads();
    }
    float result = shared[0];
    __syncthreads();
    return result;
}

__device__ inline double block_sum(double v, double* shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            shared[threadIdx.x] += shared[threadIdx.x + half];
        }
        __syncthreads();
    }
    double result = shared[0];
    __syncthreads();
    return result;
}

// Activation kinds, in the order of io.jcnn.backend.Activation.Kind.
#define RELU 0
#define LEAKY_RELU 1
#define SIGMOID 2
#define TANH 3

// f(v) for an activation kind (alpha: leaky ReLU's negative slope).
__device__ inline float activate(int kind, float alpha, float v) {
    switch (kind) {
        case RELU: return v > 0.0f ? v : 0.0f;
        case LEAKY_RELU: return v > 0.0f ? v : alpha * v;
        case SIGMOID: return 1.0f / (1.0f + expf(-v));
        default: return tanhf(v);
    }
}
