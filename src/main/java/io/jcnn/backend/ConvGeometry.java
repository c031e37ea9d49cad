package io.jcnn.backend;

import io.jcnn.tensor.Shape;

/**
 * The shapes of one convolution: input N×C×H×W, filter K×(C/groups)×R×S, output N×K×P×Q with
 * P = (H + 2·padH − dilationH·(R−1) − 1) / strideH + 1 (and likewise Q). Validated on construction.
 */
public record ConvGeometry(Shape input, Shape filter, ConvSpec spec, Shape output) {

    /** Validates the combination and computes the output shape; {@code op} names the caller in errors. */
    public static ConvGeometry of(String op, Shape input, Shape filter, ConvSpec spec) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be N×C×H×W, got " + input);
        }
        if (filter.rank() != 4) {
            throw new IllegalArgumentException(op + ": filter must be K×C/groups×R×S, got " + filter);
        }
        int c = input.channels();
        int k = filter.dim(0);
        int g = spec.groups();
        if (c % g != 0 || k % g != 0) {
            throw new IllegalArgumentException(op + ": groups=" + g + " must divide input channels " + c
                    + " and output channels " + k);
        }
        if (filter.dim(1) * g != c) {
            throw new IllegalArgumentException(op + ": filter " + filter + " expects " + filter.dim(1) * g
                    + " input channels (" + filter.dim(1) + " per group × " + g + " groups), input " + input
                    + " has " + c);
        }
        int effectiveR = spec.dilationH() * (filter.dim(2) - 1) + 1;
        int effectiveS = spec.dilationW() * (filter.dim(3) - 1) + 1;
        int paddedH = input.height() + 2 * spec.padH();
        int paddedW = input.width() + 2 * spec.padW();
        if (effectiveR > paddedH || effectiveS > paddedW) {
            throw new IllegalArgumentException(op + ": kernel " + filter.dim(2) + "×" + filter.dim(3)
                    + " (dilated " + effectiveR + "×" + effectiveS + ") is larger than the padded input "
                    + paddedH + "×" + paddedW + " of " + input);
        }
        int p = (paddedH - effectiveR) / spec.strideH() + 1;
        int q = (paddedW - effectiveS) / spec.strideW() + 1;
        return new ConvGeometry(input, filter, spec, Shape.nchw(input.batch(), k, p, q));
    }

    /** Batch size N. */
    public int batch() { return input.batch(); }
    /** Input channels C. */
    public int inChannels() { return input.channels(); }
    /** Input height H. */
    public int inHeight() { return input.height(); }
    /** Input width W. */
    public int inWidth() { return input.width(); }
    /** Output channels K (filters). */
    public int outChannels() { return filter.dim(0); }
    /** Kernel height R, before dilation. */
    public int kernelH() { return filter.dim(2); }
    /** Kernel width S, before dilation. */
    public int kernelW() { return filter.dim(3); }
    /** Output height P. */
    public int outHeight() { return output.height(); }
    /** Output width Q. */
    public int outWidth() { return output.width(); }
    /** Number of channel groups (1 for an ordinary convolution). */
    public int groups() { return spec.groups(); }

    /** Multiply-adds of the forward pass times two: the FLOP count benchmarks report. */
    public double forwardFlops() {
        return 2.0 * output.size() * filter.dim(1) * kernelH() * kernelW();
    }
}
