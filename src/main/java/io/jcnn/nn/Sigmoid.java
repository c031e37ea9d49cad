package io.jcnn.nn;

import io.jcnn.backend.Activation;

/** 1 / (1 + e^−x). */
public final class Sigmoid extends ActivationLayer {
    /**
     * A sigmoid layer called {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public Sigmoid(String name) {
        super(name, Activation.SIGMOID);
    }
}
