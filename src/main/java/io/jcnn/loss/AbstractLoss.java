package io.jcnn.loss;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/** Shared bookkeeping of losses: owned value and gradient tensors, argument checks, the non-finite check. */
abstract class AbstractLoss implements Loss {
    private final float[] value = new float[1];
    private Backend backend;
    private Shape predictionShape;
    private Tensor loss;
    private Tensor gradient;

    @Override
    public final void compile(Backend target, Shape shape) {
        if (target == backend && shape.equals(predictionShape)) {
            return;
        }
        close();
        targetShape(shape); // validates the prediction shape
        backend = target;
        predictionShape = shape;
        loss = target.allocate(Shape.of(1));
        gradient = target.allocate(shape);
    }

    @Override
    public final float compute(Tensor prediction, Tensor target) {
        String name = getClass().getSimpleName();
        if (backend == null) {
            throw new IllegalStateException(name + ": compute before compile");
        }
        if (prediction == null || target == null) {
            throw new IllegalArgumentException(name + ": prediction and target must not be null");
        }
        if (!prediction.shape().equals(predictionShape)) {
            throw new IllegalArgumentException(name + ": expected prediction " + predictionShape + ", got "
                    + prediction.shape());
        }
        Shape expectedTarget = targetShape(predictionShape);
        if (target.size() != expectedTarget.size()) {
            throw new IllegalArgumentException(name + ": expected target " + expectedTarget + ", got " + target.shape());
        }
        compute(backend, prediction, target, loss, gradient);
        backend.download(loss, value);
        if (!Float.isFinite(value[0])) {
            throw new ArithmeticException(name + ": loss is " + value[0] + ", expected a finite value"
                    + " (diverged training: lower the learning rate, or check the inputs for NaN)");
        }
        return value[0];
    }

    /** Writes the loss (1 element) and the gradient. */
    protected abstract void compute(Backend backend, Tensor prediction, Tensor target, Tensor loss, Tensor gradient);

    @Override
    public final Tensor gradient() {
        if (gradient == null) {
            throw new IllegalStateException(getClass().getSimpleName() + ": gradient before compile");
        }
        return gradient;
    }

    @Override
    public final void close() {
        if (loss != null) {
            loss.close();
            gradient.close();
        }
        loss = null;
        gradient = null;
        backend = null;
        predictionShape = null;
    }
}
