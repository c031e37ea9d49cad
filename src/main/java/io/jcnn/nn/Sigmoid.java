package io.jcnn.nn;

import io.jcnn.backend.Activation;

/** 1 / (1 + e^−x). */
public final class Sigmoid extends ActivationLayer {
    public Sigmoid(String name) {
        super(name, Activation.SIGMOID);
    }
}
