package io.jcnn.backend.cuda;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.JCudaDriver;

/**
 * What every op family of a {@link CudaBackend} launches through: the device's primary context (made current on
 * the calling thread at each entry, so any thread may drive the backend), jcnn's loaded kernels, the caching
 * allocator, the pinned upload path, the record of which implementation ran, and the one bias add that may be
 * pending ({@link CudaBias}). Device addresses come from {@link #address}, which first launches that bias add and
 * makes the compute stream (the default stream) wait for an upload still in flight into the tensor.
 */
final class CudaContext implements AutoCloseable {
    static final int THREADS = 256;
    /** Grid size cap for grid-stride kernels, and the fixed grid of the reductions (their partial count). */
    static final int MAX_BLOCKS = 4096;
    static final int REDUCTION_BLOCKS = 256;
    /** Debug switch ({@code -Djcnn.cuda.sync=true}): synchronise after every launch, so a failure names its kernel. */
    private static final boolean DEBUG_SYNC = Boolean.getBoolean("jcnn.cuda.sync");

    final String deviceName;
    /** The device's number, as the driver counts them. */
    final int ordinal;
    final CachingAllocator<CUdeviceptr> memory;
    final OpTally tally = new OpTally();
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final LoadedKernels kernels;
    private final PinnedUploads uploads;
    private PendingBias pendingBias;
    private CUevent timerStart;
    private CUevent timerStop;
    private boolean closed;

    /** A bias add not launched yet: per-channel bias into target (N×C×spatial), by storage so closing is safe. */
    record PendingBias(CudaStorage target, CudaStorage bias, Shape shape) {
    }

    /**
     * Retains device {@code ordinal}'s primary context, loads the kernels and opens the upload path; if any of it
     * fails, releases what was made before rethrowing.
     */
    CudaContext(int ordinal, String deviceName) {
        this.deviceName = deviceName;
        this.ordinal = ordinal;
        CudaException.check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet", "device " + ordinal);
        CudaException.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain",
                deviceName);
        LoadedKernels loaded = null;
        try {
            makeCurrent();
            loaded = new LoadedKernels();
            uploads = new PinnedUploads();
        } catch (RuntimeException e) {
            if (loaded != null) {
                loaded.close();
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            throw e;
        }
        kernels = loaded;
        memory = new CachingAllocator<>(new DriverMemory());
    }

    /** Makes this context current on the calling thread: the first thing every entry point does. */
    void makeCurrent() {
        CudaException.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent", deviceName);
    }

    boolean isClosed() {
        return closed;
    }

    // ---- device addresses ----

    /** t's device address, for an op about to launch: see {@link #address(CudaStorage)}. */
    CUdeviceptr pointer(Tensor t) {
        return address((CudaStorage) t.storage());
    }

    /** The device address {@code floatOffset} floats into t. */
    CUdeviceptr at(Tensor t, long floatOffset) {
        return pointer(t).withByteOffset(4L * floatOffset);
    }

    /** s's device address, once a pending bias add has launched and the compute stream waits for s's upload. */
    CUdeviceptr address(CudaStorage s) {
        flushPendingBias();
        awaitUpload(s);
        return s.pointer;
    }

    private static void awaitUpload(CudaStorage storage) {
        if (storage.pendingUpload != null) {
            CudaException.check(JCudaDriver.cuStreamWaitEvent(null, storage.pendingUpload, 0), "cuStreamWaitEvent",
                    "upload");
            storage.pendingUpload = null;
        }
    }

    // ---- memory ----

    /** A zeroed block for a tensor of {@code shape}. */
    CudaStorage allocate(Shape shape, CudaBackend owner) {
        CUdeviceptr pointer = memory.allocate(4L * Math.max(1, shape.size()));
        CudaException.check(JCudaDriver.cuMemsetD32(pointer, 0, Math.max(1, shape.size())), "cuMemsetD32",
                "zeroing " + shape);
        return new CudaStorage(owner, pointer, shape.size());
    }

    /**
     * Returns a tensor's block to the allocator. A bias add pending on it is dropped (nothing can read its result
     * any more); one reading it as the bias is launched first. After close the block was already freed.
     */
    void release(CudaStorage storage) {
        if (closed) {
            return;
        }
        makeCurrent();
        if (pendingBias != null && pendingBias.target() == storage) {
            pendingBias = null;
        }
        flushPendingBias();
        // A block still being uploaded into must not be handed out (and zeroed) before that copy lands.
        awaitUpload(storage);
        memory.release(storage.pointer);
    }

    void upload(float[] source, CudaStorage target, String what) {
        flushPendingBias();
        uploads.upload(source, target, what);
    }

    /** Sums a device buffer of doubles on the host, in order. */
    double sumOnHost(CUdeviceptr partials, int count) {
        double[] host = new double[count];
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(host), partials, 8L * count), "cuMemcpyDtoH",
                count + " partial sums");
        double sum = 0;
        for (double v : host) {
            sum += v;
        }
        return sum;
    }

    // ---- launching ----

    static Pointer ints(int... values) {
        return Pointer.to(values);
    }

    static Pointer floats(float... values) {
        return Pointer.to(values);
    }

    /** A grid-stride kernel over n elements. */
    void launch1d(CudaKernel kernel, int n, Pointer... args) {
        int blocks = (int) Math.max(1, Math.min(MAX_BLOCKS, (n + (long) THREADS - 1) / THREADS));
        launch(kernel, blocks, 1, THREADS, 1, args);
    }

    void launch(CudaKernel kernel, int gridX, int gridY, int blockX, int blockY, Pointer... args) {
        CudaException.check(JCudaDriver.cuLaunchKernel(kernels.function(kernel), gridX, gridY, 1, blockX, blockY, 1,
                0, null, Pointer.to(args), null), "cuLaunchKernel", kernel.entry());
        if (DEBUG_SYNC) {
            CudaException.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize", "after " + kernel.entry());
        }
    }

    // ---- the pending bias add ----

    void deferBias(PendingBias bias) {
        flushPendingBias();
        pendingBias = bias;
    }

    /** The pending bias add if it targets x's storage with x's size, taken (the caller launches it), else null. */
    PendingBias takePendingBias(Tensor x) {
        PendingBias p = pendingBias;
        if (p == null || p.target() != x.storage() || p.shape().size() != x.size()) {
            return null;
        }
        pendingBias = null;
        return p;
    }

    /** Launches the pending bias add, if any, on its own. */
    void flushPendingBias() {
        PendingBias p = pendingBias;
        if (p == null) {
            return;
        }
        pendingBias = null;
        tally.add("biasAdd", CudaTier.KERNELS);
        Shape s = p.shape();
        launch1d(CudaKernel.BIAS_ADD, s.size(), ints(s.batch()), ints(s.channels()), ints(s.spatialSize()),
                Pointer.to(address(p.target())), Pointer.to(address(p.bias())));
    }

    // ---- synchronisation and timing ----

    void synchronize() {
        flushPendingBias();
        CudaException.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize", deviceName);
    }

    /** Device milliseconds between two events around {@code work} on the compute stream; synchronises. */
    double deviceMillis(Runnable work) {
        if (timerStart == null) {
            CUevent start = new CUevent();
            CUevent stop = new CUevent();
            CudaException.check(JCudaDriver.cuEventCreate(start, 0), "cuEventCreate", "device timer");
            int status = JCudaDriver.cuEventCreate(stop, 0);
            if (status != 0) {
                JCudaDriver.cuEventDestroy(start);
                CudaException.check(status, "cuEventCreate", "device timer");
            }
            timerStart = start;
            timerStop = stop;
        }
        CudaException.check(JCudaDriver.cuEventRecord(timerStart, null), "cuEventRecord", "device timer");
        work.run();
        makeCurrent();
        flushPendingBias();
        CudaException.check(JCudaDriver.cuEventRecord(timerStop, null), "cuEventRecord", "device timer");
        CudaException.check(JCudaDriver.cuEventSynchronize(timerStop), "cuEventSynchronize", "device timer");
        float[] millis = new float[1];
        CudaException.check(JCudaDriver.cuEventElapsedTime(millis, timerStart, timerStop), "cuEventElapsedTime",
                "device timer");
        return millis[0];
    }

    /**
     * Waits for every queued kernel and copy, then frees the uploads' pinned memory, streams and events, every
     * device block (tensors not closed yet included: closing them later frees nothing twice), the kernels, and
     * the context reference; in that order, so nothing in flight loses what it reads. A pending bias add is
     * dropped: no tensor can be read after close. {@code libraries} are closed between the device wait and the
     * frees. Idempotent.
     */
    void close(Runnable libraries) {
        if (closed) {
            return;
        }
        closed = true;
        pendingBias = null;
        makeCurrent();
        try {
            CudaException.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize", "closing " + deviceName);
        } finally {
            try {
                uploads.close();
                if (timerStart != null) {
                    JCudaDriver.cuEventDestroy(timerStart);
                    JCudaDriver.cuEventDestroy(timerStop);
                }
                libraries.run();
                memory.close();
                kernels.close();
            } finally {
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
            }
        }
    }

    @Override
    public void close() {
        close(() -> { });
    }
}
