package io.jcnn.backend.cuda;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * Host-to-device copies that do not stall the device: the floats go into one of a few page-locked (pinned) host
 * slots, and the DMA runs on a copy stream of its own, so a batch uploaded ahead goes up while kernels of the
 * current step run. Uploads larger than a slot are streamed through the slots in chunks, so the pinned footprint stays
 * at {@link #SLOTS} × {@link #SLOT_BYTES} whatever the batch.
 *
 * <p>Ordering, both ways, without a device-wide wait: a copy starts only after the kernels queued before the upload
 * call (which may still read the target); kernels see the new data because the target's storage remembers the copy's
 * event, and the backend makes the compute stream wait for it when the tensor is next used ({@link CudaBackend#ptr}).
 * The caller's array may be reused as soon as {@link #upload} returns.
 */
final class PinnedUploads implements AutoCloseable {
    static final int SLOTS = 4;
    static final long SLOT_BYTES = 4L << 20;

    private final CUstream stream = new CUstream();
    /** Recorded on the compute stream at each upload: the copy waits for the kernels queued before it. */
    private final CUevent computeQueued = new CUevent();
    private final Slot[] slots = new Slot[SLOTS];
    private int next;
    private boolean closed;

    private static final class Slot {
        final CUevent copied = new CUevent();
        Pointer host;
        FloatBuffer floats;
        boolean inFlight;
        /** The storage this slot's last chunk went to, to clear its pending event once the copy is known done. */
        CudaStorage target;
    }

    PinnedUploads() {
        CudaException.check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING),
                "cuStreamCreate", "upload stream");
        CudaException.check(JCudaDriver.cuEventCreate(computeQueued, CUevent_flags.CU_EVENT_DISABLE_TIMING),
                "cuEventCreate", "upload ordering");
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot();
            CudaException.check(JCudaDriver.cuEventCreate(slots[i].copied, CUevent_flags.CU_EVENT_DISABLE_TIMING),
                    "cuEventCreate", "upload slot " + i);
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
        int chunkFloats = (int) (SLOT_BYTES / Float.BYTES);
        int offset = 0;
        do {
            int count = Math.min(chunkFloats, source.length - offset);
            Slot slot = take(what);
            slot.floats.clear();
            slot.floats.put(source, offset, count);
            CudaException.check(JCudaDriver.cuMemcpyHtoDAsync(target.pointer.withByteOffset(4L * offset), slot.host,
                    4L * count, stream), "cuMemcpyHtoDAsync", "upload of " + what);
            CudaException.check(JCudaDriver.cuEventRecord(slot.copied, stream), "cuEventRecord", "upload of " + what);
            slot.inFlight = true;
            slot.target = target;
            target.pendingUpload = slot.copied;
            offset += count;
        } while (offset < source.length);
    }

    /** The next slot, once its previous copy has left it; pinned memory is allocated on first use. */
    private Slot take(String what) {
        Slot slot = slots[next];
        next = (next + 1) % SLOTS;
        if (slot.inFlight) {
            CudaException.check(JCudaDriver.cuEventSynchronize(slot.copied), "cuEventSynchronize",
                    "upload of " + what);
            slot.inFlight = false;
            if (slot.target.pendingUpload == slot.copied) {
                slot.target.pendingUpload = null;
            }
            slot.target = null;
        }
        if (slot.host == null) {
            Pointer host = new Pointer();
            CudaException.check(JCudaDriver.cuMemAllocHost(host, SLOT_BYTES), "cuMemAllocHost",
                    SLOT_BYTES + " bytes of pinned host memory for uploads");
            slot.host = host;
            slot.floats = host.getByteBuffer(0, SLOT_BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        return slot;
    }

    /** Waits for the copies in flight, then frees the pinned slots, the events and the stream. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        JCudaDriver.cuStreamSynchronize(stream);
        for (Slot slot : slots) {
            if (slot.host != null) {
                JCudaDriver.cuMemFreeHost(slot.host);
            }
            JCudaDriver.cuEventDestroy(slot.copied);
        }
        JCudaDriver.cuEventDestroy(computeQueued);
        JCudaDriver.cuStreamDestroy(stream);
    }
}
