package io.jcnn.backend.cpu;

import io.jcnn.backend.LrnSpec;

/**
 * Cross-channel local response normalisation for N×C×S data (S = H·W), as Caffe's ACROSS_CHANNELS and cuDNN:
 * scale_c = k + alpha/size · Σ x_j² over j in [c − size/2, c + size/2] ∩ [0, C), and y_c = x_c · scale_c^−beta.
 */
final class CpuLocalResponseNorm {
    private static final int MIN_CHUNK_ELEMENTS = 1 << 13;

    private CpuLocalResponseNorm() {
    }

    /**
     * Split over the N·C planes. Each output plane first holds its window's Σx² (summed plane by plane so the inner
     * loop runs along contiguous memory), then is overwritten in place with the result; no scratch is needed.
     */
    static void forward(CpuParallel parallel, LrnSpec spec, int n, int c, int s, float[] x, float[] y) {
        int half = spec.size() / 2;
        float alphaOverSize = spec.alpha() / spec.size();
        double minusBeta = -spec.beta();
        parallel.forRange(n * c, Math.max(1, MIN_CHUNK_ELEMENTS / s), (chunk, start, end) -> {
            for (int plane = start; plane < end; plane++) {
                int image = plane / c;
                int channel = plane - image * c;
                int out = plane * s;
                java.util.Arrays.fill(y, out, out + s, 0f);
                int lo = Math.max(0, channel - half);
                int hi = Math.min(c - 1, channel + half);
                for (int j = lo; j <= hi; j++) {
                    int in = (image * c + j) * s;
                    for (int i = 0; i < s; i++) {
                        float v = x[in + i];
                        y[out + i] += v * v;
                    }
                }
                for (int i = 0; i < s; i++) {
                    float scale = spec.k() + alphaOverSize * y[out + i];
                    y[out + i] = (float) (x[out + i] * Math.pow(scale, minusBeta));
                }
            }
        });
    }

    /**
     * dx_c = dy_c · scale_c^−beta − (2·alpha·beta/size) · x_c · Σ_j dy_j · y_j / scale_j over the window of c (the
     * windows are symmetric, so j's window contains c exactly when c's contains j).
     *
     * <p>Split over the N·S columns. Down each column the window sum of dy·y/scale is kept as a running double
     * sum: the term entering and the term leaving are both recomputed from x, y and dy in the same way, so nothing
     * is stored between steps and the op needs no scratch memory.
     */
    static void backward(CpuParallel parallel, LrnSpec spec, int n, int c, int s, float[] x, float[] y, float[] dy,
                         float[] dx) {
        int half = spec.size() / 2;
        double minusBeta = -spec.beta();
        double coefficient = 2.0 * spec.alpha() * spec.beta() / spec.size();
        parallel.forRange(n * s, Math.max(1, MIN_CHUNK_ELEMENTS / c), (chunk, start, end) -> {
            for (int column = start; column < end; column++) {
                int image = column / s;
                int base = image * c * s + (column - image * s);
                double window = 0;
                for (int j = 0; j <= Math.min(c - 1, half); j++) {
                    window += ratio(spec, x, y, dy, base, s, c, j);
                }
                for (int channel = 0; channel < c; channel++) {
                    if (channel > 0) {
                        int entering = channel + half;
                        int leaving = channel - half - 1;
                        if (entering < c) {
                            window += ratio(spec, x, y, dy, base, s, c, entering);
                        }
                        if (leaving >= 0) {
                            window -= ratio(spec, x, y, dy, base, s, c, leaving);
                        }
                    }
                    int at = base + channel * s;
                    double scale = scale(spec, x, base, s, c, channel);
                    dx[at] = (float) (dy[at] * Math.pow(scale, minusBeta) - coefficient * x[at] * window);
                }
            }
        });
    }

    /** dy_j · y_j / scale_j for channel j of the column starting at {@code base}. */
    private static double ratio(LrnSpec spec, float[] x, float[] y, float[] dy, int base, int s, int c, int j) {
        int at = base + j * s;
        return (double) dy[at] * y[at] / scale(spec, x, base, s, c, j);
    }

    /** k + alpha/size · Σ x² over the window of channel j in the column starting at {@code base}. */
    private static double scale(LrnSpec spec, float[] x, int base, int s, int c, int j) {
        int half = spec.size() / 2;
        double sum = 0;
        for (int i = Math.max(0, j - half); i <= Math.min(c - 1, j + half); i++) {
            double v = x[base + i * s];
            sum += v * v;
        }
        return spec.k() + (double) spec.alpha() / spec.size() * sum;
    }
}
