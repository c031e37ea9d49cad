package io.jcnn.examples;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.nn.AbstractLayer;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * y = max(0, x) + shift[c]: a ReLU with a learnable per-channel shift; the "adding a layer" example of
 * docs/library.md.
 */
public final class ShiftedReLU extends AbstractLayer {
    private Param shift;

    public ShiftedReLU(String name) {
        super(name);
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        if (input.rank() != 4) {
            throw reject(input, "N×C×H×W");
        }
        return input;
    }

    @Override
    protected void createParams(Backend backend, long seed) {
        shift = addParam("shift", backend.allocate(Shape.of(inputShape().channels())), false);
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        backend().activationForward(Activation.RELU, x, y);
        backend().biasAdd(y, shift.value());
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        backend().biasGradient(dy, shift.gradient());
        backend().activationBackward(Activation.RELU, x, y, dy, dx); // ReLU′ from x; y is shifted
    }
}
