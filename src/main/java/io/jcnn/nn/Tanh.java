package io.jcnn.nn;

import io.jcnn.backend.Activation;

/** the hyperbolic tangent. */
public final class Tanh extends ActivationLayer {
    public Tanh(String name) {
        super(name, Activation.TANH);
    }
}
