package io.jcnn.backend;

/** What a backend decided, once, for one pooling shape. Made by {@link Backend#planPool2d}. */
public class PoolPlan extends Plan<PoolGeometry> {
    /** For backends: a plan of {@code backend} for {@code geometry}; subclasses add their own state. */
    protected PoolPlan(Backend backend, PoolGeometry geometry) {
        super(backend, geometry);
    }

    @Override
    public String toString() {
        return "PoolPlan(" + geometry().input() + " -> " + geometry().output() + ", " + geometry().spec() + ")";
    }
}
