package io.jcnn.nn;

import io.jcnn.tensor.Tensor;

/**
 * A trainable parameter: its value and the gradient the last backward pass wrote, both owned by the layer.
 * {@code decayed} says whether optimizers apply weight decay to it (weights yes; biases and normalisation
 * scales no).
 */
public final class Param {
    private final String name;
    private final Tensor value;
    private final Tensor gradient;
    private final boolean decayed;

    /**
     * A parameter called {@code name} (by convention {@code layer.param}) with its value and gradient tensors, which
     * the caller keeps owning.
     *
     * @throws IllegalArgumentException if the gradient's shape differs from the value's
     */
    public Param(String name, Tensor value, Tensor gradient, boolean decayed) {
        if (!value.shape().equals(gradient.shape())) {
            throw new IllegalArgumentException("param " + name + ": gradient " + gradient.shape()
                    + " must have the value's shape " + value.shape());
        }
        this.name = name;
        this.value = value;
        this.gradient = gradient;
        this.decayed = decayed;
    }

    /** The parameter's name, such as {@code conv1.weight}; checkpoints store parameters under it. */
    public String name() {
        return name;
    }

    /** The current value, which optimizers update in place. */
    public Tensor value() {
        return value;
    }

    /** ∂L/∂value as the last backward pass wrote it (overwritten, not accumulated), shaped like the value. */
    public Tensor gradient() {
        return gradient;
    }

    /** Whether optimizers apply weight decay to this parameter. */
    public boolean decayed() {
        return decayed;
    }

    @Override
    public String toString() {
        return name + " " + value.shape();
    }
}
