// Local response normalisation across channels and batch normalisation, for N×C×S data (S = H·W, or 1), as the
// CPU backend computes them: LRN per element; batch normalisation with one block of 256 threads per channel, sums
// in double in a fixed order.
#include "common.cuh"

#define THREADS 256

// k + alpha/size · Σ x² over the window of channel j, in double, at one position of one image (x at base, stride s).
__device__ double lrn_scale(const float* x, long long base, int s, int c, int j, int size, float alpha, float k) {
    int half = size / 2;
    double sum = 0.0;
    for (int i = max(0, j - half); i <= min(c - 1, j + half); i++) {
        double v = x[base + (long long) i * s];
        sum += v * v;
    }
    return k + (double) alpha / size * sum;
}

extern "C" __global__ void lrn_forward(int n, int c, int s, int size, float alpha, float beta, float k,
                                       const float* x, float* y) {
    GRID_STRIDE(i, n * c * s) {
        int image = i / (c * s);
        int channel = (i / s) % c;
        long long base = (long long) image * c * s + i % s;
        y[i] = (float) (x[i] * pow(lrn_scale(x, base, s, c, channel, size, alpha, k), -(double) beta));
    }
}

// dx_c = dy_c · scale_c^−beta − (2·alpha·beta/size) · x_c · Σ_j dy_j · y_j / scale_j over the window of c.
extern "C" __global__ void lrn_backward(int n, int c, int s, int size, float alpha, float beta, float k,
                                        const float* x, const float* y, const float* dy, float* dx) {
    int half = size / 2;
    double coefficient = 2.0 * alpha * beta / size;
    GRID_STRIDE(i, n * c * s) {
        int image = i / (c * s);
        int channel = (i / s) % c;
        long long base = (long long) image * c * s + i % s;
        double window = 0.0;
        for (int j = max(0, channel - half); j <= min(c - 1, channel + half); j++) {
            long long at = base + (long long) j * s;
            window += (double) dy[at] * y[at] / lrn_scale(x, base, s, c, j, size, alpha, k);
        }
        double scale = lrn_scale(x, base, s, c, channel, size, alpha, k);
        dx[i] = (float) (dy[i] * pow(scale, -(double) beta) - coefficient * x[i] * window);
    }
}

// One block per channel: batch statistics (two-pass variance), y, the saved mean and 1/√(var+eps), and the running
// statistics (the running variance from the unbiased batch variance).
extern "C" __global__ void batchnorm_forward_training(int n, int c, int s, const float* x, const float* gamma,
                                                      const float* beta, float* y, float* runningMean,
                                                      float* runningVariance, float* savedMean, float* savedInvStd,
                                                      float momentum, float epsilon) {
    __shared__ double sums[THREADS];
    int channel = blockIdx.x;
    long long count = (long long) n * s;
    double sum = 0.0;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        sum += x[((e / s) * c + channel) * s + e % s];
    }
    double mean = block_sum(sum, sums) / count;
    double squares = 0.0;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        double d = x[((e / s) * c + channel) * s + e % s] - mean;
        squares += d * d;
    }
    squares = block_sum(squares, sums);
    double invStd = 1.0 / sqrt(squares / count + epsilon);
    float g = (float) (gamma[channel] * invStd);
    float b = (float) (beta[channel] - gamma[channel] * mean * invStd);
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        long long at = ((e / s) * c + channel) * s + e % s;
        y[at] = x[at] * g + b;
    }
    if (threadIdx.x == 0) {
        savedMean[channel] = (float) mean;
        savedInvStd[channel] = (float) invStd;
        double unbiased = squares / (count - 1);
        runningMean[channel] = (float) ((1.0 - momentum) * runningMean[channel] + momentum * mean);
        runningVariance[channel] = (float) ((1.0 - momentum) * runningVariance[channel] + momentum * unbiased);
    }
}

extern "C" __global__ void batchnorm_forward_inference(int n, int c, int s, const float* x, const float* gamma,
                                                       const float* beta, float* y, const float* runningMean,
                                                       const float* runningVariance, float epsilon) {
    GRID_STRIDE(i, n * c * s) {
        int channel = (i / s) % c;
        double invStd = 1.0 / sqrt((double) runningVariance[channel] + epsilon);
        float g = (float) (gamma[channel] * invStd);
        float b = (float) (beta[channel] - gamma[channel] * runningMean[channel] * invStd);
        y[i] = x[i] * g + b;
    }
}

// One block per channel: dBeta = Σ dy, dGamma = Σ dy·x̂, dx = gamma·invStd · (dy − dBeta/M − x̂·dGamma/M).
extern "C" __global__ void batchnorm_backward(int n, int c, int s, const float* x, const float* dy,
                                              const float* gamma, const float* savedMean, const float* savedInvStd,
                                              float* dx, float* dGamma, float* dBeta) {
    __shared__ double sums[THREADS];
    int channel = blockIdx.x;
    long long count = (long long) n * s;
    double mean = savedMean[channel];
    double invStd = savedInvStd[channel];
    double sumDy = 0.0;
    double sumDyXhat = 0.0;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        long long at = ((e / s) * c + channel) * s + e % s;
        sumDy += dy[at];
        sumDyXhat += dy[at] * ((x[at] - mean) * invStd);
    }
    sumDy = block_sum(sumDy, sums);
    sumDyXhat = block_sum(sumDyXhat, sums);
    double factor = gamma[channel] * invStd;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        long long at = ((e / s) * c + channel) * s + e % s;
        double xhat = (x[at] - mean) * invStd;
        dx[at] = (float) (factor * (dy[at] - sumDy / count - xhat * sumDyXhat / count));
    }
    if (threadIdx.x == 0) {
        dGamma[channel] = (float) sumDyXhat;
        dBeta[channel] = (float) sumDy;
    }
}
