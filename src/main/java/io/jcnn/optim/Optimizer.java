package io.jcnn.optim;

import io.jcnn.backend.Backend;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Tensor;
import java.util.List;

/**
 * Updates parameters from their gradients. {@link #compile} allocates every state tensor once; {@link #step}
 * then updates in place through the backend and allocates nothing.
 */
public interface Optimizer extends AutoCloseable {

    /** Allocates state (velocity, moments) for {@code params} on {@code backend}, zero-initialised. */
    void compile(Backend backend, List<Param> params);

    /** One update of every parameter with the current learning rate. */
    void step();

    /** The rate the next {@link #step} uses. */
    float learningRate();

    /** Sets the rate for the following steps (schedules call this). Must be finite and non-negative. */
    void setLearningRate(float learningRate);

    /** Number of steps taken so far. */
    int steps();

    /**
     * Sets the step count when resuming from a checkpoint, together with the {@link #state()} tensors, so bias
     * corrections and schedules continue where they stopped. Must be compiled; {@code steps} >= 0.
     */
    void restoreSteps(int steps);

    /** The state tensors, in parameter order, for checkpoints. */
    List<Tensor> state();

    /** Frees the state tensors. */
    @Override
    void close();
}
