package io.jcnn.nn;

import io.jcnn.backend.Activation;
import io.jcnn.tensor.Tensor;

/**
 * Backward through a ReLU and the pooling layer that reads its output, as one backend op
 * ({@link io.jcnn.backend.Backend#pool2dReluBackward}): the pooling's input gradient goes straight to ∂L/∂(the
 * ReLU's input), with the bits of the two backward passes in turn, but without the ReLU's pass over memory (on
 * AlexNet-32, relu1's backward alone moved 50 MB a step). A model runs it where its layers allow (see
 * {@link #applies}); the pooling layer's own input gradient is then left unwritten, which is why only a model's
 * backward, which never hands that tensor out, uses it.
 */
public final class ReluPoolBackward {
    private ReluPoolBackward() {
    }

    /**
     * Whether {@code pool}'s last forward read {@code relu}'s output: a ReLU layer followed by a pooling layer, both
     * compiled on the same backend, their last forwards chained.
     */
    public static boolean applies(Layer relu, Layer pool) {
        if (!(relu instanceof ActivationLayer activation) || activation.activation().kind() != Activation.Kind.RELU
                || !(pool instanceof Pool2d pooling)) {
            return false;
        }
        Tensor between = pooling.lastInput();
        return between != null && between == activation.output() && activation.lastInput() != null
                && !activation.lastInput().isClosed();
    }

    /**
     * ∂L/∂(relu's input) from ∂L/∂(pool's output), as {@code relu.backward(pool.backward(outputGradient))} would
     * give it; null where relu's input gradient is not needed.
     *
     * @throws IllegalArgumentException if {@link #applies} is false, or outputGradient is not the pooling's output
     *     shape on its backend
     */
    public static Tensor backward(Layer relu, Layer pool, Tensor outputGradient) {
        if (!applies(relu, pool)) {
            throw new IllegalArgumentException("ReluPoolBackward: " + pool + " does not read the output of " + relu);
        }
        ActivationLayer activation = (ActivationLayer) relu;
        Pool2d pooling = (Pool2d) pool;
        pooling.checkBackward(outputGradient);
        pooling.reluBackward(outputGradient, activation.inputGradient());
        return activation.inputGradientNeeded() ? activation.inputGradient() : null;
    }
}
