package io.jcnn.backend.cpu;

import io.jcnn.tensor.Storage;

/** A heap float array owned by one tensor of the CPU backend. */
final class CpuStorage implements Storage {
    final float[] data;
    private final CpuBackend owner;
    private boolean released;

    CpuStorage(CpuBackend owner, int size) {
        this.owner = owner;
        this.data = new float[size];
    }

    @Override
    public int capacity() {
        return data.length;
    }

    @Override
    public void release() {
        if (!released) {
            released = true;
            owner.onRelease(this);
        }
    }
}
