package io.jcnn.backend.cpu;

import io.jcnn.backend.PoolGeometry;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolSpec;
import java.util.Arrays;

/**
 * Max and average pooling on the CPU, split over the N·C planes (each plane's input and output belong to one
 * thread, so backward's overlapping windows accumulate without races and in a fixed order).
 *
 * <p>Windows are clipped to the real input: padding never wins a max, and average pooling divides by the full
 * kernel area, padded cells counting as zeros (Caffe's and cuDNN's default).
 */
final class CpuPooling {
    private static final int MIN_CHUNK_ELEMENTS = 1 << 13;
    /** Input elements per block of planes that backward's ReLU masks at once: 64 KiB of dx, still in L1 or L2. */
    private static final int RELU_BLOCK_ELEMENTS = 1 << 14;

    private CpuPooling() {
    }

    static void forward(CpuParallel parallel, PoolGeometry g, float[] x, float[] y) {
        PoolSpec spec = g.spec();
        int h = g.input().height();
        int w = g.input().width();
        int p = g.output().height();
        int q = g.output().width();
        int planes = g.input().batch() * g.input().channels();
        boolean max = spec.mode() == PoolMode.MAX;
        float inverseArea = 1f / (spec.kernelH() * spec.kernelW());
        if (isTiling(spec)) {
            boolean vector = max && spec.kernelH() == 2 && spec.kernelW() == 2 && CpuConvolution.fusedAvailable();
            parallel.forRange(planes, Math.max(1, MIN_CHUNK_ELEMENTS / (h * w)), (chunk, start, end) -> {
                if (vector) {
                    CpuVectorPooling.max2x2(h, w, p, q, x, y, start, end);
                } else {
                    CpuTiledPooling.forward(spec.kernelH(), spec.kernelW(), max, inverseArea, h, w, p, q,
                            x, y, start, end);
                }
            });
            return;
        }
        parallel.forRange(planes, Math.max(1, MIN_CHUNK_ELEMENTS / (h * w)), (chunk, start, end) -> {
            for (int plane = start; plane < end; plane++) {
                int xPlane = plane * h * w;
                int yPlane = plane * p * q;
                for (int op = 0; op < p; op++) {
                    int h0 = Math.max(0, op * spec.strideH() - spec.padH());
                    int h1 = Math.min(h, op * spec.strideH() - spec.padH() + spec.kernelH());
                    for (int oq = 0; oq < q; oq++) {
                        int w0 = Math.max(0, oq * spec.strideW() - spec.padW());
                        int w1 = Math.min(w, oq * spec.strideW() - spec.padW() + spec.kernelW());
                        y[yPlane + op * q + oq] = max
                                ? x[xPlane + argMax(x, xPlane, w, h0, h1, w0, w1)]
                                : sum(x, xPlane, w, h0, h1, w0, w1) * inverseArea;
                    }
                }
            }
        });
    }

    /**
     * dx from x and dy; with {@code relu}, then ReLU's backward in place on dx with x as the ReLU's output (see
     * {@code Backend.pool2dReluBackward}), applied to each block of planes right after it is written, while the block
     * is still in cache, instead of in a second pass over memory. The bits are those of the two ops in turn.
     */
    static void backward(CpuParallel parallel, PoolGeometry g, float[] x, float[] y, float[] dy, float[] dx,
                         boolean relu) {
        PoolSpec spec = g.spec();
        int h = g.input().height();
        int w = g.input().width();
        int p = g.output().height();
        int q = g.output().width();
        int planes = g.input().batch() * g.input().channels();
        boolean max = spec.mode() == PoolMode.MAX;
        float inverseArea = 1f / (spec.kernelH() * spec.kernelW());
        boolean vector = CpuConvolution.fusedAvailable();
        int planeSize = h * w;
        if (isTiling(spec)) {
            int reluBlock = Math.max(1, RELU_BLOCK_ELEMENTS / planeSize);
            parallel.forRange(planes, Math.max(1, MIN_CHUNK_ELEMENTS / planeSize), (chunk, start, end) -> {
                int block = relu ? reluBlock : end - start;
                for (int from = start; from < end; from += block) {
                    int to = Math.min(end, from + block);
                    CpuTiledPooling.backward(spec.kernelH(), spec.kernelW(), max, inverseArea, h, w, p, q,
                            x, dy, dx, from, to, vector);
                    if (relu) {
                        CpuActivations.reluBackward(x, dx, dx, from * planeSize, to * planeSize, vector);
                    }
                }
            });
            return;
        }
        parallel.forRange(planes, Math.max(1, MIN_CHUNK_ELEMENTS / planeSize), (chunk, start, end) -> {
            for (int plane = start; plane < end; plane++) {
                int xPlane = plane * h * w;
                int yPlane = plane * p * q;
                Arrays.fill(dx, xPlane, xPlane + h * w, 0f);
                for (int op = 0; op < p; op++) {
                    int h0 = Math.max(0, op * spec.strideH() - spec.padH());
                    int h1 = Math.min(h, op * spec.strideH() - spec.padH() + spec.kernelH());
                    for (int oq = 0; oq < q; oq++) {
                        int w0 = Math.max(0, oq * spec.strideW() - spec.padW());
                        int w1 = Math.min(w, oq * spec.strideW() - spec.padW() + spec.kernelW());
                        float gradient = dy[yPlane + op * q + oq];
                        if (max) {
                            dx[xPlane + argMax(x, xPlane, w, h0, h1, w0, w1)] += gradient;
                        } else {
                            float share = gradient * inverseArea;
                            for (int ih = h0; ih < h1; ih++) {
                                int row = xPlane + ih * w;
                                for (int iw = w0; iw < w1; iw++) {
                                    dx[row + iw] += share;
                                }
                            }
                        }
                    }
                }
                if (relu) {
                    CpuActivations.reluBackward(x, dx, dx, xPlane, xPlane + planeSize, vector);
                }
            }
        });
    }

    /** Windows that tile the input without overlap or padding (LeNet's and most CNNs' 2×2/2), the fast path. */
    private static boolean isTiling(PoolSpec spec) {
        return spec.strideH() == spec.kernelH() && spec.strideW() == spec.kernelW()
                && spec.padH() == 0 && spec.padW() == 0;
    }

    /**
     * Offset within the plane of the first maximum of the window in row-major order (strictly greater replaces, so
     * ties keep the earliest). Recomputed from x in backward rather than matched against y, which gives the same
     * element for y produced by {@link #forward}.
     */
    private static int argMax(float[] x, int plane, int w, int h0, int h1, int w0, int w1) {
        int best = h0 * w + w0;
        float bestValue = x[plane + best];
        for (int ih = h0; ih < h1; ih++) {
            int row = ih * w;
            for (int iw = w0; iw < w1; iw++) {
                float v = x[plane + row + iw];
                if (v > bestValue) {
                    bestValue = v;
                    best = row + iw;
                }
            }
        }
        return best;
    }

    private static float sum(float[] x, int plane, int w, int h0, int h1, int w0, int w1) {
        float total = 0f;
        for (int ih = h0; ih < h1; ih++) {
            int row = plane + ih * w;
            for (int iw = w0; iw < w1; iw++) {
                total += x[row + iw];
            }
        }
        return total;
    }
}
