package io.jcnn.backend;

/**
 * Cross-channel local response normalisation (AlexNet, Caffe's ACROSS_CHANNELS, cuDNN's LRN):
 * y = x · (k + alpha/size · Σ x²)^−beta, the sum over {@code size} neighbouring channels centred on the channel.
 */
public record LrnSpec(int size, float alpha, float beta, float k) {
    /**
     * Validates the setting.
     *
     * @throws IllegalArgumentException if size is not a positive odd number, alpha or beta is negative, k is not
     *     positive, or any of them is not finite
     */
    public LrnSpec {
        if (size < 1 || size % 2 == 0) {
            throw new IllegalArgumentException("LRN size must be a positive odd number, got " + size);
        }
        if (!(alpha >= 0) || !(beta >= 0) || !(k > 0) || !Float.isFinite(alpha) || !Float.isFinite(beta) || !Float.isFinite(k)) {
            throw new IllegalArgumentException("LRN needs alpha >= 0, beta >= 0 and k > 0, got alpha=" + alpha
                    + " beta=" + beta + " k=" + k);
        }
    }

    /** AlexNet's setting: size 5, alpha 1e-4, beta 0.75, k 1 (Caffe's), or k 2 in the paper. */
    public static LrnSpec alexNet() {
        return new LrnSpec(5, 1e-4f, 0.75f, 1f);
    }
}
