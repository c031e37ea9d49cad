package io.jcnn.backend.cuda;

/**
 * Raw device memory, as {@link CachingAllocator} uses it: the driver's allocate, free and free-bytes query, with
 * out-of-memory told apart from other failures so the allocator can flush its cache and retry.
 *
 * @param <P> the device pointer type (JCuda's {@code CUdeviceptr} on a GPU)
 */
interface DeviceMemory<P> {

    /** A new block of {@code bytes} bytes, or null when the device is out of memory; any other failure throws. */
    P allocate(long bytes);

    /** Returns a block from {@link #allocate} to the device. */
    void free(P pointer);

    /** Bytes the device has free now, for error messages. */
    long freeBytes();
}
