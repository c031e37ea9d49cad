package io.jcnn.explain;

/**
 * Total variation of an image, the mean squared difference between horizontally and vertically neighbouring pixels
 * of each channel: a smoothness penalty that keeps an optimised image from filling with high-frequency noise.
 * Computed on the host: the images optimised here are small, and the step's other work dominates.
 */
final class TotalVariation {
    private TotalVariation() {
    }

    /**
     * Returns TV(x) for {@code x} (C×H×W) and writes ∂TV/∂x into {@code gradient}; 0 for a 1×1 image.
     */
    static double lossAndGradient(float[] x, int channels, int height, int width, float[] gradient) {
        java.util.Arrays.fill(gradient, 0f);
        long pairs = (long) channels * (height * (long) (width - 1) + (long) (height - 1) * width);
        if (pairs == 0) {
            return 0;
        }
        double sum = 0;
        float scale = (float) (2.0 / pairs);
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            for (int y = 0; y < height; y++) {
                for (int i = plane + y * width, end = i + width; i < end; i++) {
                    if (i + 1 < end) {
                        float d = x[i + 1] - x[i];
                        sum += (double) d * d;
                        gradient[i + 1] += scale * d;
                        gradient[i] -= scale * d;
                    }
                    if (y + 1 < height) {
                        float d = x[i + width] - x[i];
                        sum += (double) d * d;
                        gradient[i + width] += scale * d;
                        gradient[i] -= scale * d;
                    }
                }
            }
        }
        return sum / pairs;
    }
}
