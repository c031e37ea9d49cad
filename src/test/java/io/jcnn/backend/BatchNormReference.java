package io.jcnn.backend;

/**
 * The batch-normalisation oracle in double precision for N×C×S data. Backward follows the textbook staged
 * derivation (through the variance and the mean), not the closed form the backends use.
 */
final class BatchNormReference {
    private BatchNormReference() {
    }

    static double mean(int n, int c, int s, double[] x, int ch) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int pos = 0; pos < s; pos++) {
                sum += x[(i * c + ch) * s + pos];
            }
        }
        return sum / (n * s);
    }

    /** Biased (population) variance, the one used to normalise. */
    static double variance(int n, int c, int s, double[] x, int ch) {
        double mean = mean(n, c, s, x, ch);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int pos = 0; pos < s; pos++) {
                double d = x[(i * c + ch) * s + pos] - mean;
                sum += d * d;
            }
        }
        return sum / (n * s);
    }

    static double[] normalise(int n, int c, int s, double[] x, double[] gamma, double[] beta, double[] mean,
                              double[] variance, double epsilon) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int pos = 0; pos < s; pos++) {
                    int at = (i * c + ch) * s + pos;
                    y[at] = gamma[ch] * (x[at] - mean[ch]) / Math.sqrt(variance[ch] + epsilon) + beta[ch];
                }
            }
        }
        return y;
    }

    /** Returns {dx, dGamma, dBeta} for training-mode batch norm with batch statistics of x. */
    static double[][] backward(int n, int c, int s, double[] x, double[] dy, double[] gamma, double epsilon) {
        double[] dx = new double[x.length];
        double[] dGamma = new double[c];
        double[] dBeta = new double[c];
        int m = n * s;
        for (int ch = 0; ch < c; ch++) {
            double mean = mean(n, c, s, x, ch);
            double variance = variance(n, c, s, x, ch);
            double invStd = 1 / Math.sqrt(variance + epsilon);
            double dVariance = 0;
            double dMean = 0;
            double centredSum = 0;
            for (int i = 0; i < n; i++) {
                for (int pos = 0; pos < s; pos++) {
                    int at = (i * c + ch) * s + pos;
                    double dXhat = dy[at] * gamma[ch];
                    dVariance += dXhat * (x[at] - mean) * -0.5 * Math.pow(variance + epsilon, -1.5);
                    dMean += -dXhat * invStd;
                    centredSum += -2 * (x[at] - mean);
                    dGamma[ch] += dy[at] * (x[at] - mean) * invStd;
                    dBeta[ch] += dy[at];
                }
            }
            dMean += dVariance * centredSum / m;
            for (int i = 0; i < n; i++) {
                for (int pos = 0; pos < s; pos++) {
                    int at = (i * c + ch) * s + pos;
                    dx[at] = dy[at] * gamma[ch] * invStd + dVariance * 2 * (x[at] - mean) / m + dMean / m;
                }
            }
        }
        return new double[][] {dx, dGamma, dBeta};
    }
}
