package io.jcnn.backend.cpu;

/**
 * Spatial batch normalisation for N×C×S data (S = H·W, or 1 for N×C), per channel over the N·S values.
 *
 * <p>Work is split over channels only and every reduction runs in a fixed order (image, then position) in double,
 * so results are the same for every thread count.
 */
final class CpuBatchNorm {
    private static final int MIN_CHUNK_ELEMENTS = 1 << 14;

    private CpuBatchNorm() {
    }

    static void forwardTraining(CpuParallel parallel, int n, int c, int s, float[] x, float[] gamma, float[] beta,
                                float[] y, float[] runningMean, float[] runningVariance, float[] savedMean,
                                float[] savedInvStd, float momentum, float epsilon) {
        long count = (long) n * s;
        parallel.forRange(c, grain(n, s), (chunk, start, end) -> {
            for (int channel = start; channel < end; channel++) {
                double sum = 0;
                for (int image = 0; image < n; image++) {
                    int offset = (image * c + channel) * s;
                    for (int i = offset; i < offset + s; i++) {
                        sum += x[i];
                    }
                }
                double mean = sum / count;
                // Two-pass variance: no cancellation when |mean| is large relative to the spread.
                double squares = 0;
                for (int image = 0; image < n; image++) {
                    int offset = (image * c + channel) * s;
                    for (int i = offset; i < offset + s; i++) {
                        double d = x[i] - mean;
                        squares += d * d;
                    }
                }
                double variance = squares / count;
                double invStd = 1.0 / Math.sqrt(variance + epsilon);
                float g = (float) (gamma[channel] * invStd);
                float b = (float) (beta[channel] - gamma[channel] * mean * invStd);
                for (int image = 0; image < n; image++) {
                    int offset = (image * c + channel) * s;
                    for (int i = offset; i < offset + s; i++) {
                        y[i] = x[i] * g + b;
                    }
                }
                savedMean[channel] = (float) mean;
                savedInvStd[channel] = (float) invStd;
                double unbiased = squares / (count - 1);
                runningMean[channel] = (float) ((1.0 - momentum) * runningMean[channel] + momentum * mean);
                runningVariance[channel] = (float) ((1.0 - momentum) * runningVariance[channel] + momentum * unbiased);
            }
        });
    }

    static void forwardInference(CpuParallel parallel, int n, int c, int s, float[] x, float[] gamma, float[] beta,
                                 float[] y, float[] runningMean, float[] runningVariance, float epsilon) {
        parallel.forRange(c, grain(n, s), (chunk, start, end) -> {
            for (int channel = start; channel < end; channel++) {
                double invStd = 1.0 / Math.sqrt((double) runningVariance[channel] + epsilon);
                float g = (float) (gamma[channel] * invStd);
                float b = (float) (beta[channel] - gamma[channel] * runningMean[channel] * invStd);
                for (int image = 0; image < n; image++) {
                    int offset = (image * c + channel) * s;
                    for (int i = offset; i < offset + s; i++) {
                        y[i] = x[i] * g + b;
                    }
                }
            }
        });
    }

    /**
     * With x̂ = (x − mean)·invStd and M = N·S values per channel: dBeta = Σ dy, dGamma = Σ dy·x̂ and
     * dx = gamma·invStd · (dy − dBeta/M − x̂·dGamma/M).
     */
    static void backward(CpuParallel parallel, int n, int c, int s, float[] x, float[] dy, float[] gamma,
                         float[] savedMean, float[] savedInvStd, float[] dx, float[] dGamma, float[] dBeta) {
        long count = (long) n * s;
        parallel.forRange(c, grain(n, s), (chunk, start, end) -> {
            for (int channel = start; channel < end; channel++) {
                double mean = savedMean[channel];
                double invStd = savedInvStd[channel];
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int image = 0; image < n; image++) {
                    int offset = (image * c + channel) * s;
                    for (int i = offset; i < offset + s; i++) {
                        sumDy += dy[i];
                        sumDyXhat += dy[i] * ((x[i] - mean) * invStd);
                    }
                }
                double factor = gamma[channel] * invStd;
                double meanDy = sumDy / count;
                double meanDyXhat = sumDyXhat / count;
                for (int image = 0; image < n; image++) {
                    int offset = (image * c + channel) * s;
                    for (int i = offset; i < offset + s; i++) {
                        double xhat = (x[i] - mean) * invStd;
                        dx[i] = (float) (factor * (dy[i] - meanDy - xhat * meanDyXhat));
                    }
                }
                dGamma[channel] = (float) sumDyXhat;
                dBeta[channel] = (float) sumDy;
            }
        });
    }

    private static int grain(int n, int s) {
        return Math.max(1, MIN_CHUNK_ELEMENTS / Math.max(1, n * s));
    }
}
