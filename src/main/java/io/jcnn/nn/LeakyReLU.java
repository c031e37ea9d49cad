package io.jcnn.nn;

import io.jcnn.backend.Activation;

/** x for x &gt; 0, alpha·x otherwise. */
public final class LeakyReLU extends ActivationLayer {
    /**
     * A leaky ReLU layer called {@code name} with slope {@code alpha} for negative inputs (0.01 is common).
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, or {@code alpha} is not finite
     */
    public LeakyReLU(String name, float alpha) {
        super(name, Activation.leakyRelu(alpha));
    }
}
