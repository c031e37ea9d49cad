package io.jcnn.backend.cuda;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.MemoryStats;
import io.jcnn.backend.OpChecks;
import io.jcnn.backend.PoolGeometry;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA backend: tensors in device memory from a {@link CachingAllocator}, ops launched on the device's primary
 * context and its default stream, uploads through pinned host memory on a copy stream ({@link PinnedUploads}) so the
 * next batch goes up while the current step computes. Losses and reductions finish on the host in double, in a fixed
 * order, so runs reproduce.
 *
 * <p>Tiers ({@link CudaTier}), chosen at start-up from the probe and the tier asked for: cuDNN ({@link Cudnn}) for
 * convolution, pooling, activations, softmax, LRN and batch norm; cuBLAS ({@link CublasGemm}) for matrix products,
 * which also carry im2col convolution where cuDNN is absent; jcnn's PTX kernels for everything else and wherever a
 * library is missing, so the driver alone is enough. A bias add is deferred, so that when the next op is the
 * activation of its output both run as one kernel. {@link #implementationCounts()} records which ran. Like the CPU
 * backend it is driven by one thread at a time.
 */
public final class CudaBackend implements Backend {
    private static final System.Logger LOG = System.getLogger(CudaBackend.class.getName());
    /** Fallbacks already logged: the same missing library is reported once per JVM, not once per backend. */
    private static final Set<String> REPORTED_FALLBACKS = ConcurrentHashMap.newKeySet();
    private static final int THREADS = 256;
    /** Grid size cap for grid-stride kernels, and the fixed grid of the reductions (their partial count). */
    private static final int MAX_BLOCKS = 4096;
    private static final int REDUCTION_BLOCKS = 256;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final String deviceName;
    private final CudaTier tier;
    private final LoadedKernels kernels;
    private final CachingAllocator<CUdeviceptr> memory;
    private final PinnedUploads uploads;
    /** The cuBLAS tier for matrix products, or null: jcnn's SGEMM kernel then (see {@link #gemmTier()}). */
    private final CublasGemm cublas;
    private final String gemmTier;
    /** The cuDNN handle and its ops, or all null: jcnn's kernels then (see {@link #cudnnTier()}). */
    private final Cudnn cudnn;
    private final CudnnActivations cudnnActivations;
    private final CudnnNormalization cudnnNormalization;
    private final String cudnnTier;
    private final OpTally tally = new OpTally();
    private long allocations;
    private long frees;
    private boolean closed;
    /**
     * A bias add not launched yet ({@link #biasAdd}): the activation that reads its output next runs fused with it
     * (one pass instead of two); anything else that touches device memory launches it first.
     */
    private DeferredBias deferredBias;

    private record DeferredBias(Tensor target, Tensor bias) {
    }
    /** The events of {@link #deviceMillis}, created on first use. */
    private jcuda.driver.CUevent timerStart;
    private jcuda.driver.CUevent timerStop;

    /** {@code cudnn}, {@code cublas} or {@code kernels}: the best tier {@link #CudaBackend(int)} may use. */
    public static final String TIER_PROPERTY = "jcnn.cuda.tier";
    /** {@code true} lets cuBLAS use TF32 tensor cores: faster, about 1e-3 relative error instead of float32's. */
    public static final String TF32_PROPERTY = "jcnn.cuda.tf32";

    /**
     * A backend on device {@code ordinal} using the best tier that loads, up to {@value #TIER_PROPERTY} (default
     * cudnn), with TF32 as {@value #TF32_PROPERTY} says (default off).
     */
    public CudaBackend(int ordinal) {
        this(ordinal, CudaTier.of(System.getProperty(TIER_PROPERTY, CudaTier.CUDNN.label())),
                Boolean.getBoolean(TF32_PROPERTY));
    }

    /**
     * A backend on device {@code ordinal} that uses the libraries {@code tier} allows, where they load; fails with
     * the probe's reason where no device can be used.
     *
     * @param tf32 let cuBLAS use TF32 tensor cores for matrix products
     */
    public CudaBackend(int ordinal, CudaTier tier, boolean tf32) {
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
        this.tier = java.util.Objects.requireNonNull(tier, "tier");
        deviceName = info.name();
        CudaException.check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet", "device " + ordinal);
        CudaException.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain",
                deviceName);
        try {
            makeCurrent();
            kernels = new LoadedKernels();
        } catch (RuntimeException e) {
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            throw e;
        }
        memory = new CachingAllocator<>(new DriverMemory());
        uploads = new PinnedUploads();
        CudaProbe.Component blas = CudaProbe.get().cublas();
        if (!tier.allows(CudaTier.CUBLAS)) {
            cublas = null;
            gemmTier = "jcnn SGEMM kernel (tier " + tier.label() + ")";
        } else if (!blas.loaded()) {
            cublas = null;
            gemmTier = "jcnn SGEMM kernel (" + blas.detail() + ")";
        } else {
            cublas = new CublasGemm(tf32);
            gemmTier = blas.detail() + (cublas.tf32() ? " with TF32 tensor cores" : "");
        }
        CudaProbe.Component dnn = CudaProbe.get().cudnn();
        if (!tier.allows(CudaTier.CUDNN)) {
            cudnn = null;
            cudnnTier = "jcnn kernels (tier " + tier.label() + ")";
        } else if (!dnn.loaded()) {
            cudnn = null;
            cudnnTier = "jcnn kernels (" + dnn.detail() + ")";
        } else {
            cudnn = new Cudnn(memory);
            cudnnTier = dnn.detail() + ", deterministic algorithms";
        }
        cudnnActivations = cudnn == null ? null : new CudnnActivations(cudnn);
        cudnnNormalization = cudnn == null ? null : new CudnnNormalization(cudnn);
        LOG.log(System.Logger.Level.DEBUG, () -> "started " + description());
        for (String fallback : fallbacks()) {
            if (REPORTED_FALLBACKS.add(fallback)) {
                LOG.log(System.Logger.Level.INFO, deviceName + ": " + fallback);
            }
        }
    }

    /** The best tier this backend was allowed to use. */
    public CudaTier tier() {
        return tier;
    }

    /**
     * Which implementation runs convolution, pooling, activations, softmax, LRN and batch norm: cuDNN (with the
     * exceptions {@link #description()} lists), or jcnn's kernels, and why.
     */
    public String cudnnTier() {
        return cudnnTier;
    }

    /** Whether cuDNN runs the ops it has. */
    public boolean usesCudnn() {
        return cudnn != null;
    }

    /** Which implementation runs the matrix products (dense layers and convolution): cuBLAS or jcnn's kernel. */
    public String gemmTier() {
        return gemmTier;
    }

    /** Whether matrix products run on cuBLAS. */
    public boolean usesCublas() {
        return cublas != null;
    }

    /**
     * How many times each op ran on each implementation since this backend was created, keyed {@code "op on tier"}
     * (for example {@code "pool2dForward on cudnn"}): what tests and {@code --check-against-cpu} use to say which
     * implementation actually ran.
     */
    public java.util.Map<String, Long> implementationCounts() {
        return tally.snapshot();
    }

    /** How many times {@code op} ran on {@code implementation}. */
    public long runs(String op, CudaTier implementation) {
        return tally.count(op, implementation);
    }

    @Override
    public java.util.List<String> fallbacks() {
        java.util.List<String> fallbacks = new java.util.ArrayList<>();
        if (tier.allows(CudaTier.CUBLAS) && !CudaProbe.get().cublas().loaded()) {
            fallbacks.add("matrix products on jcnn's SGEMM kernel: " + CudaProbe.get().cublas().detail());
        }
        if (tier.allows(CudaTier.CUDNN) && !CudaProbe.get().cudnn().loaded()) {
            fallbacks.add("convolution, pooling, activations, softmax, LRN and batch norm on jcnn's kernels: "
                    + CudaProbe.get().cudnn().detail());
        }
        return java.util.List.copyOf(fallbacks);
    }

    private void makeCurrent() {
        CudaException.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent", deviceName);
    }

    // ---- device and memory ----

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        CudaProbe probe = CudaProbe.get();
        return "cuda: " + deviceName + ", " + probe.driver().detail() + ", tier " + tier.label() + "; gemm: "
                + gemmTier + "; convolution, pooling, activations, softmax, LRN, batch norm: " + cudnnTier
                + (cudnn != null ? " (max-pool backward, leaky ReLU and settings cuDNN lacks on jcnn kernels)" : "")
                + "; losses, bias, dropout, optimizers: jcnn PTX kernels";
    }

    @Override
    public Tensor allocate(Shape shape) {
        makeCurrent();
        CUdeviceptr pointer = memory.allocate(4L * Math.max(1, shape.size()));
        CudaException.check(JCudaDriver.cuMemsetD32(pointer, 0, Math.max(1, shape.size())), "cuMemsetD32",
                "zeroing " + shape);
        allocations++;
        return new Tensor(this, shape, new CudaStorage(this, pointer, shape.size()));
    }

    void release(CudaStorage storage) {
        frees++;
        flushDeferredBias();
        // A block still being uploaded into must not be handed out (and zeroed) before that copy lands.
        awaitUpload(storage);
        memory.release(storage.pointer);
    }

    @Override
    public void upload(float[] source, Tensor target) {
        OpChecks.upload(this, source, target);
        makeCurrent();
        flushDeferredBias();
        uploads.upload(source, (CudaStorage) target.storage(), target.shape().toString());
    }

    @Override
    public void download(Tensor source, float[] target) {
        OpChecks.download(this, source, target);
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(target), ptr(source), 4L * source.size()),
                "cuMemcpyDtoH", "download of " + source.shape());
    }

    @Override
    public void copy(Tensor source, Tensor target) {
        OpChecks.onBackend(this, "copy", source, target);
        OpChecks.sameSize("copy", "source", source, "target", target);
        CudaException.check(JCudaDriver.cuMemcpyDtoD(ptr(target), ptr(source), 4L * source.size()), "cuMemcpyDtoD",
                "copy of " + source.shape());
    }

    @Override
    public void fill(Tensor target, float value) {
        OpChecks.onBackend(this, "fill", target);
        launch1d(CudaKernel.FILL, target.size(), ints(target.size()), floats(value), Pointer.to(ptr(target)));
    }

    /**
     * Runs {@code work} between two CUDA events on the compute stream and returns the device time between them, in
     * milliseconds, once it has finished (this synchronises): what benchmarks report beside wall time.
     */
    public double deviceMillis(Runnable work) {
        makeCurrent();
        if (timerStart == null) {
            timerStart = new jcuda.driver.CUevent();
            timerStop = new jcuda.driver.CUevent();
            CudaException.check(JCudaDriver.cuEventCreate(timerStart, 0), "cuEventCreate", "device timer");
            CudaException.check(JCudaDriver.cuEventCreate(timerStop, 0), "cuEventCreate", "device timer");
        }
        CudaException.check(JCudaDriver.cuEventRecord(timerStart, null), "cuEventRecord", "device timer");
        work.run();
        flushDeferredBias();
        CudaException.check(JCudaDriver.cuEventRecord(timerStop, null), "cuEventRecord", "device timer");
        CudaException.check(JCudaDriver.cuEventSynchronize(timerStop), "cuEventSynchronize", "device timer");
        float[] millis = new float[1];
        CudaException.check(JCudaDriver.cuEventElapsedTime(millis, timerStart, timerStop), "cuEventElapsedTime",
                "device timer");
        return millis[0];
    }

    @Override
    public void synchronize() {
        flushDeferredBias();
        CudaException.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize", deviceName);
    }

    @Override
    public MemoryStats memoryStats() {
        return new MemoryStats(memory.liveBytes(), memory.peakBytes(), allocations, frees);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        deferredBias = null;
        makeCurrent();
        uploads.close();
        if (timerStart != null) {
            JCudaDriver.cuEventDestroy(timerStart);
            JCudaDriver.cuEventDestroy(timerStop);
        }
        if (cudnn != null) {
            cudnnNormalization.close();
            cudnnActivations.close();
            cudnn.close();
        }
        if (cublas != null) {
            cublas.close();
        }
        memory.close();
        kernels.close();
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    /** t's device address, once the compute stream waits for any upload into it still in flight. */
    static CUdeviceptr ptr(Tensor t) {
        CudaStorage storage = (CudaStorage) t.storage();
        storage.owner.flushDeferredBias();
        awaitUpload(storage);
        return storage.pointer;
    }

    private static void awaitUpload(CudaStorage storage) {
        if (storage.pendingUpload != null) {
            CudaException.check(JCudaDriver.cuStreamWaitEvent(null, storage.pendingUpload, 0), "cuStreamWaitEvent",
                    "upload");
            storage.pendingUpload = null;
        }
    }

    // ---- launching ----

    private static Pointer ints(int... values) {
        return Pointer.to(values);
    }

    private static Pointer floats(float... values) {
        return Pointer.to(values);
    }

    /** The device address {@code floatOffset} floats into t. */
    private static CUdeviceptr at(Tensor t, long floatOffset) {
        return ptr(t).withByteOffset(4L * floatOffset);
    }

    /** A grid-stride kernel over n elements. */
    private void launch1d(CudaKernel kernel, int n, Pointer... args) {
        int blocks = (int) Math.max(1, Math.min(MAX_BLOCKS, (n + (long) THREADS - 1) / THREADS));
        launch(kernel, blocks, 1, THREADS, 1, args);
    }

    private void launch(CudaKernel kernel, int gridX, int gridY, int blockX, int blockY, Pointer... args) {
        makeCurrent();
        CudaException.check(JCudaDriver.cuLaunchKernel(kernels.function(kernel), gridX, gridY, 1, blockX, blockY, 1,
                0, null, Pointer.to(args), null), "cuLaunchKernel", kernel.entry());
        if (DEBUG_SYNC) {
            CudaException.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize", "after " + kernel.entry());
        }
    }

    /** Debug switch ({@code -Djcnn.cuda.sync=true}): synchronise after every launch, so a failure names its kernel. */
    private static final boolean DEBUG_SYNC = Boolean.getBoolean("jcnn.cuda.sync");

    /** Sums a device buffer of doubles on the host, in order. */
    private double sumOnHost(CUdeviceptr partials, int count) {
        double[] host = new double[count];
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(host), partials, 8L * count), "cuMemcpyDtoH",
                count + " partial sums");
        double sum = 0;
        for (double v : host) {
            sum += v;
        }
        return sum;
    }

    // ---- dense linear algebra ----

    @Override
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k,
                     float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        OpChecks.gemm(this, transposeA, transposeB, m, n, k, alpha, a, b, beta, c);
        tally.add("gemm", gemmImplementation());
        sgemm(transposeA, transposeB, m, n, k, alpha, ptr(a), transposeA ? m : k, ptr(b), transposeB ? k : n, beta,
                ptr(c), n);
    }

    private CudaTier gemmImplementation() {
        return cublas != null ? CudaTier.CUBLAS : CudaTier.KERNELS;
    }

    /** Row-major C = alpha·op(A)·op(B) + beta·C on device pointers, by cuBLAS where it loaded, else our kernel. */
    private void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, int lda,
                       CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc) {
        if (cublas != null) {
            makeCurrent();
            cublas.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        launch(CudaKernel.SGEMM, (n + 63) / 64, (m + 63) / 64, 16, 16, ints(transA ? 1 : 0), ints(transB ? 1 : 0),
                ints(m), ints(n), ints(k), floats(alpha), Pointer.to(a), ints(lda), Pointer.to(b), ints(ldb),
                floats(beta), Pointer.to(c), ints(ldc));
    }

    // ---- convolution ----

    @Override
    public ConvPlan planConv2d(Shape input, Shape filter, ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of("planConv2d", input, filter, spec);
        makeCurrent();
        if (cudnn != null) {
            return new CudaConvPlan(this, g, null, new CudnnConvolution(cudnn, g));
        }
        long columns = (long) g.inChannels() / g.groups() * g.kernelH() * g.kernelW() * g.outHeight()
                * g.outWidth();
        return new CudaConvPlan(this, g, memory.allocate(4L * Math.max(1, columns)), null);
    }

    /**
     * The geometry and either cuDNN's plan or a column buffer for one image and group; closing returns the buffer to
     * the allocator or destroys the descriptors.
     */
    private static final class CudaConvPlan extends ConvPlan {
        final CUdeviceptr columns;
        final CudnnConvolution cudnn;
        /** Channels and filters per group, taps per filter, output and input pixels per plane. */
        final int cg;
        final int kg;
        final int taps;
        final int pq;
        final int hw;
        private boolean closed;

        CudaConvPlan(CudaBackend backend, ConvGeometry g, CUdeviceptr columns, CudnnConvolution cudnn) {
            super(backend, g);
            this.columns = columns;
            this.cudnn = cudnn;
            cg = g.inChannels() / g.groups();
            kg = g.outChannels() / g.groups();
            taps = cg * g.kernelH() * g.kernelW();
            pq = g.outHeight() * g.outWidth();
            hw = g.inHeight() * g.inWidth();
        }

        /** Where image n's channels of group grp start in x (or dx), in floats. */
        long inputOffset(int n, int grp) {
            return ((long) n * geometry().inChannels() + (long) grp * cg) * hw;
        }

        /** Where image n's filters of group grp start in y (or dy). */
        long outputOffset(int n, int grp) {
            return ((long) n * geometry().outChannels() + (long) grp * kg) * pq;
        }

        /** Where group grp's filters start in w (or dw). */
        long filterOffset(int grp) {
            return (long) grp * kg * taps;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (cudnn != null) {
                    cudnn.close();
                } else {
                    ((CudaBackend) backend()).memory.release(columns);
                }
            }
        }

        @Override
        public String toString() {
            return "cuda convolution " + geometry().input() + " * " + geometry().filter() + ": "
                    + (cudnn != null ? cudnn.toString() : "im2col + gemm");
        }
    }

    /** Where a convolution pass runs: cuDNN for the plan's shape, else im2col or col2im and the matrix product. */
    private CudaTier convImplementation(CudaConvPlan p) {
        return p.cudnn != null ? CudaTier.CUDNN : gemmImplementation();
    }

    /** The kernels' Conv struct: h, w, p, q, r, s, strides, paddings, dilations. */
    private static Pointer convStruct(ConvGeometry g) {
        ConvSpec s = g.spec();
        return ints(g.inHeight(), g.inWidth(), g.outHeight(), g.outWidth(), g.kernelH(), g.kernelW(), s.strideH(),
                s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW());
    }

    @Override
    public void conv2dForward(ConvPlan plan, Tensor x, Tensor w, Tensor y) {
        OpChecks.conv2dForward(this, plan, x, w, y);
        CudaConvPlan p = (CudaConvPlan) plan;
        tally.add("conv2dForward", convImplementation(p));
        if (p.cudnn != null) {
            makeCurrent();
            p.cudnn.forward(ptr(x), ptr(w), ptr(y));
            return;
        }
        for (int n = 0; n < p.geometry().batch(); n++) {
            for (int grp = 0; grp < p.geometry().groups(); grp++) {
                im2col(p, x, n, grp);
                sgemm(false, false, p.kg, p.pq, p.taps, 1f, at(w, p.filterOffset(grp)), p.taps, p.columns, p.pq,
                        0f, at(y, p.outputOffset(n, grp)), p.pq);
            }
        }
    }

    @Override
    public void conv2dBackwardData(ConvPlan plan, Tensor dy, Tensor w, Tensor dx) {
        OpChecks.conv2dBackwardData(this, plan, dy, w, dx);
        CudaConvPlan p = (CudaConvPlan) plan;
        tally.add("conv2dBackwardData", convImplementation(p));
        if (p.cudnn != null) {
            makeCurrent();
            p.cudnn.backwardData(ptr(dy), ptr(w), ptr(dx));
            return;
        }
        for (int n = 0; n < p.geometry().batch(); n++) {
            for (int grp = 0; grp < p.geometry().groups(); grp++) {
                // columns (taps × PQ) = w_gᵀ · dy_g, then each input pixel gathers the entries that read it.
                sgemm(true, false, p.taps, p.pq, p.kg, 1f, at(w, p.filterOffset(grp)), p.taps,
                        at(dy, p.outputOffset(n, grp)), p.pq, 0f, p.columns, p.pq);
                launch1d(CudaKernel.COL2IM, p.cg * p.hw, convStruct(p.geometry()), ints(p.cg), Pointer.to(p.columns),
                        Pointer.to(at(dx, p.inputOffset(n, grp))));
            }
        }
    }

    @Override
    public void conv2dBackwardFilter(ConvPlan plan, Tensor x, Tensor dy, Tensor dw) {
        OpChecks.conv2dBackwardFilter(this, plan, x, dy, dw);
        CudaConvPlan p = (CudaConvPlan) plan;
        tally.add("conv2dBackwardFilter", convImplementation(p));
        if (p.cudnn != null) {
            makeCurrent();
            p.cudnn.backwardFilter(ptr(x), ptr(dy), ptr(dw));
            return;
        }
        for (int n = 0; n < p.geometry().batch(); n++) {
            for (int grp = 0; grp < p.geometry().groups(); grp++) {
                im2col(p, x, n, grp);
                // dw_g (kg × taps) (+)= dy_g (kg × PQ) · columnsᵀ, images in order.
                sgemm(false, true, p.kg, p.taps, p.pq, 1f, at(dy, p.outputOffset(n, grp)), p.pq, p.columns, p.pq,
                        n == 0 ? 0f : 1f, at(dw, p.filterOffset(grp)), p.taps);
            }
        }
    }

    /** Image n's channels of group grp into the plan's column buffer. */
    private void im2col(CudaConvPlan p, Tensor x, int n, int grp) {
        launch1d(CudaKernel.IM2COL, p.taps * p.pq, convStruct(p.geometry()), ints(p.cg),
                Pointer.to(at(x, p.inputOffset(n, grp))), Pointer.to(p.columns));
    }

    /** Deferred: launched fused with the next op if that is an activation of y, else before the next op. */
    @Override
    public void biasAdd(Tensor y, Tensor bias) {
        OpChecks.biasAdd(this, y, bias);
        flushDeferredBias();
        deferredBias = new DeferredBias(y, bias);
    }

    /** Launches the deferred bias add, if any, on its own. */
    private void flushDeferredBias() {
        DeferredBias d = deferredBias;
        if (d == null) {
            return;
        }
        deferredBias = null;
        tally.add("biasAdd", CudaTier.KERNELS);
        Shape s = d.target().shape();
        launch1d(CudaKernel.BIAS_ADD, d.target().size(), ints(s.batch()), ints(s.channels()), ints(s.spatialSize()),
                Pointer.to(ptr(d.target())), Pointer.to(ptr(d.bias())));
    }

    /**
     * Runs the deferred bias add fused with the activation of its output, when x is that output: z += bias, then
     * y = f(z), in one kernel (on every tier: one pass beats a bias kernel plus cuDNN's activation). False otherwise.
     */
    private boolean fusedBiasActivation(Activation activation, Tensor x, Tensor y) {
        DeferredBias d = deferredBias;
        if (d == null || d.target().storage() != x.storage() || d.target().size() != x.size()) {
            return false;
        }
        deferredBias = null;
        tally.add("biasActivationForward", CudaTier.KERNELS);
        Shape s = d.target().shape();
        launch1d(CudaKernel.BIAS_ACTIVATION_FORWARD, d.target().size(), ints(s.batch()), ints(s.channels()),
                ints(s.spatialSize()), Pointer.to(ptr(d.target())), Pointer.to(ptr(d.bias())),
                ints(activation.kind().ordinal()), floats(activation.alpha()), Pointer.to(ptr(y)));
        return true;
    }

    @Override
    public void biasGradient(Tensor dy, Tensor dbias) {
        OpChecks.biasGradient(this, dy, dbias);
        Shape s = dy.shape();
        launch(CudaKernel.BIAS_GRADIENT, s.channels(), 1, THREADS, 1, ints(s.batch()), ints(s.channels()),
                ints(s.spatialSize()), Pointer.to(ptr(dy)), Pointer.to(ptr(dbias)));
    }

    // ---- pooling ----

    @Override
    public PoolPlan planPool2d(Shape input, PoolSpec spec) {
        PoolGeometry g = PoolGeometry.of("planPool2d", input, spec);
        makeCurrent();
        return new CudaPoolPlan(this, g, cudnn != null ? new CudnnPooling(cudnn, g) : null);
    }

    /** The geometry and, on the cuDNN tier, cuDNN's pooling descriptor for it. */
    private static final class CudaPoolPlan extends PoolPlan {
        final CudnnPooling cudnn;
        private boolean closed;

        CudaPoolPlan(CudaBackend backend, PoolGeometry g, CudnnPooling cudnn) {
            super(backend, g);
            this.cudnn = cudnn;
        }

        @Override
        public void close() {
            if (!closed && cudnn != null) {
                cudnn.close();
            }
            closed = true;
        }
    }

    /** The kernels' Pool struct: h, w, p, q, kernel, stride, padding. */
    private static Pointer poolStruct(PoolGeometry g) {
        PoolSpec s = g.spec();
        return ints(g.input().height(), g.input().width(), g.output().height(), g.output().width(), s.kernelH(),
                s.kernelW(), s.strideH(), s.strideW(), s.padH(), s.padW());
    }

    @Override
    public void pool2dForward(PoolPlan plan, Tensor x, Tensor y) {
        OpChecks.pool2dForward(this, plan, x, y);
        CudaPoolPlan p = (CudaPoolPlan) plan;
        if (p.cudnn != null) {
            tally.add("pool2dForward", CudaTier.CUDNN);
            makeCurrent();
            p.cudnn.forward(ptr(x), ptr(y));
            return;
        }
        tally.add("pool2dForward", CudaTier.KERNELS);
        PoolGeometry g = plan.geometry();
        int planes = g.input().batch() * g.input().channels();
        launch1d(CudaKernel.POOL_FORWARD, y.size(), ints(planes), poolStruct(g),
                ints(g.spec().mode() == PoolMode.MAX ? 1 : 0), Pointer.to(ptr(x)), Pointer.to(ptr(y)));
    }

    @Override
    public void pool2dBackward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.pool2dBackward(this, plan, x, y, dy, dx);
        CudaPoolPlan p = (CudaPoolPlan) plan;
        if (p.cudnn != null && p.cudnn.runsBackward()) {
            tally.add("pool2dBackward", CudaTier.CUDNN);
            makeCurrent();
            p.cudnn.backward(ptr(x), ptr(y), ptr(dy), ptr(dx));
            return;
        }
        tally.add("pool2dBackward", CudaTier.KERNELS);
        PoolGeometry g = plan.geometry();
        int planes = g.input().batch() * g.input().channels();
        launch1d(CudaKernel.POOL_BACKWARD, dx.size(), ints(planes), poolStruct(g),
                ints(g.spec().mode() == PoolMode.MAX ? 1 : 0), Pointer.to(ptr(x)), Pointer.to(ptr(dy)),
                Pointer.to(ptr(dx)));
    }

    // ---- activations ----

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        OpChecks.activationForward(this, activation, x, y);
        if (fusedBiasActivation(activation, x, y)) {
            return;
        }
        if (cudnnActivations != null && cudnnActivations.supports(activation)) {
            tally.add("activationForward", CudaTier.CUDNN);
            makeCurrent();
            cudnnActivations.forward(activation, x.shape(), ptr(x), ptr(y));
            return;
        }
        tally.add("activationForward", CudaTier.KERNELS);
        launch1d(CudaKernel.ACTIVATION_FORWARD, x.size(), ints(activation.kind().ordinal()),
                floats(activation.alpha()), ints(x.size()), Pointer.to(ptr(x)), Pointer.to(ptr(y)));
    }

    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.activationBackward(this, activation, x, y, dy, dx);
        if (cudnnActivations != null && cudnnActivations.supports(activation)) {
            tally.add("activationBackward", CudaTier.CUDNN);
            makeCurrent();
            cudnnActivations.backward(activation, x.shape(), ptr(x), ptr(y), ptr(dy), ptr(dx));
            return;
        }
        tally.add("activationBackward", CudaTier.KERNELS);
        launch1d(CudaKernel.ACTIVATION_BACKWARD, x.size(), ints(activation.kind().ordinal()),
                floats(activation.alpha()), ints(x.size()), Pointer.to(ptr(x)), Pointer.to(ptr(y)),
                Pointer.to(ptr(dy)), Pointer.to(ptr(dx)));
    }

    // ---- softmax and losses ----

    @Override
    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        OpChecks.softmaxForward(this, x, y);
        if (cudnnActivations != null) {
            tally.add("softmaxForward", CudaTier.CUDNN);
            makeCurrent();
            cudnnActivations.softmaxForward(x.shape(), ptr(x), ptr(y), log);
            return;
        }
        tally.add("softmaxForward", CudaTier.KERNELS);
        Shape s = x.shape();
        launch(CudaKernel.SOFTMAX_FORWARD, s.batch(), 1, THREADS, 1, ints(s.batch()), ints(s.sampleSize()),
                Pointer.to(ptr(x)), Pointer.to(ptr(y)), ints(log ? 1 : 0));
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        OpChecks.softmaxBackward(this, y, dy, dx);
        if (cudnnActivations != null) {
            tally.add("softmaxBackward", CudaTier.CUDNN);
            makeCurrent();
            cudnnActivations.softmaxBackward(y.shape(), ptr(y), ptr(dy), ptr(dx), log);
            return;
        }
        tally.add("softmaxBackward", CudaTier.KERNELS);
        Shape s = y.shape();
        launch(CudaKernel.SOFTMAX_BACKWARD, s.batch(), 1, THREADS, 1, ints(s.batch()), ints(s.sampleSize()),
                Pointer.to(ptr(y)), Pointer.to(ptr(dy)), Pointer.to(ptr(dx)), ints(log ? 1 : 0));
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor loss, Tensor dLogits) {
        OpChecks.softmaxCrossEntropy(this, logits, labels, loss, dLogits);
        int batch = logits.shape().batch();
        int classes = logits.shape().sampleSize();
        checkLabels(labels, batch, classes);
        CUdeviceptr rowLoss = memory.allocate(8L * batch);
        try {
            launch(CudaKernel.SOFTMAX_CROSS_ENTROPY, batch, 1, THREADS, 1, ints(batch), ints(classes),
                    Pointer.to(ptr(logits)), Pointer.to(ptr(labels)), Pointer.to(rowLoss), Pointer.to(ptr(dLogits)));
            upload(new float[] {(float) (sumOnHost(rowLoss, batch) / batch)}, loss);
        } finally {
            memory.release(rowLoss);
        }
    }

    /** The CPU backend's check, on the device: the first label that is not a class index fails, before any write. */
    private void checkLabels(Tensor labels, int batch, int classes) {
        CUdeviceptr bad = memory.allocate(4);
        try {
            CudaException.check(JCudaDriver.cuMemcpyHtoD(bad, Pointer.to(new int[] {batch}), 4), "cuMemcpyHtoD",
                    "label check");
            launch1d(CudaKernel.CHECK_LABELS, batch, ints(batch), ints(classes), Pointer.to(ptr(labels)),
                    Pointer.to(bad));
            int[] first = new int[1];
            CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(first), bad, 4), "cuMemcpyDtoH", "label check");
            if (first[0] < batch) {
                float[] label = new float[1];
                CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(label),
                        ptr(labels).withByteOffset(4L * first[0]), 4), "cuMemcpyDtoH", "label check");
                throw new IllegalArgumentException("softmaxCrossEntropy: label at batch index " + first[0] + " is "
                        + label[0] + ", expected an integer class index in [0, " + classes + ")");
            }
        } finally {
            memory.release(bad);
        }
    }

    @Override
    public void mseLoss(Tensor prediction, Tensor target, Tensor loss, Tensor dPrediction) {
        OpChecks.mseLoss(this, prediction, target, loss, dPrediction);
        int batch = prediction.shape().batch();
        CUdeviceptr partials = memory.allocate(8L * REDUCTION_BLOCKS);
        try {
            launch(CudaKernel.MSE_LOSS, REDUCTION_BLOCKS, 1, THREADS, 1, ints(prediction.size()), ints(batch),
                    Pointer.to(ptr(prediction)), Pointer.to(ptr(target)), Pointer.to(ptr(dPrediction)),
                    Pointer.to(partials));
            upload(new float[] {(float) (sumOnHost(partials, REDUCTION_BLOCKS) / (2.0 * batch))}, loss);
        } finally {
            memory.release(partials);
        }
    }

    // ---- regularisation and normalisation ----

    @Override
    public void dropoutForward(Tensor x, Tensor y, float rate, long seed) {
        OpChecks.dropout(this, "dropoutForward", x, y, rate);
        dropout(x, y, rate, seed);
    }

    @Override
    public void dropoutBackward(Tensor dy, Tensor dx, float rate, long seed) {
        OpChecks.dropout(this, "dropoutBackward", dy, dx, rate);
        dropout(dy, dx, rate, seed);
    }

    private void dropout(Tensor in, Tensor out, float rate, long seed) {
        launch1d(CudaKernel.DROPOUT, in.size(), ints(in.size()), Pointer.to(ptr(in)), Pointer.to(ptr(out)),
                floats(rate), floats(1f / (1f - rate)), Pointer.to(new long[] {seed}));
    }

    /** The kernels' LRN arguments after n, c, s: size, alpha, beta, k. */
    private static Pointer[] lrnArgs(LrnSpec spec, Shape s) {
        return new Pointer[] {ints(s.batch()), ints(s.channels()), ints(s.spatialSize()), ints(spec.size()),
            floats(spec.alpha()), floats(spec.beta()), floats(spec.k())};
    }

    private static Pointer[] concat(Pointer[] first, Pointer... rest) {
        Pointer[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    @Override
    public void lrnForward(LrnSpec spec, Tensor x, Tensor y) {
        OpChecks.lrn(this, "lrnForward", x, y);
        if (cudnnNormalization != null && CudnnNormalization.supports(spec)) {
            tally.add("lrnForward", CudaTier.CUDNN);
            makeCurrent();
            cudnnNormalization.lrnForward(spec, x.shape(), ptr(x), ptr(y));
            return;
        }
        tally.add("lrnForward", CudaTier.KERNELS);
        launch1d(CudaKernel.LRN_FORWARD, x.size(), concat(lrnArgs(spec, x.shape()), Pointer.to(ptr(x)),
                Pointer.to(ptr(y))));
    }

    @Override
    public void lrnBackward(LrnSpec spec, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.lrn(this, "lrnBackward", x, y, dy, dx);
        if (cudnnNormalization != null && CudnnNormalization.supports(spec)) {
            tally.add("lrnBackward", CudaTier.CUDNN);
            makeCurrent();
            cudnnNormalization.lrnBackward(spec, x.shape(), ptr(x), ptr(y), ptr(dy), ptr(dx));
            return;
        }
        tally.add("lrnBackward", CudaTier.KERNELS);
        launch1d(CudaKernel.LRN_BACKWARD, x.size(), concat(lrnArgs(spec, x.shape()), Pointer.to(ptr(x)),
                Pointer.to(ptr(y)), Pointer.to(ptr(dy)), Pointer.to(ptr(dx))));
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y,
                                         Tensor runningMean, Tensor runningVariance,
                                         Tensor savedMean, Tensor savedInvStd, float momentum, float epsilon) {
        OpChecks.batchNormForwardTraining(this, x, gamma, beta, y, runningMean, runningVariance, savedMean,
                savedInvStd, momentum, epsilon);
        if (cudnnNormalization != null && CudnnNormalization.supportsEpsilon(epsilon)) {
            tally.add("batchNormForwardTraining", CudaTier.CUDNN);
            makeCurrent();
            cudnnNormalization.batchNormForwardTraining(x.shape(), ptr(x), ptr(gamma), ptr(beta), ptr(y),
                    ptr(runningMean), ptr(runningVariance), ptr(savedMean), ptr(savedInvStd), momentum, epsilon);
            return;
        }
        tally.add("batchNormForwardTraining", CudaTier.KERNELS);
        Shape s = x.shape();
        launch(CudaKernel.BATCHNORM_FORWARD_TRAINING, s.channels(), 1, THREADS, 1, ints(s.batch()),
                ints(s.channels()), ints(s.spatialSize()), Pointer.to(ptr(x)), Pointer.to(ptr(gamma)),
                Pointer.to(ptr(beta)), Pointer.to(ptr(y)), Pointer.to(ptr(runningMean)),
                Pointer.to(ptr(runningVariance)), Pointer.to(ptr(savedMean)), Pointer.to(ptr(savedInvStd)),
                floats(momentum), floats(epsilon));
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor y,
                                          Tensor runningMean, Tensor runningVariance, float epsilon) {
        OpChecks.batchNormForwardInference(this, x, gamma, beta, y, runningMean, runningVariance, epsilon);
        if (cudnnNormalization != null && CudnnNormalization.supportsEpsilon(epsilon)) {
            tally.add("batchNormForwardInference", CudaTier.CUDNN);
            makeCurrent();
            cudnnNormalization.batchNormForwardInference(x.shape(), ptr(x), ptr(gamma), ptr(beta), ptr(y),
                    ptr(runningMean), ptr(runningVariance), epsilon);
            return;
        }
        tally.add("batchNormForwardInference", CudaTier.KERNELS);
        Shape s = x.shape();
        launch1d(CudaKernel.BATCHNORM_FORWARD_INFERENCE, x.size(), ints(s.batch()), ints(s.channels()),
                ints(s.spatialSize()), Pointer.to(ptr(x)), Pointer.to(ptr(gamma)), Pointer.to(ptr(beta)),
                Pointer.to(ptr(y)), Pointer.to(ptr(runningMean)), Pointer.to(ptr(runningVariance)), floats(epsilon));
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInvStd,
                                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        OpChecks.batchNormBackward(this, x, dy, gamma, savedMean, savedInvStd, dx, dGamma, dBeta);
        if (cudnnNormalization != null) {
            tally.add("batchNormBackward", CudaTier.CUDNN);
            makeCurrent();
            cudnnNormalization.batchNormBackward(x.shape(), ptr(x), ptr(dy), ptr(gamma), ptr(savedMean),
                    ptr(savedInvStd), ptr(dx), ptr(dGamma), ptr(dBeta));
            return;
        }
        tally.add("batchNormBackward", CudaTier.KERNELS);
        Shape s = x.shape();
        launch(CudaKernel.BATCHNORM_BACKWARD, s.channels(), 1, THREADS, 1, ints(s.batch()), ints(s.channels()),
                ints(s.spatialSize()), Pointer.to(ptr(x)), Pointer.to(ptr(dy)), Pointer.to(ptr(gamma)),
                Pointer.to(ptr(savedMean)), Pointer.to(ptr(savedInvStd)), Pointer.to(ptr(dx)),
                Pointer.to(ptr(dGamma)), Pointer.to(ptr(dBeta)));
    }

    // ---- elementwise and reductions ----

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        OpChecks.onBackend(this, "axpy", x, y);
        OpChecks.sameSize("axpy", "x", x, "y", y);
        OpChecks.finite("axpy", "alpha", alpha);
        launch1d(CudaKernel.AXPY, x.size(), ints(x.size()), floats(alpha), Pointer.to(ptr(x)), Pointer.to(ptr(y)));
    }

    @Override
    public void scale(Tensor x, float alpha) {
        OpChecks.onBackend(this, "scale", x);
        OpChecks.finite("scale", "alpha", alpha);
        launch1d(CudaKernel.SCALE, x.size(), ints(x.size()), floats(alpha), Pointer.to(ptr(x)));
    }

    @Override
    public double sumOfSquares(Tensor x) {
        OpChecks.onBackend(this, "sumOfSquares", x);
        CUdeviceptr partials = memory.allocate(8L * REDUCTION_BLOCKS);
        try {
            launch(CudaKernel.SUM_OF_SQUARES_PARTIAL, REDUCTION_BLOCKS, 1, THREADS, 1, ints(x.size()),
                    Pointer.to(ptr(x)), Pointer.to(partials));
            return sumOnHost(partials, REDUCTION_BLOCKS);
        } finally {
            memory.release(partials);
        }
    }

    // ---- optimizer steps ----

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum,
                        float weightDecay, boolean nesterov) {
        OpChecks.sgdStep(this, param, grad, velocity, learningRate, momentum, weightDecay);
        launch1d(CudaKernel.SGD_STEP, param.size(), ints(param.size()), Pointer.to(ptr(param)),
                Pointer.to(ptr(grad)), Pointer.to(ptr(velocity)), floats(learningRate), floats(momentum),
                floats(weightDecay), ints(nesterov ? 1 : 0));
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2,
                         float epsilon, float weightDecay, int step) {
        OpChecks.adamStep(this, param, grad, m, v, learningRate, beta1, beta2, epsilon, weightDecay, step);
        double stepSize = learningRate / (1.0 - Math.pow(beta1, step));
        double inverseCorrection2 = 1.0 / (1.0 - Math.pow(beta2, step));
        launch1d(CudaKernel.ADAM_STEP, param.size(), ints(param.size()), Pointer.to(ptr(param)),
                Pointer.to(ptr(grad)), Pointer.to(ptr(m)), Pointer.to(ptr(v)), Pointer.to(new double[] {stepSize}),
                floats(beta1), floats(beta2), floats(epsilon), floats(weightDecay),
                Pointer.to(new double[] {inverseCorrection2}));
    }

    @Override
    public String toString() {
        return description();
    }
}
