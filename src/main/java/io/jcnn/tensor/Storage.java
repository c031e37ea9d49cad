package io.jcnn.tensor;

/**
 * Memory that holds a tensor's elements on one device. Each backend has its own kind; only that backend reads it.
 * Released exactly once, by the tensor that owns it.
 */
public interface Storage {
    /** Capacity in float32 elements. */
    int capacity();

    /** Returns the memory to its backend. Called once, by the owning tensor. */
    void release();
}
