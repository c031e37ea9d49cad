package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * Softmax (or log-softmax) of each batch item over its features. For training a classifier prefer
 * {@link io.jcnn.loss.SoftmaxCrossEntropyLoss} on the logits, which fuses this with the loss.
 */
public final class Softmax extends AbstractLayer {
    private final boolean log;

    /**
     * A softmax layer called {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public Softmax(String name) {
        this(name, false);
    }

    /**
     * A softmax layer called {@code name}, computing log-softmax when {@code log} is true.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public Softmax(String name, boolean log) {
        super(name);
        this.log = log;
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        if (input.rank() < 2) {
            throw reject(input, "N×F or N×C×H×W");
        }
        return input;
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        backend().softmaxForward(x, y, log);
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        backend().softmaxBackward(y, dy, dx, log);
    }

    /** Whether this layer computes log-softmax. */
    public boolean isLog() {
        return log;
    }
}
