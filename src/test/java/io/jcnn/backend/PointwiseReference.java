package io.jcnn.backend;

/**
 * Naive double-precision references for the pointwise ops, written for clarity rather than speed: the oracle the
 * backends are checked against. Every function takes float inputs exactly as uploaded and returns doubles.
 */
final class PointwiseReference {
    private PointwiseReference() {
    }

    // ---- activations ----

    static double activation(Activation a, double x) {
        return switch (a.kind()) {
            case RELU -> x > 0 ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : a.alpha() * x;
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
        };
    }

    /** f′(x) from x alone; ReLU and leaky ReLU take the left derivative at 0. */
    static double derivative(Activation a, double x) {
        return switch (a.kind()) {
            case RELU -> x > 0 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : a.alpha();
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 - s);
            }
            case TANH -> {
                double t = Math.tanh(x);
                yield 1 - t * t;
            }
        };
    }

    static double[] activationForward(Activation a, float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = activation(a, x[i]);
        }
        return y;
    }

    static double[] activationBackward(Activation a, float[] x, float[] dy) {
        double[] dx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            dx[i] = dy[i] * derivative(a, x[i]);
        }
        return dx;
    }

    // ---- softmax ----

    /** Softmax or log-softmax of each of the {@code batch} rows of x. */
    static double[] softmax(float[] x, int batch, boolean log) {
        int features = x.length / batch;
        double[] y = new double[x.length];
        for (int n = 0; n < batch; n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < features; i++) {
                max = Math.max(max, x[n * features + i]);
            }
            double sum = 0;
            for (int i = 0; i < features; i++) {
                sum += Math.exp(x[n * features + i] - max);
            }
            for (int i = 0; i < features; i++) {
                double shifted = x[n * features + i] - max;
                y[n * features + i] = log ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
            }
        }
        return y;
    }

    /** The full Jacobian of one softmax row: J[i][j] = ∂y_i/∂x_j = y_i(δ_ij − y_j). */
    static double[][] softmaxJacobian(double[] y) {
        int f = y.length;
        double[][] j = new double[f][f];
        for (int r = 0; r < f; r++) {
            for (int c = 0; c < f; c++) {
                j[r][c] = y[r] * ((r == c ? 1 : 0) - y[c]);
            }
        }
        return j;
    }

    /** Jᵀ·dy. */
    static double[] transposeTimes(double[][] j, double[] dy) {
        int f = dy.length;
        double[] dx = new double[f];
        for (int c = 0; c < f; c++) {
            for (int r = 0; r < f; r++) {
                dx[c] += j[r][c] * dy[r];
            }
        }
        return dx;
    }

    // ---- losses ----

    /** Mean cross-entropy of softmax(logits) against integer labels. */
    static double crossEntropyLoss(float[] logits, float[] labels, int batch) {
        double[] logP = softmax(logits, batch, true);
        int classes = logits.length / batch;
        double total = 0;
        for (int n = 0; n < batch; n++) {
            total -= logP[n * classes + (int) labels[n]];
        }
        return total / batch;
    }

    /** (softmax − onehot)/N. */
    static double[] crossEntropyGradient(float[] logits, float[] labels, int batch) {
        double[] p = softmax(logits, batch, false);
        int classes = logits.length / batch;
        for (int n = 0; n < batch; n++) {
            p[n * classes + (int) labels[n]] -= 1;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= batch;
        }
        return p;
    }

    static double mseLoss(float[] prediction, float[] target, int batch) {
        double sum = 0;
        for (int i = 0; i < prediction.length; i++) {
            double d = (double) prediction[i] - target[i];
            sum += d * d;
        }
        return sum / (2.0 * batch);
    }

    static double[] mseGradient(float[] prediction, float[] target, int batch) {
        double[] g = new double[prediction.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = ((double) prediction[i] - target[i]) / batch;
        }
        return g;
    }

    // ---- elementwise ----

    static double sumOfSquares(float[] x) {
        double sum = 0;
        for (float v : x) {
            sum += (double) v * v;
        }
        return sum;
    }
}
