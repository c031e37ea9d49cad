package io.jcnn.backend.cuda;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * Host-to-device copies that do not stall the device: the floats go into a page-locked (pinned) staging buffer
 * and the DMA runs on a copy stream of its own, so a batch uploaded ahead goes up while kernels of the current
 * step run, and {@link #upload} returns as soon as the floats are staged.
 *
 * <p>A staging buffer holds a whole upload (up to {@link #MAX_STAGING_BYTES}; larger ones go through in chunks of
 * that size), and there are up to {@link #BUFFERS}: the batch being copied, the next one being staged, and a spare.
 * An upload waits only when every buffer still holds a copy that has not landed, which in double-buffered training
 * means the device is two batches behind. (Small fixed slots made an AlexNet batch of 128 wait for its own chunks,
 * and so for every kernel queued before it: the "overlap" was serial.) Buffers grow to the largest upload seen;
 * uploads of at most {@link #SMALL_BYTES} (labels, losses) have small buffers of their own.
 *
 * <p>Ordering, both ways, without a device-wide wait: a copy starts only after the kernels queued before the upload
 * call (which may still read the target); kernels see the new data because the target's storage remembers the copy's
 * event, and the backend makes the compute stream wait for it when the tensor is next used
 * ({@link CudaContext#address}). The caller's array may be reused as soon as {@link #upload} returns.
 */
final class PinnedUploads implements AutoCloseable {
    static final int BUFFERS = 3;
    static final long MAX_STAGING_BYTES = 256L << 20;
    /**
     * Uploads up to this size (labels, a loss) use small buffers of exactly this size, so they never take, or make
     * a batch regrow, a batch's buffer.
     */
    static final long SMALL_BYTES = 64L << 10;

    private final long maxStagingBytes;
    private final CUstream stream = new CUstream();
    /** Recorded on the compute stream at each upload: the copy waits for the kernels queued before it. */
    private final CUevent computeQueued = new CUevent();
    private final List<Staging> buffers = new ArrayList<>();
    private final List<Staging> smallBuffers = new ArrayList<>();
    private long uses;
    private long pinnings;
    private boolean closed;

    private static final class Staging {
        final CUevent copied = new CUevent();
        Pointer host;
        long bytes;
        FloatBuffer floats;
        boolean inFlight;
        /** When this buffer was last filled, to wait for the oldest first. */
        long lastUse;
        /** The storage this buffer's last copy went to, to clear its pending event once the copy is known done. */
        CudaStorage target;
    }

    /** The copy stream and its ordering event; nothing is left behind if either cannot be created. */
    PinnedUploads() {
        this(MAX_STAGING_BYTES);
    }

    /** As {@link #PinnedUploads()}, with uploads above {@code maxStagingBytes} chunked (tests use a small one). */
    PinnedUploads(long maxStagingBytes) {
        this.maxStagingBytes = maxStagingBytes;
        CudaException.check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING),
                "cuStreamCreate", "upload stream");
        int status = JCudaDriver.cuEventCreate(computeQueued, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        if (status != CUresult.CUDA_SUCCESS) {
            JCudaDriver.cuStreamDestroy(stream);
            CudaException.check(status, "cuEventCreate", "upload ordering");
        }
    }

    /** Queues the copy of {@code source} into {@code target}; {@code what} names it in errors. */
    void upload(float[] source, CudaStorage target, String what) {
        if (closed) {
            throw new IllegalStateException("cuda: upload of " + what + " on a closed backend");
        }
        CudaException.check(JCudaDriver.cuEventRecord(computeQueued, null), "cuEventRecord", "upload of " + what);
        CudaException.check(JCudaDriver.cuStreamWaitEvent(stream, computeQueued, 0), "cuStreamWaitEvent",
                "upload of " + what);
        int chunkFloats = (int) (maxStagingBytes / Float.BYTES);
        int offset = 0;
        do {
            int count = Math.min(chunkFloats, source.length - offset);
            Staging staging = take(4L * count, what);
            staging.floats.clear();
            staging.floats.put(source, offset, count);
            CudaException.check(JCudaDriver.cuMemcpyHtoDAsync(target.pointer.withByteOffset(4L * offset),
                    staging.host, 4L * count, stream), "cuMemcpyHtoDAsync", "upload of " + what);
            CudaException.check(JCudaDriver.cuEventRecord(staging.copied, stream), "cuEventRecord",
                    "upload of " + what);
            staging.inFlight = true;
            staging.lastUse = ++uses;
            staging.target = target;
            target.pendingUpload = staging.copied;
            offset += count;
        } while (offset < source.length);
    }

    /**
     * A buffer of at least {@code bytes} whose last copy has landed: a free one that is large enough, else a new
     * one while there are fewer than {@link #BUFFERS}, else a free one grown, else the oldest once its copy lands.
     */
    private Staging take(long bytes, String what) {
        if (bytes <= SMALL_BYTES) {
            return take(smallBuffers, SMALL_BYTES, what);
        }
        return take(buffers, bytes, what);
    }

    private Staging take(List<Staging> buffers, long bytes, String what) {
        Staging grow = null;
        for (Staging s : buffers) {
            if (!busy(s, what)) {
                if (s.bytes >= bytes) {
                    return s;
                }
                grow = s;
            }
        }
        if (buffers.size() < BUFFERS) {
            Staging s = new Staging();
            CudaException.check(JCudaDriver.cuEventCreate(s.copied, CUevent_flags.CU_EVENT_DISABLE_TIMING),
                    "cuEventCreate", "upload staging");
            buffers.add(s);
            pin(s, bytes, what);
            return s;
        }
        if (grow == null) {
            grow = buffers.get(0);
            for (Staging s : buffers) {
                grow = s.lastUse < grow.lastUse ? s : grow;
            }
            CudaException.check(JCudaDriver.cuEventSynchronize(grow.copied), "cuEventSynchronize",
                    "upload of " + what);
            landed(grow);
        }
        if (grow.bytes < bytes) {
            pin(grow, bytes, what);
        }
        return grow;
    }

    /** Whether s's last copy may still be reading it; one that has landed clears its target's pending event. */
    private static boolean busy(Staging s, String what) {
        if (!s.inFlight) {
            return false;
        }
        int status = JCudaDriver.cuEventQuery(s.copied);
        if (status == CUresult.CUDA_ERROR_NOT_READY) {
            return true;
        }
        CudaException.check(status, "cuEventQuery", "upload of " + what);
        landed(s);
        return false;
    }

    private static void landed(Staging s) {
        s.inFlight = false;
        if (s.target != null && s.target.pendingUpload == s.copied) {
            s.target.pendingUpload = null;
        }
        s.target = null;
    }

    /** (Re)allocates s's pinned memory for {@code bytes}. */
    private void pin(Staging s, long bytes, String what) {
        pinnings++;
        if (s.host != null) {
            CudaException.check(JCudaDriver.cuMemFreeHost(s.host), "cuMemFreeHost", "upload staging");
            s.host = null;
            s.bytes = 0;
        }
        Pointer host = new Pointer();
        CudaException.check(JCudaDriver.cuMemAllocHost(host, bytes), "cuMemAllocHost",
                bytes + " bytes of pinned host memory for the upload of " + what);
        s.host = host;
        s.bytes = bytes;
        s.floats = host.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Pinned host bytes held for staging. */
    long pinnedBytes() {
        long total = 0;
        for (Staging s : all()) {
            total += s.bytes;
        }
        return total;
    }

    /** How many times pinned memory was allocated: it should stop growing after the first steps. */
    long pinnings() {
        return pinnings;
    }

    private List<Staging> all() {
        List<Staging> all = new ArrayList<>(buffers);
        all.addAll(smallBuffers);
        return all;
    }

    /** Waits for the copies in flight, then frees the pinned buffers, the events and the stream. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        JCudaDriver.cuStreamSynchronize(stream);
        for (Staging s : all()) {
            if (s.host != null) {
                JCudaDriver.cuMemFreeHost(s.host);
            }
            JCudaDriver.cuEventDestroy(s.copied);
            landed(s);
        }
        buffers.clear();
        smallBuffers.clear();
        JCudaDriver.cuEventDestroy(computeQueued);
        JCudaDriver.cuStreamDestroy(stream);
    }
}
