package io.jcnn.nn;

import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolSpec;

/** Max pooling over kernel windows. */
public final class MaxPool2d extends Pool2d {
    /** Square kernel and stride, no padding (LeNet: 2, 2; AlexNet: 3, 2). */
    public MaxPool2d(String name, int kernel, int stride) {
        this(name, PoolSpec.of(PoolMode.MAX, kernel, stride));
    }

    /**
     * Max pooling with any kernel, stride and padding.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, or {@code spec} is null or not a
     *     {@link PoolMode#MAX} spec
     */
    public MaxPool2d(String name, PoolSpec spec) {
        super(name, requireMode(name, spec, PoolMode.MAX));
    }

    static PoolSpec requireMode(String name, PoolSpec spec, PoolMode mode) {
        if (spec == null || spec.mode() != mode) {
            throw new IllegalArgumentException("pool layer '" + name + "' needs a " + mode + " PoolSpec, got " + spec);
        }
        return spec;
    }
}
