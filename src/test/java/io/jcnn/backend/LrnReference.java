package io.jcnn.backend;

/**
 * The cross-channel LRN oracle in double precision. Backward is the chain rule written out term by term,
 * dx_c = Σ_j dy_j · ∂y_j/∂x_c, independent of the closed form the backends use.
 */
final class LrnReference {
    private LrnReference() {
    }

    static double[] forward(LrnSpec spec, int n, int c, int s, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int pos = 0; pos < s; pos++) {
                    int at = (i * c + ch) * s + pos;
                    y[at] = x[at] * Math.pow(scale(spec, c, s, x, i, ch, pos), -spec.beta());
                }
            }
        }
        return y;
    }

    static double[] backward(LrnSpec spec, int n, int c, int s, double[] x, double[] dy) {
        double[] dx = new double[x.length];
        int half = spec.size() / 2;
        for (int i = 0; i < n; i++) {
            for (int pos = 0; pos < s; pos++) {
                for (int ch = 0; ch < c; ch++) {
                    double total = 0;
                    for (int j = 0; j < c; j++) {
                        int yAt = (i * c + j) * s + pos;
                        double scale = scale(spec, c, s, x, i, j, pos);
                        // y_j = x_j · scale_j^−β, scale_j = k + α/size · Σ_{|m−j| ≤ half} x_m²
                        double derivative = 0;
                        if (j == ch) {
                            derivative += Math.pow(scale, -spec.beta());
                        }
                        if (Math.abs(ch - j) <= half) {
                            double dScaleDx = (double) spec.alpha() / spec.size() * 2 * x[(i * c + ch) * s + pos];
                            derivative += x[yAt] * -spec.beta() * Math.pow(scale, -spec.beta() - 1) * dScaleDx;
                        }
                        total += dy[yAt] * derivative;
                    }
                    dx[(i * c + ch) * s + pos] = total;
                }
            }
        }
        return dx;
    }

    private static double scale(LrnSpec spec, int c, int s, double[] x, int i, int ch, int pos) {
        int half = spec.size() / 2;
        double sum = 0;
        for (int m = Math.max(0, ch - half); m <= Math.min(c - 1, ch + half); m++) {
            double v = x[(i * c + m) * s + pos];
            sum += v * v;
        }
        return spec.k() + (double) spec.alpha() / spec.size() * sum;
    }
}
