package io.jcnn.backend.cpu;

/**
 * Softmax and log-softmax over each batch item's features (its C·H·W values, or F), parallel over batch items.
 * The row maximum is subtracted before exponentiating, so no exponential exceeds 1 and large logits cannot
 * overflow; sums are accumulated in double.
 */
final class CpuSoftmax {
    /** Roughly how many elements one chunk should cover before another thread is worth waking. */
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 13;

    private CpuSoftmax() {
    }

    /** Batch items per chunk so that a chunk covers at least {@link #MIN_ELEMENTS_PER_CHUNK} elements. */
    static int rowsPerChunk(int features) {
        return Math.max(1, MIN_ELEMENTS_PER_CHUNK / Math.max(1, features));
    }

    static void forward(CpuParallel parallel, float[] x, float[] y, int batch, int features, boolean log) {
        parallel.forRange(batch, rowsPerChunk(features), (chunk, first, last) -> {
            for (int n = first; n < last; n++) {
                int offset = n * features;
                if (log) {
                    logSoftmaxRow(x, y, offset, features);
                } else {
                    softmaxRow(x, y, offset, features);
                }
            }
        });
    }

    /** The largest of {@code x[offset .. offset+features)}. */
    static float rowMax(float[] x, int offset, int features) {
        float max = x[offset];
        for (int i = offset + 1; i < offset + features; i++) {
            max = Math.max(max, x[i]);
        }
        return max;
    }

    /** Σ e^(x − max) over the row, in double. */
    static double sumExp(float[] x, int offset, int features, float max) {
        double sum = 0;
        for (int i = offset; i < offset + features; i++) {
            sum += Math.exp((double) x[i] - max);
        }
        return sum;
    }

    private static void softmaxRow(float[] x, float[] y, int offset, int features) {
        float max = rowMax(x, offset, features);
        // Keep each exponential in y on the way, so each is computed once; y may then be x itself safely.
        double sum = 0;
        for (int i = offset; i < offset + features; i++) {
            double e = Math.exp((double) x[i] - max);
            y[i] = (float) e;
            sum += e;
        }
        double inverse = 1.0 / sum;
        for (int i = offset; i < offset + features; i++) {
            y[i] = (float) (y[i] * inverse);
        }
    }

    private static void logSoftmaxRow(float[] x, float[] y, int offset, int features) {
        float max = rowMax(x, offset, features);
        double logSum = max + Math.log(sumExp(x, offset, features, max));
        for (int i = offset; i < offset + features; i++) {
            y[i] = (float) (x[i] - logSum);
        }
    }

    /**
     * Softmax: dx_i = y_i·(dy_i − Σ_j dy_j·y_j), the Jacobian y_i(δ_ij − y_j) applied to dy.
     * Log-softmax (y = log p): dx_i = dy_i − p_i·Σ_j dy_j with p_i = e^(y_i).
     */
    static void backward(CpuParallel parallel, float[] y, float[] dy, float[] dx, int batch, int features,
                         boolean log) {
        parallel.forRange(batch, rowsPerChunk(features), (chunk, first, last) -> {
            for (int n = first; n < last; n++) {
                int offset = n * features;
                if (log) {
                    logSoftmaxBackwardRow(y, dy, dx, offset, features);
                } else {
                    softmaxBackwardRow(y, dy, dx, offset, features);
                }
            }
        });
    }

    private static void softmaxBackwardRow(float[] y, float[] dy, float[] dx, int offset, int features) {
        double dot = 0;
        for (int i = offset; i < offset + features; i++) {
            dot += (double) dy[i] * y[i];
        }
        for (int i = offset; i < offset + features; i++) {
            dx[i] = (float) (y[i] * (dy[i] - dot));
        }
    }

    private static void logSoftmaxBackwardRow(float[] y, float[] dy, float[] dx, int offset, int features) {
        double sum = 0;
        for (int i = offset; i < offset + features; i++) {
            sum += dy[i];
        }
        for (int i = offset; i < offset + features; i++) {
            dx[i] = (float) (dy[i] - Math.exp(y[i]) * sum);
        }
    }
}
