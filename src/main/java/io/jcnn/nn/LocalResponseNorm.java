package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.backend.LrnSpec;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/** Cross-channel local response normalisation, as in AlexNet. */
public final class LocalResponseNorm extends AbstractLayer {
    private final LrnSpec spec;

    /**
     * An LRN layer called {@code name} with the window and constants of {@code spec}.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, or {@code spec} is null
     */
    public LocalResponseNorm(String name, LrnSpec spec) {
        super(name);
        if (spec == null) {
            throw new IllegalArgumentException("LocalResponseNorm '" + name + "' needs an LrnSpec, got null");
        }
        this.spec = spec;
    }

    /** The window size and constants of this layer. */
    public LrnSpec spec() {
        return spec;
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        if (input.rank() != 4) {
            throw reject(input, "N×C×H×W");
        }
        return input;
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        backend().lrnForward(spec, x, y);
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        backend().lrnBackward(spec, x, y, dy, dx);
    }
}
