// Softmax, the fused softmax-cross-entropy and the Euclidean loss. Row-wise kernels use one block of 256 threads
// per row; reductions go through shared memory in a fixed order, so results are the same on every run.
#include "common.cuh"

#define THREADS 256

// y = softmax(x) (or log-softmax) of each of the rows of cols values. One block per row.
extern "C" __global__ void softmax_forward(int rows, int cols, const float* x, float* y, int log) {
    __shared__ float maxes[THREADS];
    __shared__ double sums[THREADS];
    int row = blockIdx.x;
    const float* in = x + (long long) row * cols;
    float* out = y + (long long) row * cols;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, in[j]);
    m = block_max(m, maxes);
    double s = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) s += exp((double) in[j] - m);
    s = block_sum(s, sums);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        double shifted = (double) in[j] - m;
        out[j] = log ? (float) (shifted - ::log(s)) : (float) (exp(shifted) / s);
    }
}

// dx from y and dy: softmax dx = y·(dy − Σ dy·y); log-softmax dx = dy − e^y·Σ dy. One block per row.
extern "C" __global__ void softmax_backward(int rows, int cols, const float* y, const float* dy, float* dx, int log) {
    __shared__ double sums[THREADS];
    int row = blockIdx.x;
    long long base = (long long) row * cols;
    double s = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) s += log ? (double) dy[base + j] : (double) dy[base + j] * y[base + j];
    s = block_sum(s, sums);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        long long i = base + j;
        dx[i] = log ? (float) (dy[i] - exp((double) y[i]) * s) : (float) (y[i] * (dy[i] - s));
    }
}

// The first batch index whose label is not an integer in [0, classes), or batch when all are: atomicMin into
// *bad, which the host sets to batch first. Checked before the loss kernel writes anything.
extern "C" __global__ void check_labels(int batch, int classes, const float* labels, int* bad) {
    GRID_STRIDE(i, batch) {
        float label = labels[i];
        if (!(label >= 0.0f && label < (float) classes && label == rintf(label))) {
            atomicMin(bad, i);
        }
    }
}

// Per row: rowLoss[n] = log Σ e^(x − max) − (x_label − max), and dLogits = (softmax − onehot)/batch.
// The host adds rowLoss in order and divides by batch. One block per row; dLogits may alias logits.
extern "C" __global__ void softmax_cross_entropy(int batch, int classes, const float* logits, const float* labels,
                                                 double* rowLoss, float* dLogits) {
    __shared__ float maxes[THREADS];
    __shared__ double sums[THREADS];
    int row = blockIdx.x;
    long long base = (long long) row * classes;
    int label = (int) labels[row];
    float m = -INFINITY;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) m = fmaxf(m, logits[base + j]);
    m = block_max(m, maxes);
    double s = 0.0;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) s += exp((double) logits[base + j] - m);
    s = block_sum(s, sums);
    double labelShifted = (double) logits[base + label] - m;
    __syncthreads();
    double invBatch = 1.0 / batch;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) {
        double p = exp((double) logits[base + j] - m) / s;
        dLogits[base + j] = (float) ((j == label ? p - 1.0 : p) * invBatch);
    }
    if (threadIdx.x == 0) {
        rowLoss[row] = ::log(s) - labelShifted;
    }
}

// Per element: dPrediction = (p − t)/batch; per block: partials[block] = Σ (p − t)² over its elements, in double.
// The host adds the partials in block order, so the loss does not depend on scheduling.
extern "C" __global__ void mse_loss(int n, int batch, const float* prediction, const float* target,
                                    float* dPrediction, double* partials) {
    __shared__ double sums[THREADS];
    double s = 0.0;
    GRID_STRIDE(i, n) {
        double d = (double) prediction[i] - target[i];
        s += d * d;
        dPrediction[i] = (float) (d / batch);
    }
    s = block_sum(s, sums);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = s;
    }
}
