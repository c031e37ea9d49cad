package io.jcnn.tensor;

import io.jcnn.backend.Backend;

/**
 * A float32 tensor living on one backend's device. A tensor made by {@link Backend#allocate} owns its storage and
 * frees it on {@link #close()}; a {@link #reshape view} shares the storage of its source and frees nothing.
 * Copies between devices are explicit ({@link #copyTo}); nothing moves behind the user's back.
 */
public final class Tensor implements AutoCloseable {
    private final Backend backend;
    private final Shape shape;
    private final Storage storage;
    /** Null for a tensor that owns its storage; for a view, the tensor that owns it (whose close frees it). */
    private final Tensor source;
    private boolean closed;

    /** For backends: wraps storage this tensor will own. */
    public Tensor(Backend backend, Shape shape, Storage storage) {
        this(backend, shape, storage, null);
    }

    private Tensor(Backend backend, Shape shape, Storage storage, Tensor source) {
        if (storage.capacity() < shape.size()) {
            throw new IllegalArgumentException("storage of " + storage.capacity() + " floats cannot hold shape " + shape);
        }
        this.backend = backend;
        this.shape = shape;
        this.storage = storage;
        this.source = source;
    }

    /** The backend whose device holds this tensor; every op on it goes through that backend. */
    public Backend backend() {
        return backend;
    }

    /** The dimensions, outermost first. */
    public Shape shape() {
        return shape;
    }

    /** Number of elements. */
    public int size() {
        return shape.size();
    }

    /** The device memory; for backends, which check that it is theirs before reading it. */
    public Storage storage() {
        if (closed) {
            throw new IllegalStateException("tensor " + shape + " on " + backend.name() + " is closed");
        }
        if (source != null && source.isClosed()) {
            // Its memory is freed (and on a GPU possibly reused): reading it would return another tensor's data.
            throw new IllegalStateException("view " + shape + " on " + backend.name() + " of tensor "
                    + source.shape() + ", which is closed");
        }
        return storage;
    }

    /** Whether this tensor was closed or, for a view, the tensor owning its storage was; either way it is unusable. */
    public boolean isClosed() {
        return closed || (source != null && source.isClosed());
    }

    /** A view with another shape of the same element count; it shares storage and owns nothing. */
    public Tensor reshape(Shape newShape) {
        if (newShape.size() != shape.size()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " (" + shape.size() + " elements) to "
                    + newShape + " (" + newShape.size() + " elements)");
        }
        return new Tensor(backend, newShape, storage(), owningTensor());
    }

    /**
     * For backends that wrap another one (such as {@code CheckedBackend}): this tensor as the wrapped backend, which
     * owns the storage, sees it. A view: it shares the storage and owns nothing.
     */
    public Tensor viewOn(Backend storageOwner) {
        return new Tensor(storageOwner, shape, storage(), owningTensor());
    }

    private Tensor owningTensor() {
        return source != null ? source : this;
    }

    /** Downloads the elements to a new host array (row-major, outermost dimension first). */
    public float[] toArray() {
        float[] out = new float[shape.size()];
        backend.download(this, out);
        return out;
    }

    /** Uploads {@code values} (row-major) into this tensor. */
    public void copyFrom(float[] values) {
        backend.upload(values, this);
    }

    /** An explicit copy of this tensor on {@code target}; the caller owns the result. */
    public Tensor copyTo(Backend target) {
        float[] values = toArray();
        Tensor copy = target.allocate(shape);
        try {
            copy.copyFrom(values);
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
        return copy;
    }

    /** Frees the storage if this tensor owns it. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (source == null) {
                storage.release();
            }
        }
    }

    @Override
    public String toString() {
        return "Tensor(" + shape + " on " + backend.name() + (source == null ? "" : ", view") + (isClosed() ? ", closed" : "") + ")";
    }
}
