package io.jcnn.nn;

import io.jcnn.backend.Activation;

/** The hyperbolic tangent. */
public final class Tanh extends ActivationLayer {
    /**
     * A tanh layer called {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public Tanh(String name) {
        super(name, Activation.TANH);
    }
}
