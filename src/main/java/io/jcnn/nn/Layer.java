package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.List;

/**
 * One step of a network. A layer speaks only to {@link Backend}: it plans once per input shape, then runs
 * forward and backward without allocating.
 *
 * <p>Lifecycle: {@link #compile} for an input shape (allocating parameters the first time, and the output and
 * input-gradient tensors for that shape), then any number of {@link #forward}/{@link #backward} pairs.
 * Compiling again for another shape re-plans and keeps the parameters. The tensors returned by forward and
 * backward belong to the layer and are overwritten by the next call.
 */
public interface Layer extends AutoCloseable {

    /** A name unique within its model, used in errors and parameter names. */
    String name();

    /**
     * Plans for {@code inputShape} on {@code backend}; on first use creates the parameters, initialised from
     * {@code seed}. Returns the output shape. Throws {@link IllegalArgumentException} naming the layer when the
     * shape does not fit.
     */
    Shape compile(Backend backend, Shape inputShape, long seed);

    /** The output shape of the last compile. */
    Shape outputShape();

    /** y = f(x). {@code training} selects batch statistics and dropout masks. The input is kept for backward. */
    Tensor forward(Tensor input, boolean training);

    /**
     * From ∂L/∂y, writes every parameter's gradient (overwriting) and returns ∂L/∂x, the gradient with respect to
     * the input of the last forward.
     */
    Tensor backward(Tensor outputGradient);

    /**
     * Whether {@link #backward} must produce ∂L/∂x (default true). A trainer turns it off for a model's first layer,
     * whose input is data: convolution and dense layers then skip their backward-data pass and {@link #backward}
     * returns {@code null}. Saliency and other input-gradient tools keep it on.
     */
    default void setInputGradientNeeded(boolean needed) {
    }

    /** Trainable parameters, in a fixed order. */
    List<Param> params();

    /**
     * Floating-point operations of one forward pass over the compiled batch, counting a multiply-add as two; 0 for
     * layers whose cost is a few operations per element (activations, pooling), which are memory-bound anyway.
     */
    default long forwardFlops() {
        return 0;
    }

    /**
     * Non-trainable state that belongs in a checkpoint (batch-norm running statistics), in a fixed order; empty for
     * most layers.
     */
    default List<Tensor> buffers() {
        return List.of();
    }

    /**
     * Restarts the layer's random stream at {@code seed}, so the next training forward draws the same masks as
     * after any other reseed with that seed (gradient checks rely on this). A no-op for deterministic layers.
     */
    default void reseed(long seed) {
    }

    /** Frees every tensor and plan the layer owns. */
    @Override
    void close();
}
