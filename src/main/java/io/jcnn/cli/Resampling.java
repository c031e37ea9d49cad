package io.jcnn.cli;

/**
 * Resizes one channel of an image, one axis at a time. Shrinking an axis averages, for each target pixel, the part
 * of the source it covers (partial source pixels weighted by their overlap), which neither aliases nor drops
 * detail; enlarging interpolates linearly between the two nearest source pixel centres.
 */
final class Resampling {
    private Resampling() {
    }

    /**
     * For each target index, the first source index it reads and the weights of consecutive source indices from
     * there (summing to 1).
     */
    private record AxisWeights(int[] first, double[][] weights) {
    }

    /** Resizes a row-major {@code sourceHeight × sourceWidth} plane to {@code targetHeight × targetWidth}. */
    static double[] resize(double[] source, int sourceHeight, int sourceWidth, int targetHeight, int targetWidth) {
        AxisWeights columns = axis(sourceWidth, targetWidth);
        AxisWeights rows = axis(sourceHeight, targetHeight);
        double[] narrowed = new double[sourceHeight * targetWidth];
        for (int y = 0; y < sourceHeight; y++) {
            for (int x = 0; x < targetWidth; x++) {
                double sum = 0;
                double[] w = columns.weights[x];
                int from = y * sourceWidth + columns.first[x];
                for (int k = 0; k < w.length; k++) {
                    sum += w[k] * source[from + k];
                }
                narrowed[y * targetWidth + x] = sum;
            }
        }
        double[] target = new double[targetHeight * targetWidth];
        for (int y = 0; y < targetHeight; y++) {
            double[] w = rows.weights[y];
            int from = rows.first[y];
            for (int x = 0; x < targetWidth; x++) {
                double sum = 0;
                for (int k = 0; k < w.length; k++) {
                    sum += w[k] * narrowed[(from + k) * targetWidth + x];
                }
                target[y * targetWidth + x] = sum;
            }
        }
        return target;
    }

    private static AxisWeights axis(int source, int target) {
        return source >= target ? areaAverage(source, target) : linear(source, target);
    }

    /** Target pixel t covers source interval [t·s, (t+1)·s) with s = source/target ≥ 1. */
    private static AxisWeights areaAverage(int source, int target) {
        double scale = (double) source / target;
        int[] first = new int[target];
        double[][] weights = new double[target][];
        for (int t = 0; t < target; t++) {
            double low = t * scale;
            double high = Math.min(source, (t + 1) * scale);
            int begin = (int) Math.floor(low);
            int end = Math.min(source, (int) Math.ceil(high)); // exclusive
            first[t] = begin;
            weights[t] = new double[end - begin];
            for (int i = begin; i < end; i++) {
                double overlap = Math.min(high, i + 1) - Math.max(low, i);
                weights[t][i - begin] = overlap / scale;
            }
        }
        return new AxisWeights(first, weights);
    }

    /** Pixel centres aligned: target t samples source position (t + ½)·source/target − ½, clamped to the edges. */
    private static AxisWeights linear(int source, int target) {
        int[] first = new int[target];
        double[][] weights = new double[target][];
        for (int t = 0; t < target; t++) {
            double position = Math.max(0, Math.min(source - 1, (t + 0.5) * source / target - 0.5));
            int left = (int) Math.floor(position);
            double fraction = position - left;
            first[t] = left;
            weights[t] = left == source - 1 ? new double[] {1} : new double[] {1 - fraction, fraction};
        }
        return new AxisWeights(first, weights);
    }
}
