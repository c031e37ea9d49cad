package io.jcnn.loss;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * Softmax followed by cross-entropy, fused for numerical stability, averaged over the batch. Prediction: logits
 * N×F (or N×C×1×1). Target: N class indices in [0, F), stored as floats.
 */
public final class SoftmaxCrossEntropyLoss extends AbstractLoss {
    @Override
    public Shape targetShape(Shape predictionShape) {
        if (predictionShape.rank() < 2) {
            throw new IllegalArgumentException("SoftmaxCrossEntropyLoss: expected logits N×F, got " + predictionShape);
        }
        return Shape.of(predictionShape.batch());
    }

    @Override
    protected void compute(Backend backend, Tensor prediction, Tensor target, Tensor loss, Tensor gradient) {
        backend.softmaxCrossEntropy(prediction, target, loss, gradient);
    }
}
