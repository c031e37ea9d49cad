package io.jcnn.backend;

/**
 * Hyper-parameters of a 2-D convolution (cross-correlation, as in cuDNN and Caffe).
 *
 * @param strideH vertical stride, at least 1
 * @param strideW horizontal stride, at least 1
 * @param padH    zero rows added above and below, at least 0
 * @param padW    zero columns added left and right, at least 0
 * @param dilationH spacing between kernel rows, at least 1
 * @param dilationW spacing between kernel columns, at least 1
 * @param groups  input and output channels split into this many independent groups, at least 1
 */
public record ConvSpec(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
    /**
     * Validates the hyper-parameters.
     *
     * @throws IllegalArgumentException if a stride or dilation is below 1, a padding below 0 or groups below 1
     */
    public ConvSpec {
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("conv stride must be at least 1, got " + strideH + "×" + strideW);
        }
        if (padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv padding must be at least 0, got " + padH + "×" + padW);
        }
        if (dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("conv dilation must be at least 1, got " + dilationH + "×" + dilationW);
        }
        if (groups < 1) {
            throw new IllegalArgumentException("conv groups must be at least 1, got " + groups);
        }
    }

    /** Stride 1, no padding, no dilation, one group. */
    public static ConvSpec defaults() {
        return new ConvSpec(1, 1, 0, 0, 1, 1, 1);
    }

    /** Square stride and padding, no dilation, one group. */
    public static ConvSpec of(int stride, int pad) {
        return new ConvSpec(stride, stride, pad, pad, 1, 1, 1);
    }

    /**
     * This spec with dilation {@code dilation} in both directions.
     *
     * @throws IllegalArgumentException if {@code dilation} is below 1
     */
    public ConvSpec withDilation(int dilation) {
        return new ConvSpec(strideH, strideW, padH, padW, dilation, dilation, groups);
    }

    /**
     * This spec with {@code g} channel groups.
     *
     * @throws IllegalArgumentException if {@code g} is below 1
     */
    public ConvSpec withGroups(int g) {
        return new ConvSpec(strideH, strideW, padH, padW, dilationH, dilationW, g);
    }
}
