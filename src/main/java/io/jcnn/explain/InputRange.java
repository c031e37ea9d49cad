package io.jcnn.explain;

import io.jcnn.data.Normalization;

/**
 * The values a model's input can take, in the model's (normalised) input units: {@code low} for black, {@code high}
 * for white. Class visualisation may be kept inside it, and adversarial examples are clipped to it and measure their
 * step as a fraction of it.
 */
public record InputRange(float low, float high) {
    /**
     * Validates the range.
     *
     * @throws IllegalArgumentException unless {@code low} and {@code high} are finite and {@code low < high}
     */
    public InputRange {
        if (!Float.isFinite(low) || !Float.isFinite(high) || !(low < high)) {
            throw new IllegalArgumentException("an input range needs finite low < high, got " + low + " to " + high);
        }
    }

    /** Pixel bytes 0 to 255 through {@code normalization}: the range of every image a dataset can hold. */
    public static InputRange pixels(Normalization normalization) {
        return new InputRange(normalization.apply(0), normalization.apply(255));
    }

    /** high − low. */
    public float width() {
        return high - low;
    }
}
