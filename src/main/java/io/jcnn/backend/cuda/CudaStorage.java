package io.jcnn.backend.cuda;

import io.jcnn.tensor.Storage;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

/** A block of device memory owned by one tensor of a {@link CudaBackend}; released to its allocator exactly once. */
final class CudaStorage implements Storage {
    final CUdeviceptr pointer;
    /** The event of an upload into this storage the compute stream has not waited for yet (see PinnedUploads). */
    CUevent pendingUpload;
    final CudaBackend owner;
    private final int capacity;
    private boolean released;

    CudaStorage(CudaBackend owner, CUdeviceptr pointer, int capacity) {
        this.owner = owner;
        this.pointer = pointer;
        this.capacity = capacity;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void release() {
        if (!released) {
            released = true;
            owner.release(this);
        }
    }
}
