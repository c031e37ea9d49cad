package io.jcnn.backend.cpu;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.MemoryStats;
import io.jcnn.backend.OpChecks;
import io.jcnn.backend.PoolGeometry;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Objects;

/**
 * The pure-Java backend: the reference every other backend is checked against and the fallback for machines
 * without a GPU. Multithreaded with deterministic work splitting. Each op family lives in its own class; this class
 * validates, unwraps and dispatches.
 *
 * <h2>Reproducibility</h2>
 * Every op's result is a function of its inputs, the thread count, the vector width ({@link #vectorWidth()}: 256 or
 * 512 bits, fixed once per JVM) and the matrix-product kernel ({@code jcnn.cpu.gemm}); so a training run with a fixed
 * seed is reproduced bit for bit when those four are the same, on any machine and in any JIT tier. Two caveats, both
 * outside the op order: the transcendental functions ({@code Math.exp}, {@code Math.log}, {@code Math.tanh}, used by
 * softmax, the losses, sigmoid and tanh) are computed in double and may differ in the last bit between JVM builds,
 * which only rarely changes the float result; and a different thread count changes how sums are split.
 * <p>Across vector widths results agree to rounding, not bit for bit: the matrix products give the same bits at
 * both widths, but the direct filter gradient (LeNet conv1) keeps one partial sum per lane, and some algorithm
 * choices depend on the width (a Winograd panel must be filled, a row must hold a vector). Start the JVM with
 * {@code -Djcnn.cpu.vectorBits=256} on a 512-bit machine to reproduce a 256-bit machine's run exactly. Checkpoints
 * hold plain float32 values, so a run saved at one width resumes at the other.
 *
 * <p>Like a CUDA stream, a backend is driven by one thread at a time: ops share its workspace. Use one backend per
 * thread that trains or infers concurrently.
 */
public final class CpuBackend implements Backend {
    private final CpuParallel parallel;
    private long liveBytes;
    private long peakBytes;
    private long allocations;
    private long frees;
    /** Read by every op's check (OpChecks.open): volatile rather than synchronized, off the hot path's locks. */
    private volatile boolean closed;
    /** Grow-only scratch shared by all ops (im2col columns, per-thread partial sums); sized by the plans. */
    private float[] workspace = new float[0];

    /** A backend using every available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A backend running its ops on {@code threads} threads (the caller's plus {@code threads − 1} workers). Results are
     * reproducible bit for bit for a given thread count.
     *
     * @throws IllegalArgumentException if {@code threads} is below 1
     * @throws IllegalStateException if the system property {@code jcnn.cpu.gemm} names a GEMM kernel this JVM
     *     cannot run, or {@code jcnn.cpu.conv} is neither {@code auto} nor {@code gemm}
     */
    public CpuBackend(int threads) {
        // Fails here, not in the first product, when jcnn.cpu.gemm names a kernel this JVM cannot run.
        CpuGemm.selectedKernel();
        CpuConvForward.specialisedAllowed();
        this.parallel = new CpuParallel(threads);
    }

    /**
     * The vector width the CPU kernels use in this JVM, in words ("512 bits, 16 floats per vector (the CPU's
     * widest)"), or why they use none. Chosen once per JVM: the CPU's widest, or {@code -Djcnn.cpu.vectorBits=256}.
     */
    public static String vectorWidth() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "none: module jdk.incubator.vector is not loaded (start the JVM with --add-modules "
                    + "jdk.incubator.vector)";
        }
        return CpuVectorWidth.describe();
    }

    /** The number of threads the ops run on. */
    public int threads() {
        return parallel.threads();
    }

    /** Host work on a contiguous range [start, end) of items. */
    @FunctionalInterface
    public interface HostRange {
        /** Does the work for items [start, end). */
        void run(int start, int end);
    }

    /**
     * Runs host work between ops (such as preparing the next batch) on the ops' threads: {@code body} over contiguous
     * ranges that cover the items [0, n), as many as threads but no more than ⌈n / minChunk⌉, of near-equal sizes,
     * returning when all have run. The calling thread takes the first range; a failure in any range is rethrown here.
     */
    public void runOnThreads(int n, int minChunk, HostRange body) {
        Objects.requireNonNull(body, "body");
        if (isClosed()) {
            throw new IllegalStateException("CPU backend is closed");
        }
        parallel.forRange(n, minChunk, (chunk, start, end) -> body.run(start, end));
    }

    // ---- device and memory ----

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu: pure Java, " + parallel.threads() + " threads, " + System.getProperty("java.vm.name") + " "
                + Runtime.version() + ", gemm: " + CpuGemm.kernelName();
    }

    @Override
    public java.util.List<String> fallbacks() {
        String reason = CpuGemm.fallbackReason();
        return reason == null ? java.util.List.of()
                : java.util.List.of("matrix products on the portable kernel: " + reason);
    }

    @Override
    public synchronized Tensor allocate(Shape shape) {
        OpChecks.open(this, "allocate");
        CpuStorage storage = new CpuStorage(this, shape.size());
        countAllocation(4L * shape.size());
        return new Tensor(this, shape, storage);
    }

    private void countAllocation(long bytes) {
        allocations++;
        liveBytes += bytes;
        peakBytes = Math.max(peakBytes, liveBytes);
    }

    synchronized void onRelease(CpuStorage storage) {
        frees++;
        liveBytes -= 4L * storage.data.length;
    }

    /** Grows the shared workspace to at least {@code floats}; called while planning, never by an op. */
    private synchronized void reserveWorkspace(long floats) {
        if (floats > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("workspace of " + floats + " floats exceeds the CPU backend's 2^31-1 limit");
        }
        if (floats > workspace.length) {
            liveBytes -= 4L * workspace.length;
            workspace = new float[(int) floats];
            countAllocation(4L * floats);
        }
    }

    @Override
    public void upload(float[] source, Tensor target) {
        OpChecks.upload(this, source, target);
        System.arraycopy(source, 0, data(target), 0, source.length);
    }

    @Override
    public void download(Tensor source, float[] target) {
        OpChecks.download(this, source, target);
        System.arraycopy(data(source), 0, target, 0, source.size());
    }

    @Override
    public void copy(Tensor source, Tensor target) {
        OpChecks.onBackend(this, "copy", source, target);
        OpChecks.sameSize("copy", "source", source, "target", target);
        System.arraycopy(data(source), 0, data(target), 0, source.size());
    }

    @Override
    public void fill(Tensor target, float value) {
        OpChecks.onBackend(this, "fill", target);
        java.util.Arrays.fill(data(target), 0, target.size(), value);
    }

    @Override
    public void synchronize() {
        // Every CPU op completes before it returns.
    }

    @Override
    public synchronized MemoryStats memoryStats() {
        return new MemoryStats(liveBytes, peakBytes, allocations, frees);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        liveBytes -= 4L * workspace.length;
        workspace = new float[0];
        parallel.close();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    static float[] data(Tensor t) {
        return ((CpuStorage) t.storage()).data;
    }

    // ---- dense linear algebra ----

    @Override
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k,
                     float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        OpChecks.gemm(this, transposeA, transposeB, m, n, k, alpha, a, b, beta, c);
        CpuGemm.gemm(parallel, transposeA, transposeB, m, n, k, alpha,
                data(a), 0, transposeA ? m : k,
                data(b), 0, transposeB ? k : n,
                beta, data(c), 0, n);
    }

    // ---- convolution ----

    @Override
    public ConvPlan planConv2d(Shape input, Shape filter, ConvSpec spec) {
        OpChecks.open(this, "planConv2d");
        ConvGeometry geometry = ConvGeometry.of("planConv2d", input, filter, spec);
        CpuConvForward forward = CpuConvForward.choose(geometry);
        // Null where the transpose would take the GEMM route (no Vector API, -Djcnn.cpu.conv=gemm, other geometries).
        CpuTransposedBackwardData transposed = CpuTransposedBackwardData.plan(geometry);
        long floats = Math.max(CpuConvolution.workspaceFloats(geometry, parallel.threads()),
                forward.workspaceFloats(geometry, parallel.threads()));
        if (transposed != null) {
            floats = Math.max(floats, transposed.workspaceFloats(parallel.threads()));
        }
        reserveWorkspace(floats);
        return new CpuConvPlan(this, geometry, forward, transposed,
                CpuConvolution.backwardAlgorithms(geometry, parallel.threads(),
                        transposed == null ? null : transposed.describe()));
    }

    /**
     * The geometry, forward's algorithm and, where it applies, backward-data as the forward of the transpose (null
     * otherwise); the workspace is shared and reserved at planning.
     */
    private static final class CpuConvPlan extends ConvPlan {
        final CpuConvForward forward;
        /** Forward's transformed filter between calls, where it has one. */
        final CpuWinogradConvolution.FilterCache filterCache;
        final CpuTransposedBackwardData transposed;
        final String backward;

        CpuConvPlan(Backend backend, ConvGeometry geometry, CpuConvForward forward,
                    CpuTransposedBackwardData transposed, String backward) {
            super(backend, geometry);
            this.forward = forward;
            this.filterCache = forward.newFilterCache();
            this.transposed = transposed;
            this.backward = backward;
        }

        @Override
        public String algorithms() {
            return "forward by " + forward.label() + ", " + backward;
        }

        @Override
        public String toString() {
            return super.toString() + ", " + algorithms();
        }
    }

    @Override
    public void conv2dForward(ConvPlan plan, Tensor x, Tensor w, Tensor y) {
        OpChecks.conv2dForward(this, plan, x, w, y);
        CpuConvPlan p = (CpuConvPlan) plan;
        p.forward.forward(parallel, plan.geometry(), data(x), data(w), null, data(y), workspace, p.filterCache);
    }

    /** Fused where the algorithm allows: the bias is added to each output as it is stored, in the same rounding. */
    @Override
    public void conv2dForwardBias(ConvPlan plan, Tensor x, Tensor w, Tensor bias, Tensor y) {
        OpChecks.conv2dForward(this, plan, x, w, y);
        OpChecks.biasAdd(this, y, bias);
        CpuConvPlan p = (CpuConvPlan) plan;
        p.forward.forward(parallel, plan.geometry(), data(x), data(w), data(bias), data(y), workspace,
                p.filterCache);
    }

    @Override
    public void conv2dBackwardData(ConvPlan plan, Tensor dy, Tensor w, Tensor dx) {
        OpChecks.conv2dBackwardData(this, plan, dy, w, dx);
        CpuTransposedBackwardData transposed = ((CpuConvPlan) plan).transposed;
        if (transposed != null) {
            transposed.backwardData(parallel, data(dy), data(w), data(dx), workspace);
        } else {
            CpuConvolution.backwardData(parallel, plan.geometry(), data(dy), data(w), data(dx), workspace);
        }
    }

    @Override
    public void conv2dBackwardFilter(ConvPlan plan, Tensor x, Tensor dy, Tensor dw) {
        OpChecks.conv2dBackwardFilter(this, plan, x, dy, dw);
        CpuConvolution.backwardFilter(parallel, plan.geometry(), data(x), data(dy), data(dw), workspace);
    }

    @Override
    public void biasAdd(Tensor y, Tensor bias) {
        OpChecks.biasAdd(this, y, bias);
        Shape s = y.shape();
        CpuBias.add(parallel, s.batch(), s.channels(), s.spatialSize(), data(y), data(bias));
    }

    @Override
    public void biasGradient(Tensor dy, Tensor dbias) {
        OpChecks.biasGradient(this, dy, dbias);
        Shape s = dy.shape();
        CpuBias.gradient(parallel, s.batch(), s.channels(), s.spatialSize(), data(dy), data(dbias));
    }

    // ---- pooling ----

    @Override
    public PoolPlan planPool2d(Shape input, PoolSpec spec) {
        OpChecks.open(this, "planPool2d");
        return new CpuPoolPlan(this, PoolGeometry.of("planPool2d", input, spec));
    }

    private static final class CpuPoolPlan extends PoolPlan {
        CpuPoolPlan(Backend backend, PoolGeometry geometry) {
            super(backend, geometry);
        }
    }

    @Override
    public void pool2dForward(PoolPlan plan, Tensor x, Tensor y) {
        OpChecks.pool2dForward(this, plan, x, y);
        CpuPooling.forward(parallel, plan.geometry(), data(x), data(y));
    }

    @Override
    public void pool2dBackward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.pool2dBackward(this, plan, x, y, dy, dx);
        CpuPooling.backward(parallel, plan.geometry(), data(x), data(y), data(dy), data(dx), false);
    }

    @Override
    public void pool2dReluBackward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.pool2dReluBackward(this, plan, x, y, dy, dx);
        CpuPooling.backward(parallel, plan.geometry(), data(x), data(y), data(dy), data(dx), true);
    }

    // ---- activations ----

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        OpChecks.activationForward(this, activation, x, y);
        CpuActivations.forward(parallel, activation, data(x), data(y), x.size());
    }

    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.activationBackward(this, activation, x, y, dy, dx);
        CpuActivations.backward(parallel, activation, data(x), data(y), data(dy), data(dx), x.size());
    }

    // ---- softmax and losses ----

    @Override
    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        OpChecks.softmaxForward(this, x, y);
        CpuSoftmax.forward(parallel, data(x), data(y), x.shape().batch(), x.shape().sampleSize(), log);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        OpChecks.softmaxBackward(this, y, dy, dx);
        CpuSoftmax.backward(parallel, data(y), data(dy), data(dx), y.shape().batch(), y.shape().sampleSize(), log);
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor loss, Tensor dLogits) {
        OpChecks.softmaxCrossEntropy(this, logits, labels, loss, dLogits);
        CpuLosses.softmaxCrossEntropy(parallel, data(logits), data(labels), data(loss), data(dLogits),
                logits.shape().batch(), logits.shape().sampleSize());
    }

    @Override
    public void mseLoss(Tensor prediction, Tensor target, Tensor loss, Tensor dPrediction) {
        OpChecks.mseLoss(this, prediction, target, loss, dPrediction);
        CpuLosses.mse(parallel, data(prediction), data(target), data(loss), data(dPrediction),
                prediction.shape().batch(), prediction.size());
    }

    // ---- regularisation and normalisation ----

    @Override
    public void dropoutForward(Tensor x, Tensor y, float rate, long seed) {
        OpChecks.dropout(this, "dropoutForward", x, y, rate);
        CpuDropout.apply(parallel, data(x), data(y), x.size(), rate, seed);
    }

    @Override
    public void dropoutBackward(Tensor dy, Tensor dx, float rate, long seed) {
        OpChecks.dropout(this, "dropoutBackward", dy, dx, rate);
        CpuDropout.apply(parallel, data(dy), data(dx), dy.size(), rate, seed);
    }

    @Override
    public void lrnForward(LrnSpec spec, Tensor x, Tensor y) {
        OpChecks.lrn(this, "lrnForward", x, y);
        Shape s = x.shape();
        CpuLocalResponseNorm.forward(parallel, spec, s.batch(), s.channels(), s.spatialSize(), data(x), data(y));
    }

    @Override
    public void lrnBackward(LrnSpec spec, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.lrn(this, "lrnBackward", x, y, dy, dx);
        Shape s = x.shape();
        CpuLocalResponseNorm.backward(parallel, spec, s.batch(), s.channels(), s.spatialSize(),
                data(x), data(y), data(dy), data(dx));
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y,
                                         Tensor runningMean, Tensor runningVariance,
                                         Tensor savedMean, Tensor savedInvStd, float momentum, float epsilon) {
        OpChecks.batchNormForwardTraining(this, x, gamma, beta, y, runningMean, runningVariance, savedMean,
                savedInvStd, momentum, epsilon);
        Shape s = x.shape();
        CpuBatchNorm.forwardTraining(parallel, s.batch(), s.channels(), s.spatialSize(), data(x), data(gamma),
                data(beta), data(y), data(runningMean), data(runningVariance), data(savedMean), data(savedInvStd),
                momentum, epsilon);
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor y,
                                          Tensor runningMean, Tensor runningVariance, float epsilon) {
        OpChecks.batchNormForwardInference(this, x, gamma, beta, y, runningMean, runningVariance, epsilon);
        Shape s = x.shape();
        CpuBatchNorm.forwardInference(parallel, s.batch(), s.channels(), s.spatialSize(), data(x), data(gamma),
                data(beta), data(y), data(runningMean), data(runningVariance), epsilon);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInvStd,
                                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        OpChecks.batchNormBackward(this, x, dy, gamma, savedMean, savedInvStd, dx, dGamma, dBeta);
        Shape s = x.shape();
        CpuBatchNorm.backward(parallel, s.batch(), s.channels(), s.spatialSize(), data(x), data(dy), data(gamma),
                data(savedMean), data(savedInvStd), data(dx), data(dGamma), data(dBeta));
    }

    // ---- elementwise and reductions ----

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        OpChecks.onBackend(this, "axpy", x, y);
        OpChecks.sameSize("axpy", "x", x, "y", y);
        OpChecks.finite("axpy", "alpha", alpha);
        CpuElementwise.axpy(parallel, alpha, data(x), data(y), x.size());
    }

    @Override
    public void scale(Tensor x, float alpha) {
        OpChecks.onBackend(this, "scale", x);
        OpChecks.finite("scale", "alpha", alpha);
        CpuElementwise.scale(parallel, data(x), alpha, x.size());
    }

    @Override
    public double sumOfSquares(Tensor x) {
        OpChecks.onBackend(this, "sumOfSquares", x);
        return CpuElementwise.sumOfSquares(parallel, data(x), x.size());
    }

    // ---- optimizer steps ----

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum,
                        float weightDecay, boolean nesterov) {
        OpChecks.sgdStep(this, param, grad, velocity, learningRate, momentum, weightDecay);
        CpuOptimizerSteps.sgd(parallel, data(param), data(grad), data(velocity), param.size(), learningRate,
                momentum, weightDecay, nesterov);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2,
                         float epsilon, float weightDecay, int step) {
        OpChecks.adamStep(this, param, grad, m, v, learningRate, beta1, beta2, epsilon, weightDecay, step);
        CpuOptimizerSteps.adam(parallel, data(param), data(grad), data(m), data(v), param.size(), learningRate,
                beta1, beta2, epsilon, weightDecay, step);
    }

    @Override
    public String toString() {
        return description();
    }
}
