package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The caching allocator on a fake device with a fixed capacity, which also checks every free matches an allocate. */
class CachingAllocatorTest {

    /** A device of {@code capacity} bytes handing out distinct boxed addresses. */
    private static final class FakeDevice implements DeviceMemory<Object> {
        final long capacity;
        final Set<Object> outstanding = new HashSet<>();
        final java.util.Map<Object, Long> sizes = new java.util.IdentityHashMap<>();
        long used;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Object allocate(long bytes) {
            if (used + bytes > capacity) {
                return null;
            }
            Object pointer = new Object();
            outstanding.add(pointer);
            sizes.put(pointer, bytes);
            used += bytes;
            return pointer;
        }

        @Override
        public void free(Object pointer) {
            assertTrue(outstanding.remove(pointer), "freed a block the device did not hand out, or twice");
            used -= sizes.remove(pointer);
        }

        @Override
        public long freeBytes() {
            return capacity - used;
        }
    }

    @Test
    void aReleasedBlockServesTheNextRequestOfItsSize() {
        FakeDevice device = new FakeDevice(1 << 20);
        CachingAllocator<Object> allocator = new CachingAllocator<>(device);
        Object a = allocator.allocate(100);
        allocator.release(a);
        assertEquals(100, allocator.cachedBytes());
        assertSame(a, allocator.allocate(100));
        assertNotSame(a, allocator.allocate(101), "sizes are matched exactly");
        assertEquals(2, allocator.deviceAllocations());
        assertEquals(201, allocator.liveBytes());
        assertEquals(0, allocator.cachedBytes());
    }

    @Test
    void aRepeatedStepAllocatesOnTheDeviceOnlyTheFirstTime() {
        FakeDevice device = new FakeDevice(1 << 20);
        CachingAllocator<Object> allocator = new CachingAllocator<>(device);
        long[] step = {4096, 256, 4096, 40, 100_000};
        for (int iteration = 0; iteration < 3; iteration++) {
            Object[] blocks = new Object[step.length];
            for (int i = 0; i < step.length; i++) {
                blocks[i] = allocator.allocate(step[i]);
            }
            for (Object block : blocks) {
                allocator.release(block);
            }
            assertEquals(step.length, allocator.deviceAllocations(), "after step " + iteration);
        }
        assertEquals(4096 * 2 + 256 + 40 + 100_000, allocator.peakBytes());
        assertEquals(0, allocator.liveBytes());
    }

    @Test
    void outOfMemoryFlushesTheCacheAndRetriesOnce() {
        FakeDevice device = new FakeDevice(1000);
        CachingAllocator<Object> allocator = new CachingAllocator<>(device);
        allocator.release(allocator.allocate(600));
        Object big = allocator.allocate(700);
        assertEquals(700, device.used, "the cached 600 bytes were freed to make room");
        assertEquals(0, allocator.cachedBytes());
        assertEquals(700, allocator.liveBytes());
        allocator.release(big);
    }

    @Test
    void outOfMemoryAfterTheRetryNamesTheSizes() {
        FakeDevice device = new FakeDevice(1000);
        CachingAllocator<Object> allocator = new CachingAllocator<>(device);
        allocator.allocate(600);
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> allocator.allocate(700));
        assertEquals("cuda: out of device memory allocating 700 B: the device has 400 B free, jcnn holds 600 B in live"
                + " tensors and workspaces (peak 600 B); use a smaller batch, or close tensors and backends no longer"
                + " needed", e.getMessage());
        assertEquals(600, allocator.liveBytes(), "a failed request changes nothing");
    }

    @Test
    void releasingTwiceOrAForeignBlockIsRefused() {
        CachingAllocator<Object> allocator = new CachingAllocator<>(new FakeDevice(1000));
        Object a = allocator.allocate(10);
        allocator.release(a);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> allocator.release(a));
        assertTrue(e.getMessage().contains("released twice"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> allocator.release(new Object()));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(0));
    }

    /** The backend closes last: its blocks, live ones included, go back to the device then, and only then. */
    @Test
    void closeFreesEveryBlockLiveOrCachedAndRefusesLaterUse() {
        FakeDevice device = new FakeDevice(1 << 20);
        CachingAllocator<Object> allocator = new CachingAllocator<>(device);
        Object kept = allocator.allocate(64);
        allocator.release(allocator.allocate(128));
        allocator.close();
        assertTrue(device.outstanding.isEmpty(), "nothing leaks");
        assertEquals(0, allocator.liveBlocks());
        assertEquals(0, allocator.liveBytes());
        assertThrows(IllegalStateException.class, () -> allocator.release(kept));
        assertThrows(IllegalStateException.class, () -> allocator.allocate(1));
        allocator.close();
    }

    @Test
    void sizesReadInBinaryUnitsWithTheExactCount() {
        assertEquals("1023 B", CachingAllocator.bytes(1023));
        assertEquals("1.5 KiB (1536 bytes)", CachingAllocator.bytes(1536));
        assertEquals("2.0 GiB (2147483648 bytes)", CachingAllocator.bytes(1L << 31));
    }
}
