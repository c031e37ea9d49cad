package io.jcnn.nn;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/** A pointwise activation of any shape; the common body of {@link ReLU}, {@link LeakyReLU}, {@link Sigmoid}, {@link Tanh}. */
public abstract class ActivationLayer extends AbstractLayer {
    private final Activation activation;

    /**
     * A layer called {@code name} applying {@code activation} elementwise.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    protected ActivationLayer(String name, Activation activation) {
        super(name);
        if (activation == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name + "': activation must not be null");
        }
        this.activation = activation;
    }

    /** The function this layer applies. */
    public Activation activation() {
        return activation;
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        return input;
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        backend().activationForward(activation, x, y);
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        backend().activationBackward(activation, x, y, dy, dx);
    }
}
