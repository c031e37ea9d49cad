package io.jcnn.backend.cpu;

import io.jcnn.backend.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution forward by Winograd's minimal filtering (Lavin and Gray, "Fast Algorithms for Convolutional Neural
 * Networks", 2015) on 8×8 input tiles: F(4×4, 5×5) for 5×5 filters and F(6×6, 3×3) for 3×3 ones, both on the
 * interpolation points 0, ±1, ±2, ±½ and ∞. A 5×5 filter over a 4×4 output tile then costs 64 multiplications
 * instead of 400 (a 3×3 one over 6×6: 64 instead of 324), plus the transforms of the input and output tiles, which
 * are cheap next to the products once there are more than a few channels.
 *
 * <p>The products are one GEMM per tile position ξ of the 64: M_ξ (K × tiles) = U_ξ (K × C) · V_ξ (C × tiles), with
 * U = G·w·Gᵀ the transformed filter, packed once per call in {@link CpuPackedGemm}'s A layout, and V = Bᵀ·d·B the
 * transformed input tiles d. Tiles go NR at a time, one B panel of the micro-kernel: the input transform writes V
 * straight into the panels, the kernel multiplies, and the output transform Aᵀ·M·A writes y. Vectors run across
 * the NR tiles of a panel, so every transform is lane-wise arithmetic with scalar coefficients.
 *
 * <p>Results differ from the direct path in the last bits (on random data about 1e-5 of the largest output), but
 * each panel is computed the same way whatever the thread count, so runs stay reproducible. Only loaded where the
 * vector kernel runs.
 */
final class CpuWinogradConvolution {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    private static final int MR = CpuPackedGemm.MR;
    /** Tiles per panel: the width of the micro-kernel's B panel. */
    private static final int NR = CpuPackedGemm.NR;
    /** Side of an input tile. */
    static final int ALPHA = 8;
    /** Tile positions, and GEMMs per panel and group. */
    private static final int XI = ALPHA * ALPHA;
    /** The finite interpolation points; the eighth is ∞. */
    private static final double[] POINTS = {0, 1, -1, 2, -2, 0.5, -0.5};
    /** Bᵀ for these points, the input transform of both variants; {@link #inputPass} computes it. */
    private static final double[][] BT = {
        {-1, 0, 21 / 4.0, 0, -21 / 4.0, 0, 1, 0},
        {0, 1, 1, -17 / 4.0, -17 / 4.0, 1, 1, 0},
        {0, -1, 1, 17 / 4.0, -17 / 4.0, -1, 1, 0},
        {0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0},
        {0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0},
        {0, 2, 4, -2.5, -5, 0.5, 1, 0},
        {0, -2, 4, 2.5, -5, -0.5, 1, 0},
        {0, -1, 0, 21 / 4.0, 0, -21 / 4.0, 0, 1},
    };
    private static final Variant F4X4_5X5 = new Variant(5);
    private static final Variant F6X6_3X3 = new Variant(3);
    /** Below this many input channels per group the transforms outweigh the saved multiplications. */
    static final int MIN_CHANNELS = 4;
    /**
     * Largest V + M per tile of a panel, in floats (64 KiB; a panel holds NR tiles, so 1 MiB at 256 bits and 2 MiB at
     * 512). Beyond it the panel's products stream from the last-level cache and the GEMM path is faster. Measured per
     * tile so that one rule holds at both widths: on a 2-core Zen 5 machine, AlexNet conv2 (44 KiB per tile) ran 2.3×
     * faster here than by GEMM with 256-bit vectors and 1.8× with 512-bit ones, while conv5 (80 KiB), conv4 (96 KiB)
     * and conv3 (160 KiB) ran 1.5–5.5× slower at either width.
     */
    static final int MAX_TILE_FLOATS = 1 << 14;

    private CpuWinogradConvolution() {
    }

    /** A filter size's transforms: Aᵀ (m × 8) for the output and G (8 × r) for the filter. */
    static final class Variant {
        final int r;
        /** Output tile side. */
        final int m;
        final double[][] at;
        final double[][] g;
        /** G in float, row by row and column by column. */
        final float[] gRows;
        final float[] gColumns;

        Variant(int r) {
            this.r = r;
            this.m = ALPHA + 1 - r;
            at = new double[m][ALPHA];
            g = new double[ALPHA][r];
            for (int j = 0; j < ALPHA - 1; j++) {
                double f = 1;
                for (int l = 0; l < ALPHA - 1; l++) {
                    f *= l == j ? 1 : POINTS[j] - POINTS[l];
                }
                for (int i = 0; i < m; i++) {
                    at[i][j] = Math.pow(POINTS[j], i);
                }
                for (int k = 0; k < r; k++) {
                    g[j][k] = Math.pow(POINTS[j], k) / f;
                }
            }
            at[m - 1][ALPHA - 1] = 1;
            g[ALPHA - 1][r - 1] = 1;
            gRows = new float[ALPHA * r];
            gColumns = new float[r * ALPHA];
            for (int j = 0; j < ALPHA; j++) {
                for (int k = 0; k < r; k++) {
                    gRows[j * r + k] = (float) g[j][k];
                    gColumns[k * ALPHA + j] = (float) g[j][k];
                }
            }
        }
    }

    /** Bᵀ, for tests. */
    static double[][] inputTransform() {
        return BT;
    }

    /** The variant for this geometry, or null when Winograd does not apply to it. */
    static Variant variant(ConvGeometry g) {
        var spec = g.spec();
        if (spec.strideH() != 1 || spec.strideW() != 1 || spec.dilationH() != 1 || spec.dilationW() != 1
                || g.kernelH() != g.kernelW()) {
            return null;
        }
        return switch (g.kernelH()) {
            case 5 -> F4X4_5X5;
            case 3 -> F6X6_3X3;
            default -> null;
        };
    }

    /**
     * Whether forward should run here: a 3×3 or 5×5 filter at stride 1 without dilation, enough input channels per
     * group for the transforms to pay, at least one whole panel of tiles, and a panel's working set that stays in
     * cache ({@link #MAX_TILE_FLOATS} per tile).
     */
    static boolean applies(ConvGeometry g) {
        return applies(g, NR);
    }

    /** The same rule for panels of {@code panelTiles} tiles (two vectors: 16 at 256 bits, 32 at 512). */
    static boolean applies(ConvGeometry g, int panelTiles) {
        Variant v = variant(g);
        if (v == null || g.inChannels() / g.groups() < MIN_CHANNELS) {
            return false;
        }
        Layout l = new Layout(g, v, 1);
        // V and M hold XI·(C + kPad) floats per tile of a panel.
        return l.tiles >= panelTiles && (long) XI * (l.c + l.kPad) <= MAX_TILE_FLOATS;
    }

    /** Floats of shared workspace forward needs here. */
    static long workspaceFloats(ConvGeometry g, int threads) {
        return new Layout(g, variant(g), threads).floats;
    }

    /** Sizes and workspace offsets, from the geometry and the thread count alone. */
    static final class Layout {
        final int n, c, h, w, k, p, q, padH, padW, groups, cg, kg, kPad;
        final int tilesH, tilesW, tilesPerImage, tiles, panels, chunks;
        /**
         * Per chunk: V (64 positions × C steps × NR), M (64 × kPad × NR), two input tiles and one intermediate
         * (64 × NR each), and the output tiles of one group's filters (kg × m·m × NR).
         */
        final int vFloats, mFloats, outFloats, chunkFloats;
        /** The packed U, after the chunks. */
        final int uOffset;
        final long floats;

        Layout(ConvGeometry g, Variant v, int threads) {
            n = g.batch();
            c = g.inChannels();
            h = g.inHeight();
            w = g.inWidth();
            k = g.outChannels();
            p = g.outHeight();
            q = g.outWidth();
            padH = g.spec().padH();
            padW = g.spec().padW();
            groups = g.groups();
            cg = c / groups;
            kg = k / groups;
            kPad = CpuPackedGemm.paddedRows(kg);
            tilesH = (p + v.m - 1) / v.m;
            tilesW = (q + v.m - 1) / v.m;
            tilesPerImage = tilesH * tilesW;
            tiles = n * tilesPerImage;
            panels = (tiles + NR - 1) / NR;
            chunks = Math.max(1, Math.min(threads, panels));
            vFloats = XI * c * NR;
            mFloats = XI * kPad * NR;
            outFloats = kg * v.m * v.m * NR;
            chunkFloats = vFloats + mFloats + 3 * XI * NR + outFloats;
            long u = (long) groups * XI * kPad * cg;
            long total = (long) chunks * chunkFloats + u;
            // The backend refuses to plan a workspace beyond 2^31-1 floats, so the offsets fit once planning did.
            uOffset = (int) Math.min(Integer.MAX_VALUE, (long) chunks * chunkFloats);
            floats = total;
        }

        /**
         * Where U_ξ of group grp starts, from the start of U: strip s of MR filters holds step (channel) i's MR
         * values at +(s·cg + i)·MR.
         */
        int u(int grp, int xi) {
            return (grp * XI + xi) * kPad * cg;
        }

        long uFloats() {
            return (long) groups * XI * kPad * cg;
        }
    }

    // ---- forward ----

    /**
     * A plan's transformed filter U and the weights it was made from, so that calls with unchanged weights (inference,
     * or evaluation between training steps) skip the transform: comparing the weights costs a few microseconds, while
     * LeNet conv2's forward at batch 64 took 0.36 ms with U kept and 0.76 ms inside a training step, where the weights
     * change every call. U is the same either way, so the bits are too.
     */
    static final class FilterCache {
        private float[] weights;
        private float[] u;
    }

    /** y = x ⋆ w (+ bias per output channel when bias is not null, added to the finished sum). */
    static void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
                        float[] ws) {
        forward(parallel, g, x, w, bias, y, ws, null);
    }

    /** As above, with U kept in {@code cache} between calls (null: U in the workspace, made every call). */
    static void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
                        float[] ws, FilterCache cache) {
        Variant v = variant(g);
        Layout l = new Layout(g, v, parallel.threads());
        float[] u = ws;
        int uAt = l.uOffset;
        if (cache == null) {
            transformFilter(parallel, l, v, w, ws, uAt);
        } else {
            int n = g.filter().size();
            if (cache.weights == null || !Arrays.equals(cache.weights, 0, n, w, 0, n)) {
                if (cache.weights == null) {
                    cache.weights = new float[n];
                    cache.u = new float[(int) l.uFloats()];
                }
                transformFilter(parallel, l, v, w, cache.u, 0);
                System.arraycopy(w, 0, cache.weights, 0, n);
            }
            u = cache.u;
            uAt = 0;
        }
        float[] uData = u;
        int uBase = uAt;
        parallel.forRange(l.panels, 1, (chunk, start, end) -> {
            Panel panel = new Panel(l, v, ws, chunk * l.chunkFloats, uData, uBase);
            for (int i = start; i < end; i++) {
                panel.compute(x, bias, y, i * NR);
            }
        });
    }

    /**
     * U = G·w·Gᵀ for every (filter, channel) into the packed A layout at {@code ws[base]}; rows past kg are zero.
     * Vectors run across LANES consecutive entries of a position's packed block (channel by channel within a strip of
     * MR filters), so each of the 64 positions of a block is one vector store; the filter taps of those entries are
     * first copied tap by tap into scratch, the only scalar work. Each value is the scalar transform's chain of fused
     * multiply-adds (the half column over a, then U over b, each from zero), so U has the same bits. LeNet conv2's
     * transform (1,000 filter-channel pairs) went from about 0.24 ms to about 0.1 ms a call.
     */
    private static void transformFilter(CpuParallel parallel, Layout l, Variant v, float[] w, float[] ws, int base) {
        int entries = l.kPad * l.cg;
        int blocks = (entries + LANES - 1) / LANES;
        parallel.forRange(l.groups * blocks, 1, (chunk, start, end) -> {
            float[] scratch = TRANSFORM_SCRATCH.get();
            for (int block = start; block < end; block++) {
                int grp = block / blocks;
                transformBlock(l, v, w, grp, (block - grp * blocks) * LANES, entries, ws, base, scratch);
            }
        });
    }

    /** Scratch of {@link #transformBlock}: taps, half columns and one position's vector, LANES floats each. */
    private static final ThreadLocal<float[]> TRANSFORM_SCRATCH =
            ThreadLocal.withInitial(() -> new float[(5 * 5 + ALPHA * 5 + 1) * LANES]);

    /** Entries [e0, e0 + LANES) of group grp's packed U blocks, those past {@code entries} left alone. */
    private static void transformBlock(Layout l, Variant v, float[] w, int grp, int e0, int entries, float[] ws,
                                       int base, float[] scratch) {
        int r = v.r;
        int taps = r * r;
        int halfAt = taps * LANES;
        int outAt = halfAt + ALPHA * r * LANES;
        int stripFloats = l.cg * MR;
        for (int lane = 0; lane < LANES; lane++) {
            int e = e0 + lane;
            int strip = e / stripFloats;
            int channel = (e - strip * stripFloats) / MR;
            int row = strip * MR + e - strip * stripFloats - channel * MR;
            boolean real = e < entries && row < l.kg;
            int filter = ((grp * l.kg + row) * l.cg + channel) * taps;
            for (int t = 0; t < taps; t++) {
                scratch[t * LANES + lane] = real ? w[filter + t] : 0f;
            }
        }
        float[] gColumns = v.gColumns;
        float[] gRows = v.gRows;
        FloatVector zero = FloatVector.zero(SPECIES);
        // half[b][i] = Σ_a G[i][a]·w[a][b]; each accumulator lives in the innermost loop only (C2 boxes vectors that
        // cross loops).
        for (int hb = 0; hb < r * ALPHA; hb++) {
            int b = hb / ALPHA;
            int i = hb - b * ALPHA;
            FloatVector sum = zero;
            for (int a = 0; a < r; a++) {
                sum = FloatVector.fromArray(SPECIES, scratch, (a * r + b) * LANES)
                        .fma(FloatVector.broadcast(SPECIES, gColumns[a * ALPHA + i]), sum);
            }
            sum.intoArray(scratch, halfAt + hb * LANES);
        }
        // U[xi = i·8 + j] = Σ_b half[b][i]·G[j][b].
        boolean whole = e0 + LANES <= entries;
        for (int xi = 0; xi < XI; xi++) {
            int i = xi / ALPHA;
            int j = xi - i * ALPHA;
            FloatVector sum = zero;
            for (int b = 0; b < r; b++) {
                sum = FloatVector.fromArray(SPECIES, scratch, halfAt + (b * ALPHA + i) * LANES)
                        .fma(FloatVector.broadcast(SPECIES, gRows[j * r + b]), sum);
            }
            int to = base + l.u(grp, xi) + e0;
            if (whole) {
                sum.intoArray(ws, to);
            } else {
                sum.intoArray(scratch, outAt);
                System.arraycopy(scratch, outAt, ws, to, entries - e0);
            }
        }
    }

    /** One thread's scratch and the work on one panel of NR consecutive tiles. */
    private static final class Panel {
        private final Layout l;
        private final Variant v;
        private final float[] ws;
        /** The packed U and where it starts: in the workspace, or a plan's {@link FilterCache}. */
        private final float[] u;
        private final int uBase;
        private final int vAt;
        private final int mAt;
        private final int patchAt;
        private final int tmpAt;
        private final int outAt;
        /** Per lane: the tile's image, top-left input row and column (may be outside the image), or -1 past the end. */
        private final int[] image = new int[NR];
        private final int[] row0 = new int[NR];
        private final int[] col0 = new int[NR];
        /** Per lane: the tile's rows [rowLo, rowHi) and columns [colLo, colHi) that lie inside the image. */
        private final int[] rowLo = new int[NR];
        private final int[] rowHi = new int[NR];
        private final int[] colLo = new int[NR];
        private final int[] colHi = new int[NR];
        /** Per lane, for the scatter: where the tile's first output is in y, and how many of its rows and columns are inside. */
        private final int[] outBase = new int[NR];
        private final int[] outRows = new int[NR];
        private final int[] outCols = new int[NR];

        Panel(Layout l, Variant v, float[] ws, int at, float[] u, int uBase) {
            this.l = l;
            this.v = v;
            this.ws = ws;
            this.u = u;
            this.uBase = uBase;
            vAt = at;
            mAt = vAt + l.vFloats;
            patchAt = mAt + l.mFloats;
            tmpAt = patchAt + 2 * XI * NR;
            outAt = tmpAt + XI * NR;
        }

        void compute(float[] x, float[] bias, float[] y, int firstTile) {
            for (int lane = 0; lane < NR; lane++) {
                int t = firstTile + lane;
                if (t >= l.tiles) {
                    image[lane] = -1;
                    continue;
                }
                int img = t / l.tilesPerImage;
                int inImage = t - img * l.tilesPerImage;
                int ty = inImage / l.tilesW;
                image[lane] = img;
                row0[lane] = ty * v.m - l.padH;
                col0[lane] = (inImage - ty * l.tilesW) * v.m - l.padW;
            }
            boolean cut = false;
            for (int lane = 0; lane < NR; lane++) {
                boolean real = image[lane] >= 0;
                rowLo[lane] = real ? Math.max(0, -row0[lane]) : 0;
                rowHi[lane] = real ? Math.max(rowLo[lane], Math.min(ALPHA, l.h - row0[lane])) : 0;
                colLo[lane] = real ? Math.max(0, -col0[lane]) : 0;
                colHi[lane] = real ? Math.max(colLo[lane], Math.min(ALPHA, l.w - col0[lane])) : 0;
                cut |= rowLo[lane] > 0 || rowHi[lane] < ALPHA || colLo[lane] > 0 || colHi[lane] < ALPHA;
            }
            if (cut) {
                // The parts of the tiles outside the image are the same for every channel: zero them once in both
                // patch buffers, and each channel writes only the inside.
                Arrays.fill(ws, patchAt, patchAt + 2 * XI * NR, 0f);
            }
            // Scalar stores feed vector loads and the other way round here; a load that needs several stores still
            // in flight cannot be forwarded from them and waits for them to retire. So each channel's tiles are
            // gathered one channel ahead, and a group's output tiles are all transformed before any is scattered.
            gatherPatches(x, 0, patchAt);
            for (int ch = 0; ch < l.c; ch++) {
                if (ch + 1 < l.c) {
                    gatherPatches(x, ch + 1, patchAt + ((ch + 1) & 1) * XI * NR);
                }
                // tmp = Bᵀ·d along rows, then V = tmp·B along columns, written as step ch of the 64 B panels.
                inputPass(ws, patchAt + (ch & 1) * XI * NR, ALPHA * NR, NR, ws, tmpAt, ALPHA * NR, NR);
                inputPass(ws, tmpAt, NR, ALPHA * NR, ws, vAt + ch * NR, l.c * NR, ALPHA * l.c * NR);
            }
            int tile = v.m * v.m * NR;
            for (int grp = 0; grp < l.groups; grp++) {
                multiply(grp);
                for (int kk = 0; kk < l.kg; kk++) {
                    // tmp = Aᵀ·M along rows (m × 8), then out = tmp·A along columns (m × m).
                    outputPass(v.m, ALPHA, ws, mAt + kk * NR, ALPHA * l.kPad * NR, l.kPad * NR,
                            ws, tmpAt, ALPHA * NR, NR);
                    outputPass(v.m, v.m, ws, tmpAt, NR, ALPHA * NR, ws, outAt + kk * tile, NR, v.m * NR);
                }
                scatter(bias, y, grp);
            }
        }

        /**
         * Each lane's 8×8 input tile of channel ch at patch + (r·8 + s)·NR + lane, its inside part only (the rest was
         * zeroed once for the panel).
         */
        private void gatherPatches(float[] x, int ch, int patch) {
            for (int lane = 0; lane < NR; lane++) {
                int channel = (image[lane] * l.c + ch) * l.h * l.w + row0[lane] * l.w + col0[lane];
                if (rowLo[lane] == 0 && rowHi[lane] == ALPHA && colLo[lane] == 0 && colHi[lane] == ALPHA) {
                    // A tile inside the image: constant bounds, which the JIT unrolls.
                    for (int r = 0, dst = patch + lane; r < ALPHA; r++) {
                        int src = channel + r * l.w;
                        for (int s = 0; s < ALPHA; s++, dst += NR) {
                            ws[dst] = x[src + s];
                        }
                    }
                    continue;
                }
                int r1 = rowHi[lane];
                int s0 = colLo[lane];
                int s1 = colHi[lane];
                for (int r = rowLo[lane]; r < r1; r++) {
                    int src = channel + r * l.w;
                    for (int s = s0, dst = patch + (r * ALPHA + s0) * NR + lane; s < s1; s++, dst += NR) {
                        ws[dst] = x[src + s];
                    }
                }
            }
        }

        /** M_ξ = U_ξ · V_ξ for the filters of group grp, every ξ, strip by strip. */
        private void multiply(int grp) {
            for (int xi = 0; xi < XI; xi++) {
                int uAt = uBase + l.u(grp, xi);
                int b = vAt + (xi * l.c + grp * l.cg) * NR;
                for (int strip = 0; strip < l.kg; strip += MR) {
                    int at = mAt + (xi * l.kPad + strip) * NR;
                    CpuGemmVectorKernel.applyBeta(ws, at, NR, 0f);
                    CpuGemmVectorKernel.kernel(l.cg, u, uAt + strip * l.cg, ws, b, ws, at, NR);
                }
            }
        }

        /**
         * Group grp's output tiles (filter kk's at out + kk·m·m·NR, (i·m + j)·NR + lane) into y, inside the image.
         * Read in order, a lane at a time: each position's NR lanes are one contiguous run of the buffer.
         */
        private void scatter(float[] bias, float[] y, int grp) {
            int m = v.m;
            int pq = l.p * l.q;
            int lanes = 0;
            boolean whole = true;
            for (int lane = 0; lane < NR && image[lane] >= 0; lane++, lanes++) {
                int top = row0[lane] + l.padH;
                int left = col0[lane] + l.padW;
                outBase[lane] = (image[lane] * l.k + grp * l.kg) * pq + top * l.q + left;
                outRows[lane] = Math.min(m, l.p - top);
                outCols[lane] = Math.min(m, l.q - left);
                whole &= outRows[lane] == m && outCols[lane] == m;
            }
            for (int kk = 0, src = outAt; kk < l.kg; kk++) {
                float b = bias == null ? 0f : bias[grp * l.kg + kk];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < m; j++, src += NR) {
                        int offset = kk * pq + i * l.q + j;
                        if (whole) {
                            for (int lane = 0; lane < lanes; lane++) {
                                y[outBase[lane] + offset] = ws[src + lane] + b;
                            }
                        } else {
                            for (int lane = 0; lane < lanes; lane++) {
                                if (i < outRows[lane] && j < outCols[lane]) {
                                    y[outBase[lane] + offset] = ws[src + lane] + b;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * One pass of the input transform Bᵀ·d, NR lanes wide: for each of the 8 positions o, the 8 values
     * {@code src[sAt + o·sOther + e·sStep]} (e = 0 … 7) go to {@code dst[dAt + o·dOther + i·dStep]} (i = 0 … 7) as
     * Bᵀ times them. Bᵀ's rows pair up as a ± b, which is how they are computed (28 operations instead of 64).
     */
    static void inputPass(float[] src, int sAt, int sStep, int sOther, float[] dst, int dAt, int dStep, int dOther) {
        for (int o = 0; o < ALPHA; o++) {
            for (int lane = 0; lane < NR; lane += LANES) {
                int from = sAt + o * sOther + lane;
                FloatVector d0 = FloatVector.fromArray(SPECIES, src, from);
                FloatVector d1 = FloatVector.fromArray(SPECIES, src, from + sStep);
                FloatVector d2 = FloatVector.fromArray(SPECIES, src, from + 2 * sStep);
                FloatVector d3 = FloatVector.fromArray(SPECIES, src, from + 3 * sStep);
                FloatVector d4 = FloatVector.fromArray(SPECIES, src, from + 4 * sStep);
                FloatVector d5 = FloatVector.fromArray(SPECIES, src, from + 5 * sStep);
                FloatVector d6 = FloatVector.fromArray(SPECIES, src, from + 6 * sStep);
                FloatVector d7 = FloatVector.fromArray(SPECIES, src, from + 7 * sStep);
                int to = dAt + o * dOther + lane;
                fma(d2.sub(d4), 5.25f, d6.sub(d0)).intoArray(dst, to);
                fma(d3.sub(d5), 5.25f, d7.sub(d1)).intoArray(dst, to + 7 * dStep);
                FloatVector a = fma(d4, -4.25f, d2.add(d6));
                FloatVector b = fma(d3, -4.25f, d1.add(d5));
                a.add(b).intoArray(dst, to + dStep);
                a.sub(b).intoArray(dst, to + 2 * dStep);
                a = fma(d2, 0.25f, fma(d4, -1.25f, d6));
                b = fma(d1, 0.5f, fma(d3, -2.5f, d5.mul(2f)));
                a.add(b).intoArray(dst, to + 3 * dStep);
                a.sub(b).intoArray(dst, to + 4 * dStep);
                a = fma(d2, 4f, fma(d4, -5f, d6));
                b = fma(d1, 2f, fma(d3, -2.5f, d5.mul(0.5f)));
                a.add(b).intoArray(dst, to + 5 * dStep);
                a.sub(b).intoArray(dst, to + 6 * dStep);
            }
        }
    }

    /**
     * One pass of the output transform Aᵀ·M for an m-row Aᵀ (m even), NR lanes wide: for each of {@code others}
     * positions o, the 8 values {@code src[sAt + o·sOther + e·sStep]} go to {@code dst[dAt + o·dOther + i·dStep]}
     * (i &lt; m). Row i of Aᵀ is the i-th powers of the points, so with s = m₁+m₂, d = m₁−m₂ (points ±1), and likewise
     * for ±2 and ±½, row i is s₁ + 2ⁱ·s₂ + 2⁻ⁱ·s₃ when i is even and the same in d when i is odd, plus m₀ in row 0
     * and m₇ (the point at ∞) in row m−1.
     */
    static void outputPass(int m, int others, float[] src, int sAt, int sStep, int sOther,
                           float[] dst, int dAt, int dStep, int dOther) {
        for (int o = 0; o < others; o++) {
            for (int lane = 0; lane < NR; lane += LANES) {
                int from = sAt + o * sOther + lane;
                FloatVector m1 = FloatVector.fromArray(SPECIES, src, from + sStep);
                FloatVector m2 = FloatVector.fromArray(SPECIES, src, from + 2 * sStep);
                FloatVector m3 = FloatVector.fromArray(SPECIES, src, from + 3 * sStep);
                FloatVector m4 = FloatVector.fromArray(SPECIES, src, from + 4 * sStep);
                FloatVector m5 = FloatVector.fromArray(SPECIES, src, from + 5 * sStep);
                FloatVector m6 = FloatVector.fromArray(SPECIES, src, from + 6 * sStep);
                FloatVector s1 = m1.add(m2);
                FloatVector d1 = m1.sub(m2);
                FloatVector s2 = m3.add(m4);
                FloatVector d2 = m3.sub(m4);
                FloatVector s3 = m5.add(m6);
                FloatVector d3 = m5.sub(m6);
                int to = dAt + o * dOther + lane;
                s1.add(s2).add(s3).add(FloatVector.fromArray(SPECIES, src, from)).intoArray(dst, to);
                for (int i = 2; i < m; i += 2) {
                    fma(s2, 1 << i, fma(s3, 1f / (1 << i), s1)).intoArray(dst, to + i * dStep);
                }
                for (int i = 1; i < m - 1; i += 2) {
                    fma(d2, 1 << i, fma(d3, 1f / (1 << i), d1)).intoArray(dst, to + i * dStep);
                }
                fma(d2, 1 << (m - 1), fma(d3, 1f / (1 << (m - 1)), d1))
                        .add(FloatVector.fromArray(SPECIES, src, from + 7 * sStep)).intoArray(dst, to + (m - 1) * dStep);
            }
        }
    }

    /** a·b + c, b broadcast. */
    private static FloatVector fma(FloatVector a, float b, FloatVector c) {
        return a.fma(FloatVector.broadcast(SPECIES, b), c);
    }
}
