package io.jcnn.backend;

import io.jcnn.tensor.Shape;

/** The shapes of one pooling: input N×C×H×W, output N×C×P×Q. Validated on construction. */
public record PoolGeometry(Shape input, PoolSpec spec, Shape output) {

    /**
     * Validates the combination and computes the output shape N×C×P×Q; {@code op} names the caller in errors.
     *
     * @throws IllegalArgumentException if the input is not N×C×H×W or the kernel is larger than the padded input
     */
    public static PoolGeometry of(String op, Shape input, PoolSpec spec) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be N×C×H×W, got " + input);
        }
        int paddedH = input.height() + 2 * spec.padH();
        int paddedW = input.width() + 2 * spec.padW();
        if (spec.kernelH() > paddedH || spec.kernelW() > paddedW) {
            throw new IllegalArgumentException(op + ": kernel " + spec.kernelH() + "×" + spec.kernelW()
                    + " is larger than the padded input " + paddedH + "×" + paddedW + " of " + input);
        }
        int p = (paddedH - spec.kernelH()) / spec.strideH() + 1;
        int q = (paddedW - spec.kernelW()) / spec.strideW() + 1;
        return new PoolGeometry(input, spec, Shape.nchw(input.batch(), input.channels(), p, q));
    }
}
