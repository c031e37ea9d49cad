package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.List;

/**
 * Batch normalisation per channel of N×C×H×W (or N×C) input, with learnable scale gamma (initially 1) and shift
 * beta (initially 0). Training normalises with batch statistics and updates running statistics
 * (running = (1 − momentum)·running + momentum·batch); inference uses the running statistics.
 *
 * <p>After an inference-mode forward, backward gives the input gradient with the statistics frozen
 * (dx = dy·gamma/√(running var + eps)) and sets the parameter gradients to zero: the network is being explained,
 * not trained.
 */
public final class BatchNorm2d extends AbstractLayer {
    private final float momentum;
    private final float epsilon;
    private Param gamma;
    private Param beta;
    private Tensor runningMean;
    private Tensor runningVariance;
    private Tensor savedMean;
    private Tensor savedInvStd;
    private Tensor zeros;
    private boolean lastTraining;

    /** Momentum 0.1 and epsilon 1e-5, PyTorch's defaults. */
    public BatchNorm2d(String name) {
        this(name, 0.1f, 1e-5f);
    }

    /**
     * A batch-norm layer called {@code name}; {@code momentum} weighs the batch statistics in the running ones, and
     * {@code epsilon} is added to the variance before its square root.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, {@code momentum} is not in [0, 1], or
     *     {@code epsilon} is not positive and finite
     */
    public BatchNorm2d(String name, float momentum, float epsilon) {
        super(name);
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("BatchNorm2d '" + name + "': momentum must be in [0, 1], got " + momentum);
        }
        if (!(epsilon > 0f) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException("BatchNorm2d '" + name + "': epsilon must be positive, got " + epsilon);
        }
        this.momentum = momentum;
        this.epsilon = epsilon;
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        if (input.rank() != 4 && input.rank() != 2) {
            throw reject(input, "N×C×H×W or N×C");
        }
        if (gamma != null && gamma.value().size() != input.channels()) {
            throw reject(input, gamma.value().size() + " channels, as when first compiled");
        }
        return input;
    }

    @Override
    protected void createParams(Backend backend, long seed) {
        Shape perChannel = Shape.of(inputShape().channels());
        gamma = addParam("gamma", Parameters.filled(backend, perChannel, 1f), false);
        beta = addParam("beta", Parameters.filled(backend, perChannel, 0f), false);
        runningMean = addState(Parameters.filled(backend, perChannel, 0f));
        runningVariance = addState(Parameters.filled(backend, perChannel, 1f));
        savedMean = addState(backend.allocate(perChannel));
        savedInvStd = addState(backend.allocate(perChannel));
        zeros = addState(backend.allocate(perChannel));
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        lastTraining = training;
        if (training) {
            backend().batchNormForwardTraining(x, gamma.value(), beta.value(), y, runningMean, runningVariance,
                    savedMean, savedInvStd, momentum, epsilon);
        } else {
            backend().batchNormForwardInference(x, gamma.value(), beta.value(), y, runningMean, runningVariance,
                    epsilon);
        }
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        Backend b = backend();
        if (lastTraining) {
            b.batchNormBackward(x, dy, gamma.value(), savedMean, savedInvStd, dx, gamma.gradient(), beta.gradient());
        } else {
            // Frozen statistics make the layer affine per channel; "normalising" dy with mean 0 and shift 0
            // computes exactly dy·gamma/√(var + eps).
            b.batchNormForwardInference(dy, gamma.value(), zeros, dx, zeros, runningVariance, epsilon);
            b.fill(gamma.gradient(), 0f);
            b.fill(beta.gradient(), 0f);
        }
    }

    /** The learnable scale, one per channel (null before compiling). */
    public Param gamma() {
        return gamma;
    }

    /** The learnable shift, one per channel (null before compiling). */
    public Param beta() {
        return beta;
    }

    /** The weight of a batch's statistics in the running ones. */
    public float momentum() {
        return momentum;
    }

    /** The value added to the variance before its square root. */
    public float epsilon() {
        return epsilon;
    }

    /** Running mean and variance, for checkpoints. */
    @Override
    public List<Tensor> buffers() {
        return List.of(runningMean, runningVariance);
    }
}
