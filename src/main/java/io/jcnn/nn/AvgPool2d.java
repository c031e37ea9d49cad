package io.jcnn.nn;

import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolSpec;

/** Average pooling over kernel windows, dividing by the full kernel area. */
public final class AvgPool2d extends Pool2d {
    /** Square kernel and stride, no padding. */
    public AvgPool2d(String name, int kernel, int stride) {
        this(name, PoolSpec.of(PoolMode.AVERAGE, kernel, stride));
    }

    /**
     * Average pooling with any kernel, stride and padding.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, or {@code spec} is null or not an
     *     {@link PoolMode#AVERAGE} spec
     */
    public AvgPool2d(String name, PoolSpec spec) {
        super(name, MaxPool2d.requireMode(name, spec, PoolMode.AVERAGE));
    }
}
