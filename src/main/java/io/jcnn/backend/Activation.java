package io.jcnn.backend;

/**
 * A pointwise activation: {@code RELU} max(0,x); {@code LEAKY_RELU} x if x&gt;0 else alpha·x; {@code SIGMOID}
 * 1/(1+e^−x); {@code TANH}. Only LEAKY_RELU reads {@code alpha}.
 */
public record Activation(Kind kind, float alpha) {
    /** Which function an {@link Activation} computes. */
    public enum Kind {
        /** Rectified linear unit, max(0, x). */
        RELU,
        /** x if x &gt; 0, else alpha·x. */
        LEAKY_RELU,
        /** The logistic function 1/(1 + e^−x). */
        SIGMOID,
        /** The hyperbolic tangent. */
        TANH
    }

    /**
     * Validates the activation.
     *
     * @throws IllegalArgumentException if {@code kind} is null or {@code alpha} is not finite
     */
    public Activation {
        if (kind == null) {
            throw new IllegalArgumentException("activation kind must be one of RELU, LEAKY_RELU, SIGMOID, TANH, got null");
        }
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("activation alpha must be finite, got " + alpha);
        }
    }

    /** Rectified linear unit, max(0, x). */
    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    /** The logistic function 1/(1 + e^−x). */
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);
    /** The hyperbolic tangent. */
    public static final Activation TANH = new Activation(Kind.TANH, 0f);

    /**
     * Leaky ReLU: x if x &gt; 0, else {@code alpha}·x.
     *
     * @throws IllegalArgumentException if {@code alpha} is not finite
     */
    public static Activation leakyRelu(float alpha) {
        return new Activation(Kind.LEAKY_RELU, alpha);
    }
}
