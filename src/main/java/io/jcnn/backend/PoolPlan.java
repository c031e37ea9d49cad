package io.jcnn.backend;

/** What a backend decided, once, for one pooling shape. Made by {@link Backend#planPool2d}. */
public class PoolPlan implements AutoCloseable {
    private final Backend backend;
    private final PoolGeometry geometry;

    protected PoolPlan(Backend backend, PoolGeometry geometry) {
        this.backend = backend;
        this.geometry = geometry;
    }

    public Backend backend() {
        return backend;
    }

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
