package io.jcnn.backend;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * A device and the closed set of operations that layers, losses and optimizers need. Layers speak only to this
 * interface, so a new device means a new implementation of it and nothing else.
 *
 * <p>Contracts shared by every implementation:
 * <ul>
 *   <li>Layout is row-major, outermost dimension first: N×C×H×W images, N×F features.</li>
 *   <li>Every tensor argument must live on this backend; arguments are validated before any work, and a wrong
 *       shape, device or value raises {@link IllegalArgumentException} naming the op, the argument, what was
 *       expected and what was given.</li>
 *   <li>Outputs are overwritten (never accumulated into) unless the method says otherwise, and must not alias
 *       inputs unless the method says so.</li>
 *   <li>Operations may run asynchronously; {@link #download} and methods returning host values synchronise.</li>
 *   <li>Shape-dependent decisions (workspace sizes, algorithms) are made once, in {@code plan*} methods.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    // ---- device and memory ----

    /** Short name such as {@code cpu} or {@code cuda:0}. */
    String name();

    /** One line describing the device and how it is driven (threads, libraries). */
    String description();

    /** A new zero-filled tensor owned by the caller. */
    Tensor allocate(Shape shape);

    /** A new tensor holding {@code values} (row-major), owned by the caller. */
    default Tensor tensor(Shape shape, float... values) {
        Tensor t = allocate(shape);
        upload(values, t);
        return t;
    }

    /** Copies {@code source} (exactly {@code target.size()} floats) into {@code target}. */
    void upload(float[] source, Tensor target);

    /** Copies {@code source} into {@code target} (at least {@code source.size()} floats); synchronises. */
    void download(Tensor source, float[] target);

    /** Copies a tensor into another of the same element count on this backend. */
    void copy(Tensor source, Tensor target);

    /** Sets every element of {@code target} to {@code value}. */
    void fill(Tensor target, float value);

    /** Waits until every queued operation has finished. */
    void synchronize();

    /** Allocation counters since this backend was created. */
    MemoryStats memoryStats();

    /**
     * Where this backend runs a substitute because something it would use is missing here (one line each, saying
     * what and why), as opposed to a choice the user made. Empty when it runs as designed; strict mode refuses a
     * backend with any.
     */
    default java.util.List<String> fallbacks() {
        return java.util.List.of();
    }

    /**
     * Frees backend-wide resources (workspaces, pools, handles, device memory). Idempotent. Afterwards every op,
     * allocation and transfer is refused with an {@link IllegalStateException}; closing a tensor is still allowed.
     */
    @Override
    void close();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    // ---- dense linear algebra ----

    /**
     * C = alpha·op(A)·op(B) + beta·C with row-major, densely stored matrices: op(A) is m×k, op(B) is k×n, C is
     * m×n. A holds m·k elements (k×m when {@code transposeA}), B holds k·n, C holds m·n; shapes beyond the element
     * count do not matter. When beta is 0, C's previous contents (even NaN) are ignored.
     */
    void gemm(boolean transposeA, boolean transposeB, int m, int n, int k,
              float alpha, Tensor a, Tensor b, float beta, Tensor c);

    // ---- convolution ----

    /** Validates and plans a convolution of {@code input} N×C×H×W by {@code filter} K×(C/groups)×R×S. */
    ConvPlan planConv2d(Shape input, Shape filter, ConvSpec spec);

    /** y = x ⋆ w: x is the plan's input shape, w its filter shape, y its output shape. No bias. */
    void conv2dForward(ConvPlan plan, Tensor x, Tensor w, Tensor y);

    /**
     * y = x ⋆ w + bias, bias holding one value per output channel: {@link #conv2dForward} then {@link #biasAdd},
     * which a backend may fuse into one pass over y, with the same result.
     */
    default void conv2dForwardBias(ConvPlan plan, Tensor x, Tensor w, Tensor bias, Tensor y) {
        conv2dForward(plan, x, w, y);
        biasAdd(y, bias);
    }

    /** dx = ∂L/∂x from dy (output shape) and w. */
    void conv2dBackwardData(ConvPlan plan, Tensor dy, Tensor w, Tensor dx);

    /** dw = ∂L/∂w from x and dy. */
    void conv2dBackwardFilter(ConvPlan plan, Tensor x, Tensor dy, Tensor dw);

    /** y[n, c, …] += bias[c] in place, for y N×C×H×W or N×C; bias holds C elements. */
    void biasAdd(Tensor y, Tensor bias);

    /** dbias[c] = Σ over n, h, w of dy[n, c, h, w]; dbias holds C elements. */
    void biasGradient(Tensor dy, Tensor dbias);

    // ---- pooling ----

    /** Validates and plans pooling of {@code input} N×C×H×W. */
    PoolPlan planPool2d(Shape input, PoolSpec spec);

    /**
     * y = max or average of each window of x, per the plan's {@link PoolSpec}; x is the plan's input shape, y its
     * output shape. Average pooling divides by the full window, padding included.
     */
    void pool2dForward(PoolPlan plan, Tensor x, Tensor y);

    /**
     * dx from x, the forward output y and dy. Max pooling routes each gradient to the first maximum of its window
     * in row-major order.
     */
    void pool2dBackward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /**
     * The gradient through pooling and the ReLU that produced its input x, in one op: {@link #pool2dBackward} then
     * ReLU's {@link #activationBackward} with x as the ReLU's output (x &gt; 0 exactly where the ReLU's input was),
     * so dx is ∂L/∂(the ReLU's input). A backend may fuse the two into one pass over dx, with the same bits; this
     * default runs them one after the other, the second in place on dx.
     */
    default void pool2dReluBackward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.pool2dReluBackward(this, plan, x, y, dy, dx);
        pool2dBackward(plan, x, y, dy, dx);
        activationBackward(Activation.RELU, x, x, dx, dx);
    }

    // ---- pointwise activations ----

    /** y = f(x); x and y have the same element count. */
    void activationForward(Activation activation, Tensor x, Tensor y);

    /** dx = dy · f′(x), using x or y (y = f(x)) as the function needs. ReLU's derivative at 0 is 0. */
    void activationBackward(Activation activation, Tensor x, Tensor y, Tensor dy, Tensor dx);

    // ---- softmax and losses ----

    /** Softmax (or log-softmax) of each batch item over its C·H·W (or F) values. */
    void softmaxForward(Tensor x, Tensor y, boolean log);

    /** dx from the forward output y and dy. */
    void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log);

    /**
     * Fused softmax and cross-entropy, averaged over the batch: logits N×F, labels N class indices in [0, F)
     * stored as floats; writes the mean loss into {@code loss} (1 element) and ∂loss/∂logits = (softmax − onehot)/N
     * into {@code dLogits}.
     */
    void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor loss, Tensor dLogits);

    /**
     * Euclidean loss as in Caffe: loss = Σ (p − t)² / (2N) over all elements, N the batch; writes it into
     * {@code loss} (1 element) and ∂loss/∂p = (p − t)/N into {@code dPrediction}.
     */
    void mseLoss(Tensor prediction, Tensor target, Tensor loss, Tensor dPrediction);

    // ---- regularisation and normalisation ----

    /**
     * Inverted dropout: element i is kept when {@link io.jcnn.random.CounterRandom#uniform(long, long)
     * uniform(seed, i)} ≥ rate and then scaled by 1/(1 − rate), else zeroed. The mask is a pure function of
     * (seed, i), so every backend draws the same mask and backward needs no stored mask. rate in [0, 1).
     */
    void dropoutForward(Tensor x, Tensor y, float rate, long seed);

    /** dx = dy · mask / (1 − rate) with the mask of {@link #dropoutForward} for the same seed. */
    void dropoutBackward(Tensor dy, Tensor dx, float rate, long seed);

    /** Cross-channel LRN of x N×C×H×W into y. */
    void lrnForward(LrnSpec spec, Tensor x, Tensor y);

    /** dx from x, the forward output y and dy. */
    void lrnBackward(LrnSpec spec, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /**
     * Batch normalisation in training mode over N, H and W for each channel of x (N×C×H×W, or N×C). Normalises
     * with the batch statistics, writes the batch mean and 1/√(var+eps) into {@code savedMean}/{@code savedInvStd}
     * (C each) for backward, and updates the running statistics in place:
     * running = (1 − momentum)·running + momentum·batch, the running variance using the unbiased batch variance.
     */
    void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y,
                                  Tensor runningMean, Tensor runningVariance,
                                  Tensor savedMean, Tensor savedInvStd, float momentum, float epsilon);

    /** Batch normalisation with the running statistics: y = gamma·(x − mean)/√(var + eps) + beta. */
    void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor y,
                                   Tensor runningMean, Tensor runningVariance, float epsilon);

    /** dx, dGamma and dBeta of training-mode batch normalisation, from the values saved by its forward. */
    void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInvStd,
                           Tensor dx, Tensor dGamma, Tensor dBeta);

    // ---- elementwise and reductions ----

    /** y += alpha·x, element counts equal. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** x *= alpha in place. */
    void scale(Tensor x, float alpha);

    /** Σ x², accumulated in double; synchronises. */
    double sumOfSquares(Tensor x);

    // ---- optimizer steps (all in place) ----

    /**
     * SGD with momentum, PyTorch's convention: g = grad + weightDecay·param; velocity = momentum·velocity + g;
     * param −= lr·(g + momentum·velocity) when nesterov, else lr·velocity. With momentum 0 velocity is still
     * written.
     */
    void sgdStep(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum,
                 float weightDecay, boolean nesterov);

    /**
     * Adam with L2 weight decay folded into the gradient: g = grad + weightDecay·param; m = β1·m + (1−β1)·g;
     * v = β2·v + (1−β2)·g²; param −= lr·m̂/(√v̂ + epsilon), where m̂ = m/(1−β1^step), v̂ = v/(1−β2^step) and
     * step counts from 1.
     */
    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2,
                  float epsilon, float weightDecay, int step);
}
