package io.jcnn.nn;

import io.jcnn.backend.Activation;

/** x for x &gt; 0, alpha·x otherwise. */
public final class LeakyReLU extends ActivationLayer {
    public LeakyReLU(String name, float alpha) {
        super(name, Activation.leakyRelu(alpha));
    }
}
