package io.jcnn.optim;

import io.jcnn.backend.Backend;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, following PyTorch's
 * convention (see {@link Backend#sgdStep}): g = grad + weightDecay·param; velocity = momentum·velocity + g;
 * param −= lr·velocity, or lr·(g + momentum·velocity) with Nesterov. Weight decay applies only to params whose
 * {@link Param#decayed()} is true. One velocity tensor per param, allocated by {@link #compile}.
 *
 * <pre>{@code
 * Optimizer sgd = new Sgd(0.01f).withMomentum(0.9f).withNesterov(true).withWeightDecay(5e-4f);
 * }</pre>
 */
public final class Sgd extends StatefulOptimizer {
    private static final String NAME = "Sgd";

    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;

    /** Plain SGD: no momentum, no weight decay. */
    public Sgd(float learningRate) {
        this(learningRate, 0f, false, 0f);
    }

    /**
     * @param learningRate finite, ≥ 0
     * @param momentum     in [0, 1)
     * @param nesterov     use Nesterov momentum (with momentum 0 it is plain SGD)
     * @param weightDecay  L2 coefficient, finite, ≥ 0
     */
    public Sgd(float learningRate, float momentum, boolean nesterov, float weightDecay) {
        super(NAME, 1, learningRate);
        this.momentum = checkUnitInterval(NAME, "momentum", momentum);
        this.nesterov = nesterov;
        this.weightDecay = checkWeightDecay(NAME, weightDecay);
    }

    /** A new, uncompiled optimizer like this one with another momentum. */
    public Sgd withMomentum(float momentum) {
        return new Sgd(learningRate(), momentum, nesterov, weightDecay);
    }

    /** A new, uncompiled optimizer like this one with Nesterov momentum on or off. */
    public Sgd withNesterov(boolean nesterov) {
        return new Sgd(learningRate(), momentum, nesterov, weightDecay);
    }

    /** A new, uncompiled optimizer like this one with another weight decay. */
    public Sgd withWeightDecay(float weightDecay) {
        return new Sgd(learningRate(), momentum, nesterov, weightDecay);
    }

    /** The momentum coefficient, in [0, 1). */
    public float momentum() {
        return momentum;
    }

    /** Whether the update uses Nesterov momentum. */
    public boolean nesterov() {
        return nesterov;
    }

    /** The L2 coefficient applied to decayed params. */
    public float weightDecay() {
        return weightDecay;
    }

    @Override
    void update(Backend backend, Param param, Tensor[] state, int first, float learningRate, int step) {
        backend.sgdStep(param.value(), param.gradient(), state[first], learningRate, momentum,
                param.decayed() ? weightDecay : 0f, nesterov);
    }

    @Override
    public String toString() {
        return NAME + "(lr=" + learningRate() + ", momentum=" + momentum + ", nesterov=" + nesterov
                + ", weightDecay=" + weightDecay + ")";
    }
}
