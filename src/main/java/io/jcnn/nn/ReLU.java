package io.jcnn.nn;

import io.jcnn.backend.Activation;

/** max(0, x); its derivative at 0 is taken as 0. */
public final class ReLU extends ActivationLayer {
    /**
     * A ReLU layer called {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public ReLU(String name) {
        super(name, Activation.RELU);
    }
}
