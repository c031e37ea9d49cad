package io.jcnn.backend;

/**
 * What a backend decided, once, for one shape of an op: the validated geometry plus whatever the backend keeps for
 * it (descriptors, algorithms, buffers). Closing it releases that state, once; ops refuse a closed plan with an
 * {@link IllegalStateException}, so a backend never reaches descriptors or buffers that are gone.
 *
 * @param <G> the geometry type
 */
public abstract class Plan<G> implements AutoCloseable {
    private final Backend backend;
    private final G geometry;
    private boolean closed;

    /** For backends: a plan of {@code backend} for {@code geometry}; subclasses add their own state. */
    protected Plan(Backend backend, G geometry) {
        this.backend = backend;
        this.geometry = geometry;
    }

    /** The backend that made this plan, the only one that may run it. */
    public Backend backend() {
        return backend;
    }

    /** The validated shapes this plan runs. */
    public G geometry() {
        return geometry;
    }

    /** Releases the plan's state; later calls do nothing. */
    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }

    /** Whether {@link #close()} was called. */
    public final boolean isClosed() {
        return closed;
    }

    /** For backends: frees this plan's own state; called once, by the first {@link #close()}. */
    protected void release() {
    }
}
