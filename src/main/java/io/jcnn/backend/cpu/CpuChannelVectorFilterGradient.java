package io.jcnn.backend.cpu;

import io.jcnn.backend.cpu.CpuConvolution.Dims;
import java.util.Arrays;

/**
 * Backward-filter for stride-1 convolutions with output channels along the vector lanes and no column matrix:
 * dw[k][t] = Σ over images n and output pixels (p, q) of dy[n][k][p][q] · x[n][c][p + r][q + s], tap t = (c, r, s).
 * Each step of the kernel ({@link CpuChannelVectorGradientKernels}) multiplies one pixel's dy for a panel of output
 * channels (two to four vectors, from dy transposed once into pixel-major panels) by that pixel's input value under
 * each tap of a block (broadcast straight from x, whose rows the taps read at fixed offsets), into one vector
 * accumulator per tap and vector: blocks of {@value #TAPS} taps × two vectors, or where vectors are 512 bits (32
 * registers) 24 accumulators: twelve taps × two vectors, or eight × three or six × four where the output channels
 * make whole panels of three or four vectors.
 *
 * <p>The im2row route expands x into a B·P·Q × C·R·S matrix (eleven times the input for LeNet conv2), writes it, and
 * packs it again for the GEMM; on LeNet conv2 and AlexNet-32's 3×3 layers that layout work took about as long as the
 * multiplications. Here x is read where it lies (copied once with a zero border when the convolution pads), and the
 * only layout work is transposing dy, a tenth of the size.
 *
 * <p>Steps run over pixels in a flat loop (C2 boxes vector accumulators that cross nested loops), in blocks of
 * 32 KiB of dy so that a block of dy panels stays in cache while each thread runs all its tap blocks
 * over it; the accumulators go to memory between blocks, which changes no bit. Threads split the taps, so every
 * dw element is one chain of fused multiply-adds over the pixels in order, image by image, row by row: the result
 * has the same bits for every thread count and block size. Only loaded where the vector kernel runs.
 */
final class CpuChannelVectorFilterGradient {
    private static final int LANES = CpuVectorWidth.LANES;
    /** Output channels per narrow panel: two vectors. */
    private static final int PANEL = 2 * LANES;
    /** Taps per block: with two vectors each, twelve accumulators, which fit AVX2's sixteen registers. */
    static final int TAPS = 6;
    /** Taps per block with 512-bit vectors: 24 accumulators, half the dy loads and loop overhead per multiply-add. */
    static final int WIDE_TAPS = 12;
    /** Pixels per cache block of narrow panels: 256 × 2·LANES floats of dy is 32 KiB at 512 bits. */
    static final int BLOCK_STEPS = 256;
    /** Pixels per run of the transposition of dy: 64 × 2·LANES floats is 8 KiB at 512 bits. */
    private static final int TRANSPOSE_RUN = 64;

    /** A tap block's offsets into x, per thread. */
    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[WIDE_TAPS]);

    private CpuChannelVectorFilterGradient() {
    }

    /**
     * Whether this path computes backward-filter for the geometry: stride and dilation 1, one group, and enough
     * output channels and taps to fill the tile at least half (fewer take the GEMM or direct routes). AlexNet-32's
     * conv1 (9 taps, one input channel) qualifies: its im2row GEMM, 32 × 9 per pixel, ran at a tenth of this speed.
     */
    static boolean applies(Dims d) {
        return d.strideH == 1 && d.strideW == 1 && d.dilationH == 1 && d.dilationW == 1 && d.groups == 1
                && 2 * d.k >= PANEL && d.crsPerGroup >= TAPS;
    }

    /** Floats of workspace: dy's panels, the accumulators, and the zero-bordered copy of x where it pads. */
    static long workspaceFloats(Dims d) {
        return panelFloats(d) + accumulatorFloats(d) + paddedFloats(d);
    }

    /**
     * Vectors of output channels per panel ({@link CpuChannelVectorKernels#vectorsPerPanel}), where there are taps
     * enough for the threads (six or eight per block); else two.
     */
    static int vectors(Dims d) {
        return d.crsPerGroup >= 4 * WIDE_TAPS ? CpuChannelVectorKernels.vectorsPerPanel(d.k) : 2;
    }

    private static int panelWidth(Dims d) {
        return vectors(d) * LANES;
    }

    private static int panels(Dims d) {
        return (d.k + panelWidth(d) - 1) / panelWidth(d);
    }

    private static long panelFloats(Dims d) {
        return (long) panels(d) * d.n * d.pq * panelWidth(d);
    }

    /**
     * Taps per block for this geometry. Which one changes no bit (every dw element is its own chain over the pixels),
     * only the speed: threads split the blocks, so few taps (AlexNet-32 conv1's 9) keep the narrow ones.
     */
    static int tapsPerBlock(Dims d) {
        return switch (vectors(d)) {
            case 4 -> 6;
            case 3 -> 8;
            default -> LANES >= 16 && d.crsPerGroup >= 4 * WIDE_TAPS ? WIDE_TAPS : TAPS;
        };
    }

    /** Pixels per cache block: 8,192 floats of dy panels (32 KiB) whatever the panel's width. */
    private static int blockSteps(Dims d) {
        return BLOCK_STEPS * PANEL / panelWidth(d);
    }

    private static int tapBlocks(Dims d) {
        return (d.crsPerGroup + tapsPerBlock(d) - 1) / tapsPerBlock(d);
    }

    private static long accumulatorFloats(Dims d) {
        return (long) tapBlocks(d) * panels(d) * tapsPerBlock(d) * panelWidth(d);
    }

    private static boolean padded(Dims d) {
        return d.padH > 0 || d.padW > 0;
    }

    private static long paddedFloats(Dims d) {
        return padded(d) ? CpuFrame.floats(d.n * d.c, d.h, d.w, d.padH, d.padW) : 0;
    }

    /** dw (K × C·R·S) = the filter gradient of x and dy, overwriting it. */
    static void compute(CpuParallel parallel, Dims d, float[] x, float[] dy, float[] dw, float[] ws) {
        int panels = panels(d);
        int panelOffset = 0;
        int accumulators = (int) panelFloats(d);
        int paddedOffset = (int) (accumulators + accumulatorFloats(d));
        int hp = d.h + 2 * d.padH;
        int wp = d.w + 2 * d.padW;
        float[] source = x;
        int sourceOffset = 0;
        if (padded(d)) {
            parallel.forRange(d.n * d.c, 1,
                    (chunk, start, end) -> CpuFrame.copy(x, d.h, d.w, d.padH, d.padW, ws, paddedOffset, start, end));
            source = ws;
            sourceOffset = paddedOffset;
        }
        parallel.forRange(d.n, 1, (chunk, start, end) -> transpose(d, dy, ws, panelOffset, start, end));
        float[] in = source;
        int inOffset = sourceOffset;
        int blocks = tapBlocks(d);
        int width = tapsPerBlock(d);
        int vectors = vectors(d);
        int pw = panelWidth(d);
        int blockSteps = blockSteps(d);
        parallel.forRange(blocks, 1, (chunk, start, end) -> {
            int[] offsets = OFFSETS.get();
            int steps = d.n * d.pq;
            for (int j0 = 0; j0 < steps; j0 += blockSteps) {
                int count = Math.min(blockSteps, steps - j0);
                for (int block = start; block < end; block++) {
                    tapOffsets(d, block, width, hp, wp, offsets);
                    for (int panel = 0; panel < panels; panel++) {
                        int acc = accumulators + (block * panels + panel) * width * pw;
                        if (j0 == 0) {
                            Arrays.fill(ws, acc, acc + width * pw, 0f);
                        }
                        int dyPanel = panelOffset + (panel * steps + j0) * pw;
                        if (vectors == 4) {
                            CpuChannelVectorGradientKernels.multiply6x4(d, in, inOffset, hp, wp, ws, dyPanel, j0,
                                    count, offsets, acc);
                        } else if (vectors == 3) {
                            CpuChannelVectorGradientKernels.multiply8x3(d, in, inOffset, hp, wp, ws, dyPanel, j0,
                                    count, offsets, acc);
                        } else if (width == WIDE_TAPS) {
                            CpuChannelVectorGradientKernels.multiply12x2(d, in, inOffset, hp, wp, ws, dyPanel, j0,
                                    count, offsets, acc);
                        } else {
                            CpuChannelVectorGradientKernels.multiply6x2(d, in, inOffset, hp, wp, ws, dyPanel, j0,
                                    count, offsets, acc);
                        }
                    }
                }
            }
            for (int block = start; block < end; block++) {
                store(d, ws, accumulators, panels, block, dw);
            }
        });
    }

    /** dy of images [start, end) into pixel-major panels: panel i, pixel j holds the panel's channels from j·(its width). */
    private static void transpose(Dims d, float[] dy, float[] ws, int offset, int start, int end) {
        int steps = d.n * d.pq;
        int pw = panelWidth(d);
        for (int panel = 0; panel < panels(d); panel++) {
            int k0 = panel * pw;
            int width = Math.min(pw, d.k - k0);
            for (int n = start; n < end; n++) {
                int base = offset + (panel * steps + n * d.pq) * pw;
                // Pixels in runs that keep the written lines in L1, each channel's row read in order: reading down
                // a column of dy instead (a stride of P·Q floats) cost more than the whole product where P·Q = 1024.
                for (int j0 = 0; j0 < d.pq; j0 += TRANSPOSE_RUN) {
                    int j1 = Math.min(d.pq, j0 + TRANSPOSE_RUN);
                    for (int lane = 0; lane < width; lane++) {
                        int from = n * d.kpq + (k0 + lane) * d.pq;
                        for (int j = j0; j < j1; j++) {
                            ws[base + j * pw + lane] = dy[from + j];
                        }
                    }
                    for (int j = j0; j < j1 && width < pw; j++) {
                        Arrays.fill(ws, base + j * pw + width, base + (j + 1) * pw, 0f);
                    }
                }
            }
        }
    }

    /**
     * Where each tap of a block of {@code width} reads, relative to the input pixel of output (0, 0); past the last
     * tap, the last tap's.
     */
    private static void tapOffsets(Dims d, int block, int width, int hp, int wp, int[] offsets) {
        int taps = d.crsPerGroup;
        for (int i = 0; i < width; i++) {
            int t = Math.min(block * width + i, taps - 1);
            int c = t / (d.r * d.s);
            int r = t / d.s % d.r;
            int s = t % d.s;
            offsets[i] = c * hp * wp + r * wp + s;
        }
    }

    /** One tap block's accumulators (tap-major, channels along lanes) into dw (K × C·R·S). */
    private static void store(Dims d, float[] ws, int accumulators, int panels, int block, float[] dw) {
        int taps = d.crsPerGroup;
        int width = tapsPerBlock(d);
        int pw = panelWidth(d);
        for (int panel = 0; panel < panels; panel++) {
            int acc = accumulators + (block * panels + panel) * width * pw;
            for (int i = 0; i < width && block * width + i < taps; i++) {
                int t = block * width + i;
                for (int lane = 0; lane < pw && panel * pw + lane < d.k; lane++) {
                    dw[(panel * pw + lane) * taps + t] = ws[acc + i * pw + lane];
                }
            }
        }
    }
}
