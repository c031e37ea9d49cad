package io.jcnn.backend.cpu;

import io.jcnn.backend.cpu.CpuConvolution.Dims;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Backward-filter without a column matrix, for filters with few taps per group ({@value #MAX_TAPS} or fewer) and 3- or
 * 5-wide kernels sliding with stride 1 along rows at least one vector wide: LeNet conv1 (1×5×5 taps, Q = 24) and
 * AlexNet-32 conv1 (1×3×3 taps, Q = 32, padded by 1). There the im2col route spends more time laying out and packing
 * columns than multiplying, and a 20×25 gradient fills the 6×16 register tile poorly (LeNet conv1 at batch 64, one
 * thread: 2.9 ms by GEMM, about 1 ms here); the channel-vector route spends most of its time transposing dy, 32
 * times the size of the product's other operand when there is one input channel. With many taps (LeNet conv2, 500)
 * the GEMM route is as fast or faster, since this one streams the images once per pair of output channels and input
 * row.
 *
 * <p>For two output channels k, k+1 and one input row offset (c, r), 2·W vector accumulators (W = 5 or 3, the kernel
 * width or a fifth of it) hold dw[k or k+1][c][r][s] for s = s0 … s0 + W − 1, one partial sum per lane (output column
 * q mod LANES): each step multiplies a vector of dy along q by the W shifted vectors of x along q. Where Q is not a
 * whole number of vectors (Q = 24 in 16 lanes) the last vector of a row ends at the row's end and overlaps the one
 * before it; its dy is multiplied by a 0/1 weight vector that zeroes the overlapping lanes, so every column counts once
 * (and a whole number of vectors is multiplied by ones, which changes no bit). A padded convolution reads a
 * zero-framed copy of x, made once per call. The accumulators run over every image of the chunk and every output
 * row, then their lanes are added in lane order. The order of every addition is fixed by the geometry and the chunk,
 * so the result is reproducible for a thread count. Only loaded where the vector kernel runs.
 */
final class CpuVectorFilterGradient {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    /** Kernel columns per accumulator group: 5, or 3 for 3-wide kernels. */
    private static final int WIDTH = 5;
    private static final int NARROW = 3;
    /** Taps per group (C/G·R·S) up to which this path is used. */
    static final int MAX_TAPS = 64;

    private static final ThreadLocal<float[]> LANES_SCRATCH = ThreadLocal.withInitial(() -> new float[2 * WIDTH * LANES]);

    private CpuVectorFilterGradient() {
    }

    /** Whether this path computes backward-filter for the geometry. */
    static boolean applies(Dims d) {
        return applies(d, LANES);
    }

    /** The same rule for vectors of {@code lanes} floats. */
    static boolean applies(Dims d, int lanes) {
        return d.crsPerGroup <= MAX_TAPS && (d.s % WIDTH == 0 || d.s == NARROW) && d.strideW == 1
                && d.dilationW == 1 && d.q >= lanes;
    }

    /** Where x is read: the input itself, or its zero-framed copy (then with no padding left to apply). */
    record Source(float[] data, int offset, int height, int width, int padH) {
        /** Where row {@code row} (of the source, padding included) of channel c of image n starts. */
        int rowStart(Dims d, int n, int c, int row) {
            return offset + ((n * d.c + c) * height + row) * width;
        }
    }

    private static boolean framed(Dims d) {
        return d.padH > 0 || d.padW > 0;
    }

    /** Floats of workspace for the zero-framed copy of x, where the convolution pads. */
    static long framedFloats(Dims d) {
        return framed(d) ? CpuFrame.floats(d.n * d.c, d.h, d.w, d.padH, d.padW) : 0;
    }

    /** The source for x: x itself, or its zero-framed copy written into ws at {@code offset}. */
    static Source source(CpuParallel parallel, Dims d, float[] x, float[] ws, int offset) {
        if (!framed(d)) {
            return new Source(x, 0, d.h, d.w, 0);
        }
        int hp = d.h + 2 * d.padH;
        int wp = d.w + 2 * d.padW;
        parallel.forRange(d.n * d.c, 1,
                (chunk, start, end) -> CpuFrame.copy(x, d.h, d.w, d.padH, d.padW, ws, offset, start, end));
        return new Source(ws, offset, hp, wp, 0);
    }

    /** Pairs of output channels per group: the unit {@link #compute} can be split by. */
    static int channelPairs(Dims d) {
        return (d.kPerGroup + 1) / 2;
    }

    /**
     * Writes (not adds) into {@code target} from {@code targetOffset} the filter gradient over images [n0, n1) for
     * output-channel pairs [pair0, pair1) of every group.
     */
    static void compute(Dims d, Source x, float[] dy, int n0, int n1, int pair0, int pair1, float[] target,
                        int targetOffset) {
        int channelsPerGroup = d.c / d.groups;
        float[] weights = rowWeights(d.q);
        for (int grp = 0; grp < d.groups; grp++) {
            for (int k = 2 * pair0; k < Math.min(d.kPerGroup, 2 * pair1); k += 2) {
                // An odd last channel is paired with itself; the duplicate sums are dropped.
                int k1 = Math.min(k + 1, d.kPerGroup - 1);
                for (int cl = 0; cl < channelsPerGroup; cl++) {
                    for (int r = 0; r < d.r; r++) {
                        int width = d.s == NARROW ? NARROW : WIDTH;
                        for (int s0 = 0; s0 < d.s; s0 += width) {
                            int tap = (cl * d.r + r) * d.s + s0;
                            int at0 = targetOffset + (grp * d.kPerGroup + k) * d.crsPerGroup + tap;
                            int at1 = k1 > k ? targetOffset + (grp * d.kPerGroup + k1) * d.crsPerGroup + tap : -1;
                            int c = grp * channelsPerGroup + cl;
                            if (width == NARROW) {
                                accumulate3(d, x, dy, weights, n0, n1, grp * d.kPerGroup + k,
                                        grp * d.kPerGroup + k1, c, r, target, at0, at1);
                            } else {
                                accumulate(d, x, dy, weights, n0, n1, grp * d.kPerGroup + k, grp * d.kPerGroup + k1,
                                        c, r, s0, target, at0, at1);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Per vector of an output row (the vectors start at 0, LANES, 2·LANES, …, and the last at Q − LANES), a 0/1 weight
     * per lane: 0 where the column was already covered by the vector before.
     */
    static float[] rowWeights(int q) {
        int vectors = (q + LANES - 1) / LANES;
        float[] weights = new float[vectors * LANES];
        Arrays.fill(weights, 1f);
        Arrays.fill(weights, (vectors - 1) * LANES, (vectors - 1) * LANES + vectors * LANES - q, 0f);
        return weights;
    }

    private static void accumulate(Dims d, Source src, float[] dy, float[] weights, int n0, int n1, int k0, int k1,
                                   int c, int r, int s0, float[] target, int at0, int at1) {
        float[] x = src.data();
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector b4 = a0;
        // Output rows whose input row is inside the image; computed up front because a branch in the loop would
        // merge vectors from two paths, which C2 then boxes.
        int hOffset = r * d.dilationH - src.padH();
        int pLo = hOffset >= 0 ? 0 : (-hOffset + d.strideH - 1) / d.strideH;
        int h = src.height();
        int pHi = Math.min(d.p, h - hOffset <= 0 ? 0 : (h - hOffset + d.strideH - 1) / d.strideH);
        // One flat loop over (image, row, column vector): C2 boxed the accumulators when they crossed nested loops.
        int vectors = weights.length / LANES;
        int lastStart = d.q - LANES;
        int steps = (n1 - n0) * Math.max(0, pHi - pLo) * vectors;
        int n = n0;
        int p = pLo;
        int vector = 0;
        int xq = src.rowStart(d, n, c, p * d.strideH + hOffset) + s0;
        int dq0 = n * d.kpq + k0 * d.pq + p * d.q;
        int dq1 = dq0 + (k1 - k0) * d.pq;
        for (int i = 0; i < steps; i++) {
            FloatVector weight = FloatVector.fromArray(SPECIES, weights, vector * LANES);
            FloatVector g0 = FloatVector.fromArray(SPECIES, dy, dq0).mul(weight);
            FloatVector g1 = FloatVector.fromArray(SPECIES, dy, dq1).mul(weight);
            FloatVector v = FloatVector.fromArray(SPECIES, x, xq);
            a0 = g0.fma(v, a0);
            b0 = g1.fma(v, b0);
            v = FloatVector.fromArray(SPECIES, x, xq + 1);
            a1 = g0.fma(v, a1);
            b1 = g1.fma(v, b1);
            v = FloatVector.fromArray(SPECIES, x, xq + 2);
            a2 = g0.fma(v, a2);
            b2 = g1.fma(v, b2);
            v = FloatVector.fromArray(SPECIES, x, xq + 3);
            a3 = g0.fma(v, a3);
            b3 = g1.fma(v, b3);
            v = FloatVector.fromArray(SPECIES, x, xq + 4);
            a4 = g0.fma(v, a4);
            b4 = g1.fma(v, b4);
            vector++;
            // The next vector's first column: LANES on, or back to the row's last LANES columns.
            int advance = Math.min(vector * LANES, lastStart) - Math.min((vector - 1) * LANES, lastStart);
            xq += advance;
            dq0 += advance;
            dq1 += advance;
            if (vector == vectors) {
                vector = 0;
                p++;
                if (p == pHi) {
                    p = pLo;
                    n++;
                }
                xq = src.rowStart(d, n, c, p * d.strideH + hOffset) + s0;
                dq0 = n * d.kpq + k0 * d.pq + p * d.q;
                dq1 = dq0 + (k1 - k0) * d.pq;
            }
        }
        // Lanes are added in a fixed order in scalar code: a vector reduction's order is unspecified.
        float[] lanes = LANES_SCRATCH.get();
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, LANES);
        a2.intoArray(lanes, 2 * LANES);
        a3.intoArray(lanes, 3 * LANES);
        a4.intoArray(lanes, 4 * LANES);
        b0.intoArray(lanes, 5 * LANES);
        b1.intoArray(lanes, 6 * LANES);
        b2.intoArray(lanes, 7 * LANES);
        b3.intoArray(lanes, 8 * LANES);
        b4.intoArray(lanes, 9 * LANES);
        for (int s = 0; s < WIDTH; s++) {
            target[at0 + s] = sumLanes(lanes, s * LANES);
            if (at1 >= 0) {
                target[at1 + s] = sumLanes(lanes, (WIDTH + s) * LANES);
            }
        }
    }

    /** {@link #accumulate} for 3-wide kernels: six accumulators, s0 = 0. */
    private static void accumulate3(Dims d, Source src, float[] dy, float[] weights, int n0, int n1, int k0, int k1,
                                    int c, int r, float[] target, int at0, int at1) {
        float[] x = src.data();
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        // Output rows whose input row is inside the image; computed up front because a branch in the loop would
        // merge vectors from two paths, which C2 then boxes.
        int hOffset = r * d.dilationH - src.padH();
        int pLo = hOffset >= 0 ? 0 : (-hOffset + d.strideH - 1) / d.strideH;
        int h = src.height();
        int pHi = Math.min(d.p, h - hOffset <= 0 ? 0 : (h - hOffset + d.strideH - 1) / d.strideH);
        // One flat loop over (image, row, column vector): C2 boxed the accumulators when they crossed nested loops.
        int vectors = weights.length / LANES;
        int lastStart = d.q - LANES;
        int steps = (n1 - n0) * Math.max(0, pHi - pLo) * vectors;
        int n = n0;
        int p = pLo;
        int vector = 0;
        int xq = src.rowStart(d, n, c, p * d.strideH + hOffset);
        int dq0 = n * d.kpq + k0 * d.pq + p * d.q;
        int dq1 = dq0 + (k1 - k0) * d.pq;
        for (int i = 0; i < steps; i++) {
            FloatVector weight = FloatVector.fromArray(SPECIES, weights, vector * LANES);
            FloatVector g0 = FloatVector.fromArray(SPECIES, dy, dq0).mul(weight);
            FloatVector g1 = FloatVector.fromArray(SPECIES, dy, dq1).mul(weight);
            FloatVector v = FloatVector.fromArray(SPECIES, x, xq);
            a0 = g0.fma(v, a0);
            b0 = g1.fma(v, b0);
            v = FloatVector.fromArray(SPECIES, x, xq + 1);
            a1 = g0.fma(v, a1);
            b1 = g1.fma(v, b1);
            v = FloatVector.fromArray(SPECIES, x, xq + 2);
            a2 = g0.fma(v, a2);
            b2 = g1.fma(v, b2);
            vector++;
            // The next vector's first column: LANES on, or back to the row's last LANES columns.
            int advance = Math.min(vector * LANES, lastStart) - Math.min((vector - 1) * LANES, lastStart);
            xq += advance;
            dq0 += advance;
            dq1 += advance;
            if (vector == vectors) {
                vector = 0;
                p++;
                if (p == pHi) {
                    p = pLo;
                    n++;
                }
                xq = src.rowStart(d, n, c, p * d.strideH + hOffset);
                dq0 = n * d.kpq + k0 * d.pq + p * d.q;
                dq1 = dq0 + (k1 - k0) * d.pq;
            }
        }
        // Lanes are added in a fixed order in scalar code: a vector reduction's order is unspecified.
        float[] lanes = LANES_SCRATCH.get();
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, LANES);
        a2.intoArray(lanes, 2 * LANES);
        b0.intoArray(lanes, 3 * LANES);
        b1.intoArray(lanes, 4 * LANES);
        b2.intoArray(lanes, 5 * LANES);
        for (int s = 0; s < NARROW; s++) {
            target[at0 + s] = sumLanes(lanes, s * LANES);
            if (at1 >= 0) {
                target[at1 + s] = sumLanes(lanes, (NARROW + s) * LANES);
            }
        }
    }

    private static float sumLanes(float[] lanes, int from) {
        float sum = 0f;
        for (int i = from; i < from + LANES; i++) {
            sum += lanes[i];
        }
        return sum;
    }
}
