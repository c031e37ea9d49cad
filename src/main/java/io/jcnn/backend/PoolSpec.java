package io.jcnn.backend;

/**
 * Hyper-parameters of 2-D pooling. Output size rounds down: P = (H + 2·padH − kernelH) / strideH + 1.
 * Padding must be smaller than the kernel so every window covers at least one real input element.
 */
public record PoolSpec(PoolMode mode, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    /**
     * Validates the hyper-parameters.
     *
     * @throws IllegalArgumentException if mode is null, a kernel side or stride is below 1, or a padding is negative or
     *     not smaller than the kernel
     */
    public PoolSpec {
        if (mode == null) {
            throw new IllegalArgumentException("pool mode must be MAX or AVERAGE, got null");
        }
        if (kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("pool kernel must be at least 1×1, got " + kernelH + "×" + kernelW);
        }
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("pool stride must be at least 1, got " + strideH + "×" + strideW);
        }
        if (padH < 0 || padW < 0 || padH >= kernelH || padW >= kernelW) {
            throw new IllegalArgumentException("pool padding must be in [0, kernel), got " + padH + "×" + padW
                    + " for kernel " + kernelH + "×" + kernelW);
        }
    }

    /** Square kernel and stride, no padding. */
    public static PoolSpec of(PoolMode mode, int kernel, int stride) {
        return new PoolSpec(mode, kernel, kernel, stride, stride, 0, 0);
    }

    /** Square kernel, stride and padding. */
    public static PoolSpec of(PoolMode mode, int kernel, int stride, int pad) {
        return new PoolSpec(mode, kernel, kernel, stride, stride, pad, pad);
    }
}
