package io.jcnn.optim;

import io.jcnn.backend.Backend;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Tensor;

/**
 * Adam (Kingma and Ba) with bias correction and L2 weight decay folded into the gradient (see
 * {@link Backend#adamStep}): g = grad + weightDecay·param; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * param −= lr·m̂/(√v̂ + ε) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), t the step counting from 1. Weight decay applies
 * only to params whose {@link Param#decayed()} is true. Two state tensors per param (m, then v), allocated by
 * {@link #compile}.
 */
public final class Adam extends StatefulOptimizer {
    private static final String NAME = "Adam";

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;

    /** Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8 and no weight decay. */
    public Adam(float learningRate) {
        this(learningRate, 0.9f, 0.999f, 1e-8f, 0f);
    }

    /**
     * @param learningRate finite, ≥ 0
     * @param beta1        decay of the first moment, in [0, 1)
     * @param beta2        decay of the second moment, in [0, 1)
     * @param epsilon      added to √v̂, finite, &gt; 0
     * @param weightDecay  L2 coefficient, finite, ≥ 0
     */
    public Adam(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) {
        super(NAME, 2, learningRate);
        this.beta1 = checkUnitInterval(NAME, "beta1", beta1);
        this.beta2 = checkUnitInterval(NAME, "beta2", beta2);
        if (!(epsilon > 0f) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException(NAME + ": epsilon must be finite and > 0, got " + epsilon);
        }
        this.epsilon = epsilon;
        this.weightDecay = checkWeightDecay(NAME, weightDecay);
    }

    /** A new, uncompiled optimizer like this one with other moment decays. */
    public Adam withBetas(float beta1, float beta2) {
        return new Adam(learningRate(), beta1, beta2, epsilon, weightDecay);
    }

    /** A new, uncompiled optimizer like this one with another epsilon. */
    public Adam withEpsilon(float epsilon) {
        return new Adam(learningRate(), beta1, beta2, epsilon, weightDecay);
    }

    /** A new, uncompiled optimizer like this one with another weight decay. */
    public Adam withWeightDecay(float weightDecay) {
        return new Adam(learningRate(), beta1, beta2, epsilon, weightDecay);
    }

    /** Decay rate of the first-moment average. */
    public float beta1() {
        return beta1;
    }

    /** Decay rate of the second-moment average. */
    public float beta2() {
        return beta2;
    }

    /** Added to √v̂ to keep the step finite. */
    public float epsilon() {
        return epsilon;
    }

    /** The L2 coefficient applied to decayed params. */
    public float weightDecay() {
        return weightDecay;
    }

    @Override
    void update(Backend backend, Param param, Tensor[] state, int first, float learningRate, int step) {
        backend.adamStep(param.value(), param.gradient(), state[first], state[first + 1], learningRate, beta1, beta2,
                epsilon, param.decayed() ? weightDecay : 0f, step);
    }

    @Override
    public String toString() {
        return NAME + "(lr=" + learningRate() + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon
                + ", weightDecay=" + weightDecay + ")";
    }
}
