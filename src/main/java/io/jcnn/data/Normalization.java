package io.jcnn.data;

/**
 * How pixel bytes become network input: {@code x = (byte / 255 − mean) / std}, one mean and deviation for all
 * channels. Training and later inference must use the same values, so checkpoints record them.
 *
 * @param mean subtracted after scaling to [0, 1]
 * @param std  divided by, positive
 */
public record Normalization(float mean, float std) {
    /** Pixels scaled to [0, 1] and nothing else. */
    public static final Normalization NONE = new Normalization(0f, 1f);

    /**
     * Validates the values.
     *
     * @throws IllegalArgumentException if {@code mean} is not finite or {@code std} is not positive and finite
     */
    public Normalization {
        if (!Float.isFinite(mean) || !(std > 0) || !Float.isFinite(std)) {
            throw new IllegalArgumentException("normalization needs a finite mean and a positive finite std, got mean "
                    + mean + ", std " + std);
        }
    }

    /** The mean and standard deviation of {@code data}'s pixels; a blank dataset gets std 1. */
    public static Normalization of(Dataset data) {
        double std = data.pixelStd();
        return new Normalization((float) data.pixelMean(), std > 0 ? (float) std : 1f);
    }

    /** The input value for pixel byte {@code pixel}. */
    public float apply(int pixel) {
        return ((pixel & 0xFF) / 255f - mean) / std;
    }

    /** The input value of each of the 256 byte values, so a batch is converted by lookup. */
    float[] table() {
        float[] table = new float[256];
        for (int i = 0; i < 256; i++) {
            table[i] = apply(i);
        }
        return table;
    }
}
