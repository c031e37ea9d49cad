package io.jcnn.loss;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/** Euclidean loss, Σ (prediction − target)² / (2N) over the batch of N; the target has the prediction's size. */
public final class MseLoss extends AbstractLoss {
    @Override
    public Shape targetShape(Shape predictionShape) {
        return predictionShape;
    }

    @Override
    protected void compute(Backend backend, Tensor prediction, Tensor target, Tensor loss, Tensor gradient) {
        backend.mseLoss(prediction, target, loss, gradient);
    }
}
