package io.jcnn.backend.cuda;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.MemoryStats;
import io.jcnn.backend.OpChecks;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CUDA backend: tensors in device memory from a caching allocator, ops launched on the device's primary
 * context and its default stream, uploads through pinned host memory on a copy stream so the next batch goes up
 * while the current step computes. Losses and reductions finish on the host in double, in a fixed order, so runs
 * reproduce.
 *
 * <p>Tiers ({@link CudaTier}), chosen at start-up from the probe and the tier asked for ({@link TierChoice}): cuDNN
 * for convolution, pooling, activations, softmax, LRN and batch norm; cuBLAS for matrix products, which also carry
 * im2col convolution where cuDNN is absent; jcnn's PTX kernels for everything else and wherever a library is
 * missing or cannot start, so the driver alone is enough. Each op family below owns its tier dispatch;
 * {@link #implementationCounts()} records which ran. Driven by one thread at a time, any thread: every entry makes
 * the context current on the calling thread. After {@link #close()} every use is refused.
 */
public final class CudaBackend implements Backend {
    private static final System.Logger LOG = System.getLogger(CudaBackend.class.getName());
    /** Fallbacks already logged: the same missing library is reported once per JVM, not once per backend. */
    private static final Set<String> REPORTED_FALLBACKS = ConcurrentHashMap.newKeySet();

    /** {@code cudnn}, {@code cublas} or {@code kernels}: the best tier {@link #CudaBackend(int)} may use. */
    public static final String TIER_PROPERTY = "jcnn.cuda.tier";
    /** {@code true} lets cuBLAS use TF32 tensor cores: faster, about 1e-3 relative error instead of float32's. */
    public static final String TF32_PROPERTY = "jcnn.cuda.tf32";

    private final CudaTier tier;
    private final CudaContext context;
    private final CudaLibraries libraries;
    private final CudaMemory memory;
    private final CudaGemm gemm;
    private final CudaConvolution convolution;
    private final CudaPooling pooling;
    private final CudaBias bias;
    private final CudaActivations activations;
    private final CudaLosses losses;
    private final CudaNormalization normalization;
    private final CudaElementwise elementwise;
    private final CudaOptimizerSteps optimizerSteps;

    /**
     * A backend on device {@code ordinal} using the best tier that loads, up to {@value #TIER_PROPERTY} (default
     * cudnn), with TF32 as {@value #TF32_PROPERTY} says (default off).
     */
    public CudaBackend(int ordinal) {
        this(ordinal, CudaTier.of(System.getProperty(TIER_PROPERTY, CudaTier.CUDNN.label())),
                Boolean.getBoolean(TF32_PROPERTY));
    }

    /**
     * A backend on device {@code ordinal} that uses the libraries {@code tier} allows, where they load and start;
     * fails with the probe's reason where no device can be used, and releases everything it made if the device
     * cannot be set up.
     *
     * @param tf32 let cuBLAS use TF32 tensor cores for matrix products
     */
    public CudaBackend(int ordinal, CudaTier tier, boolean tf32) {
        this.tier = Objects.requireNonNull(tier, "tier");
        String reason = CudaProbe.get().deviceUnavailableReason();
        if (reason != null) {
            throw new IllegalArgumentException("device cuda is not available: " + reason);
        }
        CudaProbe.CudaDevice info = CudaProbe.get().devices().stream().filter(d -> d.ordinal() == ordinal)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no CUDA device " + ordinal + ": the"
                        + " driver reports " + CudaProbe.get().devices().size()));
        String tooOld = CudaProbe.tooOldReason(info);
        if (tooOld != null) {
            throw new IllegalArgumentException("device cuda is not available: " + tooOld);
        }
        context = new CudaContext(ordinal, info.name());
        try {
            libraries = new CudaLibraries(tier, tf32, context);
        } catch (RuntimeException | LinkageError e) {
            context.close();
            throw e;
        }
        memory = new CudaMemory(this, context);
        gemm = new CudaGemm(this, context, libraries.cublas);
        convolution = new CudaConvolution(this, context, gemm, libraries.cudnn);
        pooling = new CudaPooling(this, context, libraries.cudnn);
        bias = new CudaBias(this, context);
        activations = new CudaActivations(this, context, bias, libraries.cudnnActivations);
        losses = new CudaLosses(this, context);
        normalization = new CudaNormalization(this, context, libraries.cudnnNormalization);
        elementwise = new CudaElementwise(this, context);
        optimizerSteps = new CudaOptimizerSteps(this, context);
        LOG.log(System.Logger.Level.DEBUG, () -> "started " + description());
        for (String fallback : fallbacks()) {
            if (REPORTED_FALLBACKS.add(fallback)) {
                LOG.log(System.Logger.Level.INFO, info.name() + ": " + fallback);
            }
        }
    }

    // ---- what runs where ----

    /** The best tier this backend was allowed to use. */
    public CudaTier tier() {
        return tier;
    }

    /**
     * Which implementation runs convolution, pooling, activations, softmax, LRN and batch norm: cuDNN (with the
     * exceptions {@link #description()} lists), or jcnn's kernels, and why.
     */
    public String cudnnTier() {
        return libraries.choice().cudnnTier();
    }

    /** Whether cuDNN runs the ops it has. */
    public boolean usesCudnn() {
        return libraries.cudnn != null;
    }

    /** Which implementation runs the matrix products (dense layers and convolution): cuBLAS or jcnn's kernel. */
    public String gemmTier() {
        return libraries.choice().gemmTier();
    }

    /** Whether matrix products run on cuBLAS. */
    public boolean usesCublas() {
        return libraries.cublas != null;
    }

    /**
     * How many times each op ran on each implementation since this backend was created, keyed {@code "op on tier"}
     * (for example {@code "pool2dForward on cudnn"}): what tests and {@code --check-against-cpu} use to say which
     * implementation actually ran.
     */
    public Map<String, Long> implementationCounts() {
        return context.tally.snapshot();
    }

    /** How many times {@code op} ran on {@code implementation}. */
    public long runs(String op, CudaTier implementation) {
        return context.tally.count(op, implementation);
    }

    @Override
    public List<String> fallbacks() {
        return libraries.choice().fallbacks();
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The device context, for the collectives that work on this backend's memory and stream. */
    CudaContext context() {
        OpChecks.open(this, "context");
        return context;
    }

    @Override
    public String description() {
        return "cuda: " + context.deviceName + ", " + CudaProbe.get().driver().detail() + ", tier " + tier.label()
                + "; gemm: " + gemmTier() + "; convolution, pooling, activations, softmax, LRN, batch norm: "
                + cudnnTier() + (usesCudnn() ? " (max-pool backward, leaky ReLU and settings cuDNN lacks on jcnn "
                + "kernels)" : "") + "; losses, bias, dropout, optimizers: jcnn PTX kernels";
    }

    @Override
    public String toString() {
        return description();
    }

    // ---- memory ----

    @Override
    public Tensor allocate(Shape shape) {
        return memory.allocate(shape);
    }

    void release(CudaStorage storage) {
        memory.release(storage);
    }

    @Override
    public void upload(float[] source, Tensor target) {
        memory.upload(source, target);
    }

    @Override
    public void download(Tensor source, float[] target) {
        memory.download(source, target);
    }

    @Override
    public void copy(Tensor source, Tensor target) {
        memory.copy(source, target);
    }

    @Override
    public void fill(Tensor target, float value) {
        elementwise.fill(target, value);
    }

    @Override
    public void synchronize() {
        OpChecks.open(this, "synchronize");
        context.makeCurrent();
        context.synchronize();
    }

    /**
     * Runs {@code work} between two CUDA events on the compute stream and returns the device time between them, in
     * milliseconds, once it has finished (this synchronises): what benchmarks report beside wall time.
     */
    public double deviceMillis(Runnable work) {
        OpChecks.open(this, "deviceMillis");
        context.makeCurrent();
        return context.deviceMillis(work);
    }

    @Override
    public MemoryStats memoryStats() {
        return new MemoryStats(context.memory.liveBytes(), context.memory.peakBytes(), memory.allocations(),
                memory.frees());
    }

    /** Waits for the device, then frees everything this backend made, tensors not closed yet included. */
    @Override
    public void close() {
        context.close(libraries::close);
    }

    @Override
    public boolean isClosed() {
        return context.isClosed();
    }

    // ---- the op set, by family ----

    @Override
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                     float beta, Tensor c) {
        gemm.gemm(transposeA, transposeB, m, n, k, alpha, a, b, beta, c);
    }

    @Override
    public ConvPlan planConv2d(Shape input, Shape filter, ConvSpec spec) {
        return convolution.plan(input, filter, spec);
    }

    @Override
    public void conv2dForward(ConvPlan plan, Tensor x, Tensor w, Tensor y) {
        convolution.forward(plan, x, w, y);
    }

    @Override
    public void conv2dBackwardData(ConvPlan plan, Tensor dy, Tensor w, Tensor dx) {
        convolution.backwardData(plan, dy, w, dx);
    }

    @Override
    public void conv2dBackwardFilter(ConvPlan plan, Tensor x, Tensor dy, Tensor dw) {
        convolution.backwardFilter(plan, x, dy, dw);
    }

    /** Deferred: launched fused with the next op if that is an activation of y, else before the next op. */
    @Override
    public void biasAdd(Tensor y, Tensor bias) {
        this.bias.add(y, bias);
    }

    @Override
    public void biasGradient(Tensor dy, Tensor dbias) {
        bias.gradient(dy, dbias);
    }

    @Override
    public PoolPlan planPool2d(Shape input, PoolSpec spec) {
        return pooling.plan(input, spec);
    }

    @Override
    public void pool2dForward(PoolPlan plan, Tensor x, Tensor y) {
        pooling.forward(plan, x, y);
    }

    @Override
    public void pool2dBackward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        pooling.backward(plan, x, y, dy, dx);
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        activations.forward(activation, x, y);
    }

    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        activations.backward(activation, x, y, dy, dx);
    }

    @Override
    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        activations.softmaxForward(x, y, log);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        activations.softmaxBackward(y, dy, dx, log);
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor loss, Tensor dLogits) {
        losses.softmaxCrossEntropy(logits, labels, loss, dLogits);
    }

    @Override
    public void mseLoss(Tensor prediction, Tensor target, Tensor loss, Tensor dPrediction) {
        losses.mseLoss(prediction, target, loss, dPrediction);
    }

    @Override
    public void dropoutForward(Tensor x, Tensor y, float rate, long seed) {
        elementwise.dropout("dropoutForward", x, y, rate, seed);
    }

    @Override
    public void dropoutBackward(Tensor dy, Tensor dx, float rate, long seed) {
        elementwise.dropout("dropoutBackward", dy, dx, rate, seed);
    }

    @Override
    public void lrnForward(LrnSpec spec, Tensor x, Tensor y) {
        normalization.lrnForward(spec, x, y);
    }

    @Override
    public void lrnBackward(LrnSpec spec, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        normalization.lrnBackward(spec, x, y, dy, dx);
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor runningMean,
                                         Tensor runningVariance, Tensor savedMean, Tensor savedInvStd,
                                         float momentum, float epsilon) {
        normalization.batchNormForwardTraining(x, gamma, beta, y, runningMean, runningVariance, savedMean,
                savedInvStd, momentum, epsilon);
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor runningMean,
                                          Tensor runningVariance, float epsilon) {
        normalization.batchNormForwardInference(x, gamma, beta, y, runningMean, runningVariance, epsilon);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInvStd,
                                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        normalization.batchNormBackward(x, dy, gamma, savedMean, savedInvStd, dx, dGamma, dBeta);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        elementwise.axpy(alpha, x, y);
    }

    @Override
    public void scale(Tensor x, float alpha) {
        elementwise.scale(x, alpha);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return elementwise.sumOfSquares(x);
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum,
                        float weightDecay, boolean nesterov) {
        optimizerSteps.sgd(param, grad, velocity, learningRate, momentum, weightDecay, nesterov);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2,
                         float epsilon, float weightDecay, int step) {
        optimizerSteps.adam(param, grad, m, v, learningRate, beta1, beta2, epsilon, weightDecay, step);
    }
}
