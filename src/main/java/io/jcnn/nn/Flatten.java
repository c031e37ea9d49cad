package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/** N×C×H×W → N×(C·H·W); the data is copied so the output never aliases the previous layer's tensor. */
public final class Flatten extends AbstractLayer {
    /**
     * A flatten layer called {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public Flatten(String name) {
        super(name);
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        return Shape.of(input.batch(), input.sampleSize());
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        backend().copy(x, y);
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        backend().copy(dy, dx);
    }
}
