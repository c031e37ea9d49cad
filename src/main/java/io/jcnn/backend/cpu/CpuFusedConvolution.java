package io.jcnn.backend.cpu;

import io.jcnn.backend.cpu.CpuConvolution.Dims;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution forward and backward-data on the Vector API kernel without an im2col matrix: the filter is packed
 * once per call ({@link CpuPackedGemm}'s A layout, shared by all threads), and each image's column matrix is written
 * straight into the kernel's B panels, one k block at a time, from the image (forward) or from dy (backward data).
 * The forward result lands in y directly. Each element gets the same operation sequence as {@link CpuConvolution}'s
 * im2col path, so the two give the same bits. Only loaded where the vector kernel runs.
 *
 * <p>Work split: with at least as many images as threads each thread takes a contiguous run of images; otherwise
 * each image's output pixels are split between the threads in whole panels.
 */
final class CpuFusedConvolution {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    private static final int NR = CpuPackedGemm.NR;
    /** 0, 1, 2, … per lane. */
    private static final float[] IOTA = new float[LANES];

    static {
        for (int i = 0; i < LANES; i++) {
            IOTA[i] = i;
        }
    }
    /** Output pixels packed per B block: 256×512 floats, about the L2 cache of one core. */
    private static final int BLOCK_COLUMNS = 512;

    private static final ThreadLocal<float[]> PANELS =
            ThreadLocal.withInitial(() -> new float[CpuPackedGemm.packedBLength(BLOCK_COLUMNS)]);

    private CpuFusedConvolution() {
    }

    /** Floats of workspace for the packed filter: the larger of its forward and transposed packings. */
    static long packedFilterFloats(Dims d) {
        long forward = CpuPackedGemm.packedALength(d.kPerGroup, d.crsPerGroup);
        long transposed = CpuPackedGemm.packedALength(d.crsPerGroup, d.kPerGroup);
        return d.groups * Math.max(forward, transposed);
    }

    // ---- forward ----

    static void forward(CpuParallel parallel, Dims d, float[] x, float[] w, float[] y, float[] ws) {
        int perGroup = CpuPackedGemm.packedALength(d.kPerGroup, d.crsPerGroup);
        for (int grp = 0; grp < d.groups; grp++) {
            CpuPackedGemm.packA(w, grp * d.kPerGroup * d.crsPerGroup, d.crsPerGroup, 1, d.kPerGroup, d.crsPerGroup,
                    ws, d.packedFilterOffset + grp * perGroup);
        }
        if (d.overImages) {
            parallel.forRange(d.n, 1, (chunk, start, end) -> {
                for (int image = start; image < end; image++) {
                    forwardColumns(d, x, ws, perGroup, y, image, 0, d.pq);
                }
            });
        } else {
            int units = (d.pq + NR - 1) / NR;
            for (int image = 0; image < d.n; image++) {
                int n = image;
                parallel.forRange(units, 1, (chunk, start, end) ->
                        forwardColumns(d, x, ws, perGroup, y, n, start * NR, Math.min(d.pq, end * NR)));
            }
        }
    }

    /** Output pixels [j0, j1) of one image, every group. */
    private static void forwardColumns(Dims d, float[] x, float[] ws, int perGroup, float[] y, int image,
                                       int j0, int j1) {
        float[] panels = PANELS.get();
        int m = d.kPerGroup;
        int k = d.crsPerGroup;
        for (int grp = 0; grp < d.groups; grp++) {
            int xOffset = image * d.chw + grp * (d.c / d.groups) * d.hw;
            int packed = d.packedFilterOffset + grp * perGroup;
            int yOffset = image * d.kpq + grp * m * d.pq;
            for (int jb = j0; jb < j1; jb += BLOCK_COLUMNS) {
                int nc = Math.min(BLOCK_COLUMNS, j1 - jb);
                for (int pb = 0; pb < k; pb += CpuPackedGemm.KC) {
                    int kc = Math.min(CpuPackedGemm.KC, k - pb);
                    int depth = CpuPackedGemm.depth(k, pb);
                    packColumns(d, x, xOffset, pb, kc, depth, jb, nc, panels);
                    CpuPackedGemm.multiplyBlock(ws, packed + CpuPackedGemm.packedABlockOffset(m, k, pb), m, depth,
                            panels, 0, nc, pb == 0, y, yOffset + jb, d.pq);
                }
            }
        }
    }

    /**
     * Rows [pb, pb+kc) (kernel taps of one group) and columns [j0, j0+nc) (output pixels) of one image's column
     * matrix, in B panel layout: tap t, pixel j at {@code ((j−j0)/NR·depth + t−pb)·NR + (j−j0)%NR}; zero in padding,
     * past nc and in the extra step. Same values as {@link CpuConvolution}'s im2col.
     */
    private static void packColumns(Dims d, float[] x, int xOffset, int pb, int kc, int depth, int j0, int nc,
                                    float[] dst) {
        int panels = (nc + NR - 1) / NR;
        if (d.padH > 0 || d.padW > 0 || nc % NR != 0) {
            Arrays.fill(dst, 0, panels * depth * NR, 0f);
        } else if (depth > kc) {
            for (int q = 0; q < panels; q++) {
                int at = (q * depth + kc) * NR;
                Arrays.fill(dst, at, at + NR, 0f);
            }
        }
        int rs = d.r * d.s;
        int pFirst = j0 / d.q;
        int pLast = (j0 + nc - 1) / d.q;
        for (int t = pb; t < pb + kc; t++) {
            int c = t / rs;
            int r = (t - c * rs) / d.s;
            int s = t - c * rs - r * d.s;
            int hOffset = r * d.dilationH - d.padH;
            int wOffset = s * d.dilationW - d.padW;
            int qLo = d.firstValidQ(wOffset);
            int qHi = d.endValidQ(wOffset, qLo);
            int row = (t - pb) * NR;
            for (int p = pFirst; p <= pLast; p++) {
                int ih = p * d.strideH + hOffset;
                if (ih < 0 || ih >= d.h) {
                    continue;
                }
                int pixelRow = p * d.q - j0;
                int q = Math.max(qLo, -pixelRow);
                int qEnd = Math.min(qHi, nc - pixelRow);
                int src = xOffset + c * d.hw + ih * d.w + wOffset;
                while (q < qEnd) {
                    int col = pixelRow + q;
                    int lane = col & (NR - 1);
                    int run = Math.min(qEnd - q, NR - lane);
                    int at = (col - lane) * depth + row + lane;
                    if (d.strideW == 1) {
                        copy(x, src + q, dst, at, run);
                    } else {
                        for (int i = 0; i < run; i++) {
                            dst[at + i] = x[src + (q + i) * d.strideW];
                        }
                    }
                    q += run;
                }
            }
        }
    }

    private static void copy(float[] src, int from, float[] dst, int to, int length) {
        int i = 0;
        for (; i + LANES <= length; i += LANES) {
            FloatVector.fromArray(SPECIES, src, from + i).intoArray(dst, to + i);
        }
        for (; i < length; i++) {
            dst[to + i] = src[from + i];
        }
    }

    // ---- backward data ----

    /**
     * dst[to + i] += src[from + i] for i &lt; length, in vectors: col2im's inner loop, mostly runs of Q (8 on LeNet
     * conv2) that C2 leaves scalar. Each element gets the same single addition, so the bits do not change.
     */
    static void addInto(float[] src, int from, float[] dst, int to, int length) {
        int i = 0;
        for (; i + LANES <= length; i += LANES) {
            FloatVector.fromArray(SPECIES, dst, to + i).add(FloatVector.fromArray(SPECIES, src, from + i))
                    .intoArray(dst, to + i);
        }
        for (; i < length; i++) {
            dst[to + i] += src[from + i];
        }
    }

    /** Whether {@link #narrowRowSum} can take rows of {@code width} floats: the whole row fits one vector. */
    static boolean rowFitsAVector(int width) {
        return width <= LANES;
    }

    /**
     * The taps that reach input row {@code ih} in col2im, for {@link #narrowRowSum}: per tap, in order (r, then s), the
     * offset of its run of Q columns in a channel's rows of col, less s, and s·LANES; returns the number of ints
     * written to {@code runs} (at most 2·R·S).
     */
    static int narrowRowTaps(Dims d, int ld, int ih, int[] runs) {
        int count = 0;
        for (int r = 0; r < d.r; r++) {
            int shifted = ih + d.padH - r * d.dilationH;
            int p = shifted / d.strideH;
            if (shifted < 0 || p * d.strideH != shifted || p >= d.p) {
                continue;
            }
            for (int s = 0; s < d.s; s++) {
                runs[count++] = (r * d.s + s) * ld + p * d.q - s;
                runs[count++] = s * LANES;
            }
        }
        return count;
    }

    /**
     * {@code windows[s·LANES, (s + 1)·LANES)}: 1 in lanes [s, s + Q), 0 elsewhere, for s &lt; S: which lanes of a
     * vector loaded s floats before a run of Q belong to the run.
     */
    static void narrowRowWindows(Dims d, float[] windows) {
        for (int s = 0; s < d.s; s++) {
            for (int lane = 0; lane < LANES; lane++) {
                windows[s * LANES + lane] = lane >= s && lane < s + d.q ? 1f : 0f;
            }
        }
    }

    /**
     * One input row of one channel of col2im for rows that fit a vector with their padding: the sum of the runs that
     * {@link #narrowRowTaps} listed, each shifted to lane s, in one vector register, written once to
     * {@code out[outOffset, outOffset + LANES)} (lane w + padW holds input column w). Per element that is col2im's own
     * order of additions from zero, so the bits are the same; lanes outside a run add +0. The caller keeps
     * col[channelRows − S, channelRows + R·S·ld + LANES) inside the array.
     */
    static void narrowRowSum(float[] col, int channelRows, int[] runs, int count, float[] windows, float[] out,
                             int outOffset) {
        FloatVector sum = FloatVector.zero(SPECIES);
        // A flat loop over a list made beforehand: a branch inside it makes C2 box the accumulator.
        for (int i = 0; i < count; i += 2) {
            VectorMask<Float> inside = FloatVector.fromArray(SPECIES, windows, runs[i + 1])
                    .compare(VectorOperators.NE, 0f);
            sum = sum.add(FloatVector.zero(SPECIES).blend(FloatVector.fromArray(SPECIES, col, channelRows + runs[i]),
                    inside));
        }
        sum.intoArray(out, outOffset);
    }

    static void backwardData(CpuParallel parallel, Dims d, float[] dy, float[] w, float[] dx, float[] ws) {
        int perGroup = CpuPackedGemm.packedALength(d.crsPerGroup, d.kPerGroup);
        for (int grp = 0; grp < d.groups; grp++) {
            // columns_g = w_gᵀ · dy_g: op(A)(i, p) = w_g(p, i).
            CpuPackedGemm.packA(w, grp * d.kPerGroup * d.crsPerGroup, 1, d.crsPerGroup, d.crsPerGroup, d.kPerGroup,
                    ws, d.packedFilterOffset + grp * perGroup);
        }
        if (d.overImages) {
            parallel.forRange(d.n, 1, (chunk, start, end) -> {
                int col = chunk * d.chunkFloats;
                for (int image = start; image < end; image++) {
                    columnsFromOutput(d, dy, ws, perGroup, image, 0, d.pq, col);
                    CpuConvolution.col2im(d, ws, col, d.pq, dx, image * d.chw, 0, d.c);
                }
            });
        } else {
            int units = (d.pq + NR - 1) / NR;
            for (int image = 0; image < d.n; image++) {
                int n = image;
                parallel.forRange(units, 1, (chunk, start, end) ->
                        columnsFromOutput(d, dy, ws, perGroup, n, start * NR, Math.min(d.pq, end * NR), 0));
                parallel.forRange(d.c, 1, (chunk, start, end) ->
                        CpuConvolution.col2im(d, ws, 0, d.pq, dx, n * d.chw, start, end));
            }
        }
    }

    /** Columns [j0, j1) of one image's column matrix (C·R·S × P·Q at {@code col}) = wᵀ · dy, group by group. */
    private static void columnsFromOutput(Dims d, float[] dy, float[] ws, int perGroup, int image, int j0, int j1,
                                          int col) {
        float[] panels = PANELS.get();
        int m = d.crsPerGroup;
        int k = d.kPerGroup;
        for (int grp = 0; grp < d.groups; grp++) {
            int dyOffset = image * d.kpq + grp * k * d.pq;
            int packed = d.packedFilterOffset + grp * perGroup;
            int colOffset = col + grp * m * d.pq;
            for (int jb = j0; jb < j1; jb += BLOCK_COLUMNS) {
                int nc = Math.min(BLOCK_COLUMNS, j1 - jb);
                for (int pb = 0; pb < k; pb += CpuPackedGemm.KC) {
                    int kc = Math.min(CpuPackedGemm.KC, k - pb);
                    int depth = CpuPackedGemm.depth(k, pb);
                    packRows(dy, dyOffset + pb * d.pq + jb, d.pq, kc, depth, nc, panels);
                    CpuPackedGemm.multiplyBlock(ws, packed + CpuPackedGemm.packedABlockOffset(m, k, pb), m, depth,
                            panels, 0, nc, pb == 0, ws, colOffset + jb, d.pq);
                }
            }
        }
    }

    /** A row-major kc×nc matrix (row stride ld) into B panels; zero past nc and in the extra step. */
    private static void packRows(float[] src, int offset, int ld, int kc, int depth, int nc, float[] dst) {
        int whole = nc / NR * NR;
        for (int p = 0; p < kc; p++) {
            int from = offset + p * ld;
            for (int jr = 0; jr < whole; jr += NR) {
                copy(src, from + jr, dst, jr * depth + p * NR, NR);
            }
        }
        for (int jr = 0; jr < whole && depth > kc; jr += NR) {
            Arrays.fill(dst, jr * depth + kc * NR, jr * depth + depth * NR, 0f);
        }
        if (whole < nc) {
            int panel = whole * depth;
            Arrays.fill(dst, panel, panel + depth * NR, 0f);
            for (int p = 0; p < kc; p++) {
                System.arraycopy(src, offset + p * ld + whole, dst, panel + p * NR, nc - whole);
            }
        }
    }

    // ---- backward filter ----

    /**
     * {@link CpuConvolution}'s im2row (output rows [p0, p1) of one image into P·Q rows of C·R·S taps), with each run
     * of S contiguous taps copied as one vector of LANES floats. The lanes past S land on later runs' places and are
     * overwritten by them, since runs are written in increasing order; the last runs, whose vector would reach past
     * the pixel's row, are copied exactly, so nothing is written outside it. Pixels whose window leaves the image, or that are too close to the end of x
     * for a whole vector, take the checked scalar path.
     */
    static void im2row(Dims d, float[] x, int xOffset, int p0, int p1, float[] rows, int offset) {
        int taps = d.c * d.r * d.s;
        boolean vectorRuns = d.dilationW == 1 && d.s <= LANES;
        int runs = d.c * d.r;
        // Run j may be a whole vector when j·S + LANES ≤ runs·S.
        int vectorEnd = Math.max(0, Math.min(runs, Math.floorDiv(runs * d.s - LANES, d.s) + 1));
        for (int p = p0; p < p1; p++) {
            int ih0 = p * d.strideH - d.padH;
            boolean rowsInside = ih0 >= 0 && ih0 + (d.r - 1) * d.dilationH < d.h;
            for (int q = 0; q < d.q; q++) {
                int dst = offset + (p * d.q + q) * taps;
                int iw0 = q * d.strideW - d.padW;
                int last = xOffset + (d.c - 1) * d.hw + (ih0 + (d.r - 1) * d.dilationH) * d.w + iw0;
                if (vectorRuns && rowsInside && iw0 >= 0 && iw0 + d.s <= d.w && last + LANES <= x.length) {
                    for (int run = 0; run < runs; run++) {
                        int c = run / d.r;
                        int r = run - c * d.r;
                        int src = xOffset + c * d.hw + (ih0 + r * d.dilationH) * d.w + iw0;
                        if (run < vectorEnd) {
                            FloatVector.fromArray(SPECIES, x, src).intoArray(rows, dst + run * d.s);
                        } else {
                            System.arraycopy(x, src, rows, dst + run * d.s, d.s);
                        }
                    }
                } else {
                    CpuConvolution.im2rowPixel(d, x, xOffset, p, q, rows, dst);
                }
            }
        }
    }
}
