package io.jcnn.backend;

/**
 * What a backend decided, once, for one convolution shape: the geometry plus backend-specific state such as
 * descriptors, a chosen algorithm and the workspace it needs. Made by {@link Backend#planConv2d}; closing it
 * releases that state.
 */
public class ConvPlan extends Plan<ConvGeometry> {
    /** For backends: a plan of {@code backend} for {@code geometry}; subclasses add their own state. */
    protected ConvPlan(Backend backend, ConvGeometry geometry) {
        super(backend, geometry);
    }

    /**
     * How the backend computes the passes for this shape, in words ("forward by winograd, backward-data by fused
     * gemm, ..."), for {@code jcnn info --model} and logs; empty where the backend does not say.
     */
    public String algorithms() {
        return "";
    }

    @Override
    public String toString() {
        return "ConvPlan(" + geometry().input() + " * " + geometry().filter() + " -> " + geometry().output() + ", "
                + geometry().spec() + ")";
    }
}
