package io.jcnn.loss;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * A scalar training objective and its gradient with respect to the prediction. Compiled once per prediction
 * shape; {@link #compute} then allocates nothing.
 */
public interface Loss extends AutoCloseable {

    /** Allocates the loss value and gradient tensors for predictions of {@code predictionShape}. */
    void compile(Backend backend, Shape predictionShape);

    /** The shape {@link #compute} expects its target to have for predictions of {@code predictionShape}. */
    Shape targetShape(Shape predictionShape);

    /**
     * The loss of {@code prediction} against {@code target}, also writing {@link #gradient()}. Synchronises to read
     * the value; a NaN or infinite loss raises {@link ArithmeticException} naming the loss and the value.
     */
    float compute(Tensor prediction, Tensor target);

    /** ∂loss/∂prediction from the last {@link #compute}, owned by the loss. */
    Tensor gradient();

    @Override
    void close();
}
