package io.jcnn.explain;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * sign(x) and clamping, which the backend's op set lacks, composed from its ReLU, fill, copy, scale and axpy ops, so
 * they run on any device without copying the data to the host. Owns scratch tensors for one shape.
 */
final class PointwiseOps implements AutoCloseable {
    private final Backend backend;
    private final Shape shape;
    private final Tensor ones;
    private final Tensor first;
    private final Tensor second;
    private final Tensor third;

    PointwiseOps(Backend backend, Shape shape) {
        this.backend = backend;
        this.shape = shape;
        this.ones = backend.allocate(shape);
        this.first = backend.allocate(shape);
        this.second = backend.allocate(shape);
        this.third = backend.allocate(shape);
        backend.fill(ones, 1f);
    }

    /** y = sign(x): 1 where x &gt; 0, −1 where x &lt; 0, 0 where x = 0; as step(x) − step(−x). y may be x. */
    void sign(Tensor x, Tensor y) {
        check(x, y);
        backend.copy(x, third);
        backend.scale(third, -1f);
        step(third, third);
        step(x, y);
        backend.axpy(-1f, third, y);
    }

    /** y = 1 where x &gt; 0, else 0: the ReLU derivative at x applied to ones. y may be x. */
    private void step(Tensor x, Tensor y) {
        backend.activationForward(Activation.RELU, x, first);
        backend.activationBackward(Activation.RELU, x, first, ones, second);
        backend.copy(second, y);
    }

    /**
     * x = min(max(x, low), high) in place, as high − relu(high − low − relu(x − low)); exact up to float rounding of
     * the two subtractions.
     */
    void clamp(Tensor x, InputRange range) {
        check(x, x);
        backend.fill(first, -range.low());
        backend.axpy(1f, x, first);                               // x − low
        backend.activationForward(Activation.RELU, first, second); // max(x − low, 0)
        backend.fill(first, range.width());
        backend.axpy(-1f, second, first);                         // high − max(x, low)
        backend.activationForward(Activation.RELU, first, second); // high − min(max(x, low), high)
        backend.fill(x, range.high());
        backend.axpy(-1f, second, x);
    }

    private void check(Tensor x, Tensor y) {
        if (!x.shape().equals(shape) || !y.shape().equals(shape)) {
            throw new IllegalArgumentException("pointwise ops planned for " + shape + ", got " + x.shape() + " and "
                    + y.shape());
        }
    }

    @Override
    public void close() {
        ones.close();
        first.close();
        second.close();
        third.close();
    }
}
