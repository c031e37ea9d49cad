package io.jcnn.backend;

/**
 * A pointwise activation: {@code RELU} max(0,x); {@code LEAKY_RELU} x if x&gt;0 else alpha·x; {@code SIGMOID}
 * 1/(1+e^−x); {@code TANH}. Only LEAKY_RELU reads {@code alpha}.
 */
public record Activation(Kind kind, float alpha) {
    public enum Kind { RELU, LEAKY_RELU, SIGMOID, TANH }

    public Activation {
        if (kind == null) {
            throw new IllegalArgumentException("activation kind must be one of RELU, LEAKY_RELU, SIGMOID, TANH, got null");
        }
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("activation alpha must be finite, got " + alpha);
        }
    }

    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);
    public static final Activation TANH = new Activation(Kind.TANH, 0f);

    public static Activation leakyRelu(float alpha) {
        return new Activation(Kind.LEAKY_RELU, alpha);
    }
}
