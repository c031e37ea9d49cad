package io.jcnn.backend.cuda;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Owns every device allocation of a CUDA backend, so device memory is freed when the backend says so and never left
 * to the garbage collector. A released block goes to a cache keyed by its exact size, and the next request of that
 * size takes it back: a training step asks for the same sizes every time, so after the first step it makes no device
 * allocation at all ({@link #deviceAllocations()} stops growing). When the device is out of memory the allocator
 * frees its whole cache and tries once more, then fails naming the requested and free bytes.
 *
 * <p>Not thread-safe: a backend, like a CUDA stream, is driven by one thread at a time.
 *
 * @param <P> the device pointer type
 */
final class CachingAllocator<P> implements AutoCloseable {
    private final DeviceMemory<P> memory;
    /** Size of every block handed out and not yet released. Identity: two pointers to one address never coexist. */
    private final Map<P, Long> live = new IdentityHashMap<>();
    private final Map<Long, Deque<P>> cache = new HashMap<>();
    private long liveBytes;
    private long peakBytes;
    private long cachedBytes;
    private long deviceAllocations;
    private boolean closed;

    CachingAllocator(DeviceMemory<P> memory) {
        this.memory = memory;
    }

    /** A block of exactly {@code bytes} bytes (at least 1), from the cache when one of that size is there. */
    P allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("cuda: allocating " + bytes + " bytes from a closed backend");
        }
        if (bytes < 1) {
            throw new IllegalArgumentException("cuda: a device allocation needs at least 1 byte, got " + bytes);
        }
        Deque<P> sameSize = cache.get(bytes);
        P pointer = sameSize == null ? null : sameSize.poll();
        if (pointer != null) {
            cachedBytes -= bytes;
        } else {
            pointer = memory.allocate(bytes);
            if (pointer == null && cachedBytes > 0) {
                emptyCache();
                pointer = memory.allocate(bytes);
            }
            if (pointer == null) {
                throw new DeviceOutOfMemoryException(String.format(Locale.ROOT,
                        "cuda: out of device memory allocating %s: the device has %s free, jcnn holds %s in live "
                                + "tensors and workspaces (peak %s); use a smaller batch, or close tensors and "
                                + "backends no longer needed", bytes(bytes), bytes(memory.freeBytes()),
                        bytes(liveBytes), bytes(peakBytes)));
            }
            deviceAllocations++;
        }
        live.put(pointer, bytes);
        liveBytes += bytes;
        peakBytes = Math.max(peakBytes, liveBytes);
        return pointer;
    }

    /** Gives a block back; it stays reserved on the device, in the cache, until {@link #emptyCache()} or close. */
    void release(P pointer) {
        if (closed) {
            throw new IllegalStateException("cuda: releasing a device block after the backend was closed");
        }
        Long bytes = live.remove(pointer);
        if (bytes == null) {
            throw new IllegalArgumentException("cuda: releasing a device block this allocator does not hold "
                    + "(released twice, or from another backend)");
        }
        liveBytes -= bytes;
        cache.computeIfAbsent(bytes, b -> new ArrayDeque<>()).push(pointer);
        cachedBytes += bytes;
    }

    /** Frees every cached block on the device. */
    void emptyCache() {
        for (Deque<P> blocks : cache.values()) {
            for (P pointer : blocks) {
                memory.free(pointer);
            }
        }
        cache.clear();
        cachedBytes = 0;
    }

    long liveBytes() {
        return liveBytes;
    }

    long peakBytes() {
        return peakBytes;
    }

    long cachedBytes() {
        return cachedBytes;
    }

    /** Blocks obtained from the device so far (cache hits not counted). */
    long deviceAllocations() {
        return deviceAllocations;
    }

    /** Blocks handed out and not released. */
    int liveBlocks() {
        return live.size();
    }

    /**
     * Frees every block, cached and live: the backend closes last, after waiting for the device, and a tensor
     * closed after it must not free in a released context. Afterwards allocating and releasing are refused.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        emptyCache();
        for (P pointer : live.keySet()) {
            memory.free(pointer);
        }
        live.clear();
        liveBytes = 0;
        closed = true;
    }

    static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = -1;
        do {
            value /= 1024;
            unit++;
        } while (value >= 1024 && unit < units.length - 1);
        return String.format(Locale.ROOT, "%.1f %s (%d bytes)", value, units[unit], count);
    }
}
