package io.jcnn.model;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A zoo model: its name, what it is, and the input it was designed for. Layers infer their input sizes when
 * compiled, so a model also runs on other sizes where its layers allow (LeNet on 3×32×32 CIFAR-10 images, say).
 *
 * @param name        the name {@link Models#byName} knows it by
 * @param description one line
 * @param channels    intended input channels
 * @param height      intended input height
 * @param width       intended input width
 * @param factory     builds a new, uncompiled instance
 */
public record ModelSpec(String name, String description, int channels, int height, int width,
                        Supplier<Sequential> factory) {

    /**
     * Checks that the name and factory are present.
     *
     * @throws NullPointerException if {@code name} or {@code factory} is null
     */
    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(factory, "factory");
    }

    /** A new, uncompiled instance. */
    public Sequential create() {
        return factory.get();
    }
}
