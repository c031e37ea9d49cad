package io.jcnn.backend;

/** What a backend decided, once, for one pooling shape. Made by {@link Backend#planPool2d}. */
public class PoolPlan implements AutoCloseable {
    private final Backend backend;
    private final PoolGeometry geometry;

    /** For backends: a plan of {@code backend} for {@code geometry}; subclasses add their own state. */
    protected PoolPlan(Backend backend, PoolGeometry geometry) {
        this.backend = backend;
        this.geometry = geometry;
    }

    /** The backend that made this plan, the only one that may run it. */
    public Backend backend() {
        return backend;
    }

    /** The validated shapes this plan runs. */
    public PoolGeometry geometry() {
        return geometry;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "PoolPlan(" + geometry.input() + " -> " + geometry.output() + ", " + geometry.spec() + ")";
    }
}
