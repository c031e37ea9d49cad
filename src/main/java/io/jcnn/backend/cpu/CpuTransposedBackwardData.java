package io.jcnn.backend.cpu;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvSpec;
import io.jcnn.tensor.Shape;

/**
 * Backward-data of a stride-1 convolution run as the forward of its transpose: dx = dy ⋆ w′ with w′[c][k][r][s] =
 * w[k][c][R−1−r][S−1−s] (channels swapped, taps turned by 180°) and padding R−1−pad. A "same" 3×3 convolution's
 * transpose is again a "same" 3×3 convolution, so backward-data gets forward's specialised algorithms
 * ({@link CpuWinogradConvolution}, {@link CpuChannelVectorConvolution}) instead of the fused GEMM plus col2im.
 *
 * <p>Taken only for "same" padding ((R−1)/2, whose transpose is the same): a "valid" convolution's transpose pads by
 * R−1 on every side (LeNet conv2: a 12×12 result from 8×8 gradients), and the padded zeros cost more than the
 * specialised kernels save. One instance per plan: it owns the turned filter, rebuilt on every call because the
 * weights change between steps (K·C·R·S floats, a small cost next to the convolution). Results are those of the
 * chosen forward algorithm on the turned filter, hence reproducible for a thread count.
 */
final class CpuTransposedBackwardData {
    /**
     * Input channels below which backward-data keeps the GEMM route rather than Winograd on the transpose, whose
     * filters then have as few output channels: AlexNet-32 conv1's (one input channel) ran 6.5 times slower there.
     */
    static final int MIN_WINOGRAD_CHANNELS = 16;

    private final ConvGeometry geometry;
    private final ConvGeometry transposed;
    private final CpuConvForward algorithm;
    private final CpuWinogradConvolution.FilterCache filterCache;
    private final float[] turned;

    private CpuTransposedBackwardData(ConvGeometry geometry, ConvGeometry transposed, CpuConvForward algorithm) {
        this.geometry = geometry;
        this.transposed = transposed;
        this.algorithm = algorithm;
        this.filterCache = algorithm.newFilterCache();
        this.turned = new float[geometry.filter().size()];
    }

    /** This geometry's transposed backward-data, or null where it does not apply or would not pay. */
    static CpuTransposedBackwardData plan(ConvGeometry g) {
        ConvGeometry t = transpose(g);
        if (t == null) {
            return null;
        }
        CpuConvForward algorithm = CpuConvForward.choose(t);
        boolean pays = algorithm == CpuConvForward.CHANNEL_VECTOR
                || algorithm == CpuConvForward.WINOGRAD && t.outChannels() >= MIN_WINOGRAD_CHANNELS;
        return pays ? new CpuTransposedBackwardData(g, t, algorithm) : null;
    }

    /**
     * The forward geometry whose result is g's backward-data, or null unless g has stride 1, no dilation, one group
     * and "same" padding.
     */
    static ConvGeometry transpose(ConvGeometry g) {
        ConvSpec s = g.spec();
        int r = g.kernelH();
        int sw = g.kernelW();
        if (s.strideH() != 1 || s.strideW() != 1 || s.dilationH() != 1 || s.dilationW() != 1 || s.groups() != 1
                || 2 * s.padH() != r - 1 || 2 * s.padW() != sw - 1) {
            return null;
        }
        Shape dy = g.output();
        Shape filter = Shape.nchw(g.inChannels(), g.outChannels(), r, sw);
        return ConvGeometry.of("backward-data", dy, filter,
                new ConvSpec(1, 1, r - 1 - s.padH(), sw - 1 - s.padW(), 1, 1, 1));
    }

    /** Floats of shared workspace this needs, for the plan's reservation. */
    long workspaceFloats(int threads) {
        return algorithm.workspaceFloats(transposed, threads);
    }

    /** The algorithm in words, for a plan's description. */
    String describe() {
        return algorithm.label() + " on the transpose";
    }

    /** dx = the gradient of g's input for output gradient dy and filter w; dx is overwritten. */
    void backwardData(CpuParallel parallel, float[] dy, float[] w, float[] dx, float[] workspace) {
        int k = geometry.outChannels();
        int c = geometry.inChannels();
        int taps = geometry.kernelH() * geometry.kernelW();
        for (int kk = 0; kk < k; kk++) {
            for (int cc = 0; cc < c; cc++) {
                int from = (kk * c + cc) * taps;
                int to = (cc * k + kk) * taps + taps - 1;
                for (int t = 0; t < taps; t++) {
                    turned[to - t] = w[from + t];
                }
            }
        }
        algorithm.forward(parallel, transposed, dy, turned, null, dx, workspace, filterCache);
    }
}
