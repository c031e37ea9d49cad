package io.jcnn.backend.cpu;

import io.jcnn.backend.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution forward for layers with few input taps (LeNet's conv1: one channel, 5×5), computed straight from the
 * image without a column matrix. With only C·R·S = 25 steps per output, packing the column matrix for the GEMM
 * costs as much as the product itself; here each output row is a few vectors of accumulators, FILTERS filters at a
 * time, fed by unaligned loads of the input row and broadcast weights, so the loop is bound by FMA throughput.
 *
 * <p>Each image is first copied, channel by channel, into a zero-bordered scratch plane (the padding, plus room for
 * the vector that runs past the last output column), so the loop has no bounds to check. Every output gets the
 * same sum in the same order (taps c, r, s ascending, one fma each) whatever the thread count. Only loaded where
 * the vector kernel runs.
 */
final class CpuDirectConvolution {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    /** Filters per register block: with two vectors of outputs each, eight accumulators. */
    private static final int FILTERS = 4;
    /** Largest C·R·S this path takes; beyond it the GEMM's packing is cheap next to its product. */
    static final int MAX_TAPS = 75;

    private CpuDirectConvolution() {
    }

    /** Whether forward should run here: stride 1, no dilation, no groups, and few taps per output. */
    static boolean applies(ConvGeometry g) {
        var spec = g.spec();
        return spec.strideH() == 1 && spec.strideW() == 1 && spec.dilationH() == 1 && spec.dilationW() == 1
                && g.groups() == 1 && g.inChannels() * g.kernelH() * g.kernelW() <= MAX_TAPS;
    }

    /** Floats of shared workspace forward needs: the filters in blocks, then one padded image per chunk. */
    static long workspaceFloats(ConvGeometry g, int threads) {
        Layout l = new Layout(g, threads);
        return l.filterFloats + (long) l.chunks * l.imageFloats;
    }

    private static final class Layout {
        final int n, c, h, w, k, r, s, p, q, padH, padW, taps, blocks;
        /** Row stride and rows of the padded planes. */
        final int stride, rows;
        final int filterFloats, imageFloats, chunks;
        /** Vectors per output row. */
        final int vectors;

        Layout(ConvGeometry g, int threads) {
            n = g.batch();
            c = g.inChannels();
            h = g.inHeight();
            w = g.inWidth();
            k = g.outChannels();
            r = g.kernelH();
            s = g.kernelW();
            p = g.outHeight();
            q = g.outWidth();
            padH = g.spec().padH();
            padW = g.spec().padW();
            taps = c * r * s;
            blocks = (k + FILTERS - 1) / FILTERS;
            vectors = (q + LANES - 1) / LANES;
            // The last vector of a row reads up to vectors·LANES − 1 + S − 1 columns in.
            stride = Math.max(w + 2 * padW, vectors * LANES + s - 1);
            rows = h + 2 * padH;
            filterFloats = blocks * taps * FILTERS;
            imageFloats = c * rows * stride;
            chunks = Math.max(1, Math.min(threads, n));
        }

        /**
         * The first output column of vector v of a row. Where a row holds at least one vector, the last vector ends at
         * the row's end and overlaps the one before: the overlapping outputs are computed twice by the same operations,
         * so the second store writes the same bits, and no store needs a mask (with a masked store per row, LeNet
         * conv1 ran at 15-170 calls/s at 512 bits instead of about 3,000 at 256, on JDK 17 and 25).
         */
        int column(int v) {
            return q >= LANES ? Math.min(v * LANES, q - LANES) : v * LANES;
        }
    }

    /** y = x ⋆ w (+ bias per output channel when bias is not null, added to the finished sum). */
    static void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
                        float[] ws) {
        Layout l = new Layout(g, parallel.threads());
        packFilters(l, w, ws);
        parallel.forRange(l.n, 1, (chunk, start, end) -> {
            int image = l.filterFloats + chunk * l.imageFloats;
            int[] tapOffsets = new int[l.taps];
            float[] tail = new float[LANES];
            for (int ch = 0, t = 0; ch < l.c; ch++) {
                for (int rr = 0; rr < l.r; rr++) {
                    for (int ss = 0; ss < l.s; ss++) {
                        tapOffsets[t++] = image + (ch * l.rows + rr) * l.stride + ss;
                    }
                }
            }
            Arrays.fill(ws, image, image + l.imageFloats, 0f);
            for (int img = start; img < end; img++) {
                for (int ch = 0; ch < l.c; ch++) {
                    for (int row = 0; row < l.h; row++) {
                        System.arraycopy(x, ((img * l.c + ch) * l.h + row) * l.w, ws,
                                image + (ch * l.rows + row + l.padH) * l.stride + l.padW, l.w);
                    }
                }
                for (int block = 0; block < l.blocks; block++) {
                    for (int row = 0; row < l.p; row++) {
                        int v = 0;
                        for (; v + 2 <= l.vectors; v += 2) {
                            twoVectors(l, ws, tapOffsets, block, row, l.column(v), l.column(v + 1), bias, y, img,
                                    tail);
                        }
                        for (; v < l.vectors; v++) {
                            oneVector(l, ws, tapOffsets, block, row, l.column(v), bias, y, img, tail);
                        }
                    }
                }
            }
        });
    }

    /**
     * Block b of {@code ws} holds tap t's FILTERS weights at (b·taps + t)·FILTERS; filters past K are zero. A method of
     * its own so that its loop, not the whole of {@link #forward} (called once a step, so never hot enough to
     * compile on its own), is what the JIT compiles when the loop gets hot.
     */
    private static void packFilters(Layout l, float[] w, float[] ws) {
        Arrays.fill(ws, 0, l.filterFloats, 0f);
        for (int kk = 0; kk < l.k; kk++) {
            int block = kk / FILTERS;
            for (int t = 0; t < l.taps; t++) {
                ws[(block * l.taps + t) * FILTERS + kk % FILTERS] = w[kk * l.taps + t];
            }
        }
    }

    /** FILTERS filters × two vectors of one output row, starting at output columns col0 and col1. */
    private static void twoVectors(Layout l, float[] ws, int[] tapOffsets, int block, int row, int col0, int col1,
                                   float[] bias, float[] y, int img, float[] tail) {
        int at = row * l.stride + col0;
        int second = col1 - col0;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        for (int t = 0, wi = block * l.taps * FILTERS; t < l.taps; t++, wi += FILTERS) {
            int from = tapOffsets[t] + at;
            FloatVector x0 = FloatVector.fromArray(SPECIES, ws, from);
            FloatVector x1 = FloatVector.fromArray(SPECIES, ws, from + second);
            FloatVector f = FloatVector.broadcast(SPECIES, ws[wi]);
            a0 = x0.fma(f, a0);
            a1 = x1.fma(f, a1);
            f = FloatVector.broadcast(SPECIES, ws[wi + 1]);
            b0 = x0.fma(f, b0);
            b1 = x1.fma(f, b1);
            f = FloatVector.broadcast(SPECIES, ws[wi + 2]);
            c0 = x0.fma(f, c0);
            c1 = x1.fma(f, c1);
            f = FloatVector.broadcast(SPECIES, ws[wi + 3]);
            d0 = x0.fma(f, d0);
            d1 = x1.fma(f, d1);
        }
        int kk = block * FILTERS;
        storeTwo(l, a0, a1, bias, y, img, kk, row, col0, col1, tail);
        if (kk + 1 < l.k) {
            storeTwo(l, b0, b1, bias, y, img, kk + 1, row, col0, col1, tail);
        }
        if (kk + 2 < l.k) {
            storeTwo(l, c0, c1, bias, y, img, kk + 2, row, col0, col1, tail);
        }
        if (kk + 3 < l.k) {
            storeTwo(l, d0, d1, bias, y, img, kk + 3, row, col0, col1, tail);
        }
    }

    /** As {@link #twoVectors}, one vector wide, for the rest of a row. */
    private static void oneVector(Layout l, float[] ws, int[] tapOffsets, int block, int row, int column,
                                  float[] bias, float[] y, int img, float[] tail) {
        int at = row * l.stride + column;
        FloatVector a = FloatVector.zero(SPECIES);
        FloatVector b = a;
        FloatVector c = a;
        FloatVector d = a;
        for (int t = 0, wi = block * l.taps * FILTERS; t < l.taps; t++, wi += FILTERS) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, ws, tapOffsets[t] + at);
            a = x0.fma(FloatVector.broadcast(SPECIES, ws[wi]), a);
            b = x0.fma(FloatVector.broadcast(SPECIES, ws[wi + 1]), b);
            c = x0.fma(FloatVector.broadcast(SPECIES, ws[wi + 2]), c);
            d = x0.fma(FloatVector.broadcast(SPECIES, ws[wi + 3]), d);
        }
        int kk = block * FILTERS;
        storeOne(l, a, bias, y, img, kk, row, column, tail);
        if (kk + 1 < l.k) {
            storeOne(l, b, bias, y, img, kk + 1, row, column, tail);
        }
        if (kk + 2 < l.k) {
            storeOne(l, c, bias, y, img, kk + 2, row, column, tail);
        }
        if (kk + 3 < l.k) {
            storeOne(l, d, bias, y, img, kk + 3, row, column, tail);
        }
    }

    private static void storeTwo(Layout l, FloatVector v0, FloatVector v1, float[] bias, float[] y, int img,
                                 int kk, int row, int col0, int col1, float[] tail) {
        storeOne(l, v0, bias, y, img, kk, row, col0, tail);
        storeOne(l, v1, bias, y, img, kk, row, col1, tail);
    }

    /**
     * The vector of output row {@code row} of filter kk that starts at {@code column}, plus its bias; the part past Q,
     * if any, is not written.
     */
    private static void storeOne(Layout l, FloatVector sum, float[] bias, float[] y, int img, int kk, int row,
                                 int column, float[] tail) {
        int at = ((img * l.k + kk) * l.p + row) * l.q + column;
        // No vector chosen between two paths (C2 may box such a merge): each branch stores its own.
        if (bias != null) {
            store(sum.add(bias[kk]), y, at, l.q - column, tail);
        } else {
            store(sum, y, at, l.q - column, tail);
        }
    }

    /** The first min(room, LANES) lanes of value at y[at …]; a row narrower than a vector goes through tail. */
    private static void store(FloatVector value, float[] y, int at, int room, float[] tail) {
        if (room >= LANES) {
            value.intoArray(y, at);
        } else {
            value.intoArray(tail, 0);
            System.arraycopy(tail, 0, y, at, room);
        }
    }
}
