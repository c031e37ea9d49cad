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

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public Tensor gradient() {
        return gradient;
    }

    public boolean decayed() {
        return decayed;
    }

    @Override
    public String toString() {
        return name + " " + value.shape();
    }
}
