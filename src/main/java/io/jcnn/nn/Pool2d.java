package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/** Shared body of {@link MaxPool2d} and {@link AvgPool2d}: N×C×H×W → N×C×P×Q, no parameters. */
abstract class Pool2d extends AbstractLayer {
    private final PoolSpec spec;
    private PoolPlan plan;

    Pool2d(String name, PoolSpec spec) {
        super(name);
        this.spec = spec;
    }

    /** The kernel, stride and padding of this layer. */
    public PoolSpec spec() {
        return spec;
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        if (input.rank() != 4) {
            throw reject(input, "N×C×H×W");
        }
        try {
            plan = backend.planPool2d(input, spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
        return plan.geometry().output();
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        backend().pool2dForward(plan, x, y);
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        backend().pool2dBackward(plan, x, y, dy, dx);
    }

    /** ∂L/∂(the ReLU's input) into {@code reluInputGradient}, for {@link ReluPoolBackward}: checks already done. */
    void reluBackward(Tensor dy, Tensor reluInputGradient) {
        backend().pool2dReluBackward(plan, lastInput(), output(), dy, reluInputGradient);
    }

    @Override
    protected void releasePlan() {
        if (plan != null) {
            plan.close();
            plan = null;
        }
    }
}
