package io.jcnn.cli;

import io.jcnn.data.Normalization;
import java.util.List;

/** Pixel bytes of an image file made into a model's input, the same way for predict and the explain commands. */
final class ModelInputs {
    /** The values {@code --invert} takes. */
    static final List<String> INVERT_CHOICES = List.of("auto", "yes", "no");

    private ModelInputs() {
    }

    /**
     * {@code pixels} (C×H×W bytes, as {@link ImageLoader} gives them) inverted as {@code invert} says, then normalised.
     * Only grey images are ever inverted: {@code yes}, or {@code auto} when the border is light (dark ink on paper;
     * MNIST digits are light on dark).
     */
    static float[] prepare(byte[] pixels, int channels, int height, int width, String invert,
                           Normalization normalization) {
        boolean flip = channels == 1 && (invert.equals("yes") || invert.equals("auto")
                && lightBorder(pixels, height, width));
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            int value = pixels[i] & 0xFF;
            x[i] = normalization.apply(flip ? 255 - value : value);
        }
        return x;
    }

    /** Whether the mean of the outermost pixels is light: dark ink on a light background. */
    static boolean lightBorder(byte[] grey, int height, int width) {
        long sum = 0;
        int count = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (y == 0 || x == 0 || y == height - 1 || x == width - 1) {
                    sum += grey[y * width + x] & 0xFF;
                    count++;
                }
            }
        }
        return sum > 127L * count;
    }
}
