package io.jcnn.backend.cpu;

import io.jcnn.backend.cpu.CpuConvolution.Dims;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Backward-filter for stride-1 convolutions with output channels along the vector lanes and no column matrix:
 * dw[k][t] = Σ over images n and output pixels (p, q) of dy[n][k][p][q] · x[n][c][p + r][q + s], tap t = (c, r, s).
 * Each step of the kernel multiplies one pixel's dy for 2·LANES output channels (two vectors, from dy transposed once
 * into pixel-major panels) by that pixel's input value under each tap of a block (broadcast straight from x, whose
 * rows the taps read at fixed offsets), into two vector accumulators per tap: blocks of {@value #TAPS} taps, or of
 * {@value #WIDE_TAPS} where vectors are 512 bits (32 registers) and there are taps enough to keep both threads busy.
 *
 * <p>The im2row route expands x into a B·P·Q × C·R·S matrix (eleven times the input for LeNet conv2), writes it, and
 * packs it again for the GEMM; on LeNet conv2 and AlexNet-32's 3×3 layers that layout work took about as long as the
 * multiplications. Here x is read where it lies (copied once with a zero border when the convolution pads), and the
 * only layout work is transposing dy, a tenth of the size.
 *
 * <p>Steps run over pixels in a flat loop (C2 boxes vector accumulators that cross nested loops), in blocks of
 * {@value #BLOCK_STEPS} pixels so that a block of dy panels stays in cache while each thread runs all its tap blocks
 * over it; the accumulators go to memory between blocks, which changes no bit. Threads split the taps, so every
 * dw element is one chain of fused multiply-adds over the pixels in order, image by image, row by row: the result
 * has the same bits for every thread count and block size. Only loaded where the vector kernel runs.
 */
final class CpuChannelVectorFilterGradient {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    /** Output channels per panel: two vectors. */
    private static final int PANEL = 2 * LANES;
    /** Taps per block: with two vectors each, twelve accumulators, which fit AVX2's sixteen registers. */
    static final int TAPS = 6;
    /** Taps per block with 512-bit vectors: 24 accumulators, half the dy loads and loop overhead per multiply-add. */
    static final int WIDE_TAPS = 12;
    /** Pixels per cache block: 256 × 2·LANES floats of dy is 32 KiB at 512 bits. */
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

    private static int panels(Dims d) {
        return (d.k + PANEL - 1) / PANEL;
    }

    private static long panelFloats(Dims d) {
        return (long) panels(d) * d.n * d.pq * PANEL;
    }

    /**
     * Taps per block for this geometry. Which one changes no bit (every dw element is its own chain over the pixels),
     * only the speed: threads split the blocks, so few taps (AlexNet-32 conv1's 9) keep the narrow ones.
     */
    static int tapsPerBlock(Dims d) {
        return LANES >= 16 && d.crsPerGroup >= 4 * WIDE_TAPS ? WIDE_TAPS : TAPS;
    }

    private static int tapBlocks(Dims d) {
        return (d.crsPerGroup + tapsPerBlock(d) - 1) / tapsPerBlock(d);
    }

    private static long accumulatorFloats(Dims d) {
        return (long) tapBlocks(d) * panels(d) * tapsPerBlock(d) * PANEL;
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
            parallel.forRange(d.n * d.c, 1, (chunk, start, end) -> CpuFrame.copy(x, d.h, d.w, d.padH, d.padW, ws, paddedOffset,
                    start, end));
            source = ws;
            sourceOffset = paddedOffset;
        }
        parallel.forRange(d.n, 1, (chunk, start, end) -> transpose(d, dy, ws, panelOffset, start, end));
        float[] in = source;
        int inOffset = sourceOffset;
        int blocks = tapBlocks(d);
        int width = tapsPerBlock(d);
        parallel.forRange(blocks, 1, (chunk, start, end) -> {
            int[] offsets = OFFSETS.get();
            int steps = d.n * d.pq;
            for (int j0 = 0; j0 < steps; j0 += BLOCK_STEPS) {
                int count = Math.min(BLOCK_STEPS, steps - j0);
                for (int block = start; block < end; block++) {
                    tapOffsets(d, block, width, hp, wp, offsets);
                    for (int panel = 0; panel < panels; panel++) {
                        int acc = accumulators + (block * panels + panel) * width * PANEL;
                        if (j0 == 0) {
                            Arrays.fill(ws, acc, acc + width * PANEL, 0f);
                        }
                        int dyPanel = panelOffset + (panel * steps + j0) * PANEL;
                        if (width == WIDE_TAPS) {
                            multiply12(d, in, inOffset, hp, wp, ws, dyPanel, j0, count, offsets, acc);
                        } else {
                            multiply(d, in, inOffset, hp, wp, ws, dyPanel, j0, count, offsets, acc);
                        }
                    }
                }
            }
            for (int block = start; block < end; block++) {
                store(d, ws, accumulators, panels, block, dw);
            }
        });
    }

    /** dy of images [start, end) into pixel-major panels: panel i, pixel j holds channels i·PANEL … at j·PANEL. */
    private static void transpose(Dims d, float[] dy, float[] ws, int offset, int start, int end) {
        int steps = d.n * d.pq;
        for (int panel = 0; panel < panels(d); panel++) {
            int k0 = panel * PANEL;
            int width = Math.min(PANEL, d.k - k0);
            for (int n = start; n < end; n++) {
                int base = offset + (panel * steps + n * d.pq) * PANEL;
                // Pixels in runs that keep the written lines in L1, each channel's row read in order: reading down
                // a column of dy instead (a stride of P·Q floats) cost more than the whole product where P·Q = 1024.
                for (int j0 = 0; j0 < d.pq; j0 += TRANSPOSE_RUN) {
                    int j1 = Math.min(d.pq, j0 + TRANSPOSE_RUN);
                    for (int lane = 0; lane < width; lane++) {
                        int from = n * d.kpq + (k0 + lane) * d.pq;
                        for (int j = j0; j < j1; j++) {
                            ws[base + j * PANEL + lane] = dy[from + j];
                        }
                    }
                    for (int j = j0; j < j1 && width < PANEL; j++) {
                        Arrays.fill(ws, base + j * PANEL + width, base + (j + 1) * PANEL, 0f);
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

    /**
     * Adds pixels [j0, j0 + count) (flat over images, rows, columns) into one tap block's accumulators for one
     * panel, read from and written back to {@code ws} at {@code acc} (TAPS rows of PANEL floats).
     */
    private static void multiply(Dims d, float[] x, int xOffset, int hp, int wp, float[] ws, int panel, int j0,
                                 int count, int[] offsets, int acc) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, ws, acc);
        FloatVector b0 = FloatVector.fromArray(SPECIES, ws, acc + LANES);
        FloatVector a1 = FloatVector.fromArray(SPECIES, ws, acc + PANEL);
        FloatVector b1 = FloatVector.fromArray(SPECIES, ws, acc + PANEL + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, ws, acc + 2 * PANEL);
        FloatVector b2 = FloatVector.fromArray(SPECIES, ws, acc + 2 * PANEL + LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, ws, acc + 3 * PANEL);
        FloatVector b3 = FloatVector.fromArray(SPECIES, ws, acc + 3 * PANEL + LANES);
        FloatVector a4 = FloatVector.fromArray(SPECIES, ws, acc + 4 * PANEL);
        FloatVector b4 = FloatVector.fromArray(SPECIES, ws, acc + 4 * PANEL + LANES);
        FloatVector a5 = FloatVector.fromArray(SPECIES, ws, acc + 5 * PANEL);
        FloatVector b5 = FloatVector.fromArray(SPECIES, ws, acc + 5 * PANEL + LANES);
        int o0 = offsets[0];
        int o1 = offsets[1];
        int o2 = offsets[2];
        int o3 = offsets[3];
        int o4 = offsets[4];
        int o5 = offsets[5];
        int imageFloats = d.c * hp * wp;
        int n = j0 / d.pq;
        int p = j0 % d.pq / d.q;
        int q = j0 % d.q;
        // The input pixel under tap offset 0 for output (n, p, q).
        int at = xOffset + n * imageFloats + p * wp + q;
        int rowSkip = wp - d.q;
        int imageSkip = imageFloats - d.p * wp;
        int g = panel;
        for (int i = 0; i < count; i++) {
            FloatVector lo = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector hi = FloatVector.fromArray(SPECIES, ws, g + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, x[at + o0]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(SPECIES, x[at + o1]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[at + o2]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(SPECIES, x[at + o3]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(SPECIES, x[at + o4]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(SPECIES, x[at + o5]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            g += PANEL;
            at++;
            q++;
            if (q == d.q) {
                q = 0;
                at += rowSkip;
                p++;
                if (p == d.p) {
                    p = 0;
                    at += imageSkip;
                }
            }
        }
        a0.intoArray(ws, acc);
        b0.intoArray(ws, acc + LANES);
        a1.intoArray(ws, acc + PANEL);
        b1.intoArray(ws, acc + PANEL + LANES);
        a2.intoArray(ws, acc + 2 * PANEL);
        b2.intoArray(ws, acc + 2 * PANEL + LANES);
        a3.intoArray(ws, acc + 3 * PANEL);
        b3.intoArray(ws, acc + 3 * PANEL + LANES);
        a4.intoArray(ws, acc + 4 * PANEL);
        b4.intoArray(ws, acc + 4 * PANEL + LANES);
        a5.intoArray(ws, acc + 5 * PANEL);
        b5.intoArray(ws, acc + 5 * PANEL + LANES);
    }

    /** {@link #multiply} for a block of twelve taps (24 accumulators, for 32 vector registers). */
    private static void multiply12(Dims d, float[] x, int xOffset, int hp, int wp, float[] ws, int panel, int j0,
                                   int count, int[] offsets, int acc) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, ws, acc + 0 * PANEL);
        FloatVector b0 = FloatVector.fromArray(SPECIES, ws, acc + 0 * PANEL + LANES);
        FloatVector a1 = FloatVector.fromArray(SPECIES, ws, acc + 1 * PANEL);
        FloatVector b1 = FloatVector.fromArray(SPECIES, ws, acc + 1 * PANEL + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, ws, acc + 2 * PANEL);
        FloatVector b2 = FloatVector.fromArray(SPECIES, ws, acc + 2 * PANEL + LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, ws, acc + 3 * PANEL);
        FloatVector b3 = FloatVector.fromArray(SPECIES, ws, acc + 3 * PANEL + LANES);
        FloatVector a4 = FloatVector.fromArray(SPECIES, ws, acc + 4 * PANEL);
        FloatVector b4 = FloatVector.fromArray(SPECIES, ws, acc + 4 * PANEL + LANES);
        FloatVector a5 = FloatVector.fromArray(SPECIES, ws, acc + 5 * PANEL);
        FloatVector b5 = FloatVector.fromArray(SPECIES, ws, acc + 5 * PANEL + LANES);
        FloatVector a6 = FloatVector.fromArray(SPECIES, ws, acc + 6 * PANEL);
        FloatVector b6 = FloatVector.fromArray(SPECIES, ws, acc + 6 * PANEL + LANES);
        FloatVector a7 = FloatVector.fromArray(SPECIES, ws, acc + 7 * PANEL);
        FloatVector b7 = FloatVector.fromArray(SPECIES, ws, acc + 7 * PANEL + LANES);
        FloatVector a8 = FloatVector.fromArray(SPECIES, ws, acc + 8 * PANEL);
        FloatVector b8 = FloatVector.fromArray(SPECIES, ws, acc + 8 * PANEL + LANES);
        FloatVector a9 = FloatVector.fromArray(SPECIES, ws, acc + 9 * PANEL);
        FloatVector b9 = FloatVector.fromArray(SPECIES, ws, acc + 9 * PANEL + LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, ws, acc + 10 * PANEL);
        FloatVector b10 = FloatVector.fromArray(SPECIES, ws, acc + 10 * PANEL + LANES);
        FloatVector a11 = FloatVector.fromArray(SPECIES, ws, acc + 11 * PANEL);
        FloatVector b11 = FloatVector.fromArray(SPECIES, ws, acc + 11 * PANEL + LANES);
        int o0 = offsets[0];
        int o1 = offsets[1];
        int o2 = offsets[2];
        int o3 = offsets[3];
        int o4 = offsets[4];
        int o5 = offsets[5];
        int o6 = offsets[6];
        int o7 = offsets[7];
        int o8 = offsets[8];
        int o9 = offsets[9];
        int o10 = offsets[10];
        int o11 = offsets[11];
        int imageFloats = d.c * hp * wp;
        int n = j0 / d.pq;
        int p = j0 % d.pq / d.q;
        int q = j0 % d.q;
        int at = xOffset + n * imageFloats + p * wp + q;
        int rowSkip = wp - d.q;
        int imageSkip = imageFloats - d.p * wp;
        int g = panel;
        for (int i = 0; i < count; i++) {
            FloatVector lo = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector hi = FloatVector.fromArray(SPECIES, ws, g + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, x[at + o0]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(SPECIES, x[at + o1]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[at + o2]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(SPECIES, x[at + o3]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(SPECIES, x[at + o4]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(SPECIES, x[at + o5]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            v = FloatVector.broadcast(SPECIES, x[at + o6]);
            a6 = lo.fma(v, a6);
            b6 = hi.fma(v, b6);
            v = FloatVector.broadcast(SPECIES, x[at + o7]);
            a7 = lo.fma(v, a7);
            b7 = hi.fma(v, b7);
            v = FloatVector.broadcast(SPECIES, x[at + o8]);
            a8 = lo.fma(v, a8);
            b8 = hi.fma(v, b8);
            v = FloatVector.broadcast(SPECIES, x[at + o9]);
            a9 = lo.fma(v, a9);
            b9 = hi.fma(v, b9);
            v = FloatVector.broadcast(SPECIES, x[at + o10]);
            a10 = lo.fma(v, a10);
            b10 = hi.fma(v, b10);
            v = FloatVector.broadcast(SPECIES, x[at + o11]);
            a11 = lo.fma(v, a11);
            b11 = hi.fma(v, b11);
            g += PANEL;
            at++;
            q++;
            if (q == d.q) {
                q = 0;
                at += rowSkip;
                p++;
                if (p == d.p) {
                    p = 0;
                    at += imageSkip;
                }
            }
        }
        a0.intoArray(ws, acc + 0 * PANEL);
        b0.intoArray(ws, acc + 0 * PANEL + LANES);
        a1.intoArray(ws, acc + 1 * PANEL);
        b1.intoArray(ws, acc + 1 * PANEL + LANES);
        a2.intoArray(ws, acc + 2 * PANEL);
        b2.intoArray(ws, acc + 2 * PANEL + LANES);
        a3.intoArray(ws, acc + 3 * PANEL);
        b3.intoArray(ws, acc + 3 * PANEL + LANES);
        a4.intoArray(ws, acc + 4 * PANEL);
        b4.intoArray(ws, acc + 4 * PANEL + LANES);
        a5.intoArray(ws, acc + 5 * PANEL);
        b5.intoArray(ws, acc + 5 * PANEL + LANES);
        a6.intoArray(ws, acc + 6 * PANEL);
        b6.intoArray(ws, acc + 6 * PANEL + LANES);
        a7.intoArray(ws, acc + 7 * PANEL);
        b7.intoArray(ws, acc + 7 * PANEL + LANES);
        a8.intoArray(ws, acc + 8 * PANEL);
        b8.intoArray(ws, acc + 8 * PANEL + LANES);
        a9.intoArray(ws, acc + 9 * PANEL);
        b9.intoArray(ws, acc + 9 * PANEL + LANES);
        a10.intoArray(ws, acc + 10 * PANEL);
        b10.intoArray(ws, acc + 10 * PANEL + LANES);
        a11.intoArray(ws, acc + 11 * PANEL);
        b11.intoArray(ws, acc + 11 * PANEL + LANES);
    }

    /** One tap block's accumulators (tap-major, channels along lanes) into dw (K × C·R·S). */
    private static void store(Dims d, float[] ws, int accumulators, int panels, int block, float[] dw) {
        int taps = d.crsPerGroup;
        int width = tapsPerBlock(d);
        for (int panel = 0; panel < panels; panel++) {
            int acc = accumulators + (block * panels + panel) * width * PANEL;
            for (int i = 0; i < width && block * width + i < taps; i++) {
                int t = block * width + i;
                for (int lane = 0; lane < PANEL && panel * PANEL + lane < d.k; lane++) {
                    dw[(panel * PANEL + lane) * taps + t] = ws[acc + i * PANEL + lane];
                }
            }
        }
    }
}
