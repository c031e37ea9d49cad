package io.jcnn.backend.cpu;

import io.jcnn.backend.ConvGeometry;
import java.util.Arrays;

/**
 * Convolution forward, backward-data and backward-filter on the CPU, by im2col/col2im and {@link CpuGemm}.
 *
 * <p>Column layout (Caffe's): for a block of B images the column matrix has C·R·S rows, row
 * {@code (c·R + r)·S + s}, and B·P·Q columns, image b's output pixel (p, q) at column {@code b·P·Q + p·Q + q}.
 * Group g owns the rows of its C/groups input channels, so each group is one GEMM on a contiguous row band.
 *
 * <p>Where the Vector API kernel runs, forward and backward-data go through {@link CpuFusedConvolution} instead, which
 * packs the column matrix straight into the kernel's panels (same bits, no im2col buffer); backward-filter then uses
 * {@link CpuVectorFilterGradient} for filters with few taps, {@link CpuChannelVectorFilterGradient} for stride-1
 * convolutions with enough output channels, and the im2row code below otherwise, and the portable
 * kernel uses the im2col code for all three.
 *
 * <p>Work splitting, decided from the batch size and thread count alone (so {@link #workspaceFloats} and the ops
 * agree): when the batch has at least as many images as threads, each thread takes a contiguous run of images with
 * its own column buffer and calls the single-threaded GEMM; otherwise images are processed one block at a time with
 * im2col/col2im split over (image, channel) pairs and the GEMM given the thread pool. Several images share one column
 * block when P·Q is small (LeNet conv2: 8×8), so the GEMM sees {@link #TARGET_COLUMNS} columns (forward,
 * backward-data) or steps (backward-filter) rather than a skinny 64; the block result is scattered back to N×K×P×Q.
 *
 * <p>Backward-filter instead lays the block's taps out transposed (B·P·Q rows of C·R·S), in the same buffer.
 *
 * <p>All scratch comes from the backend's shared workspace: per chunk a column buffer and (for blocks of more than
 * one image) a K×B·P·Q staging matrix, plus, for backward-filter, one partial filter gradient per chunk after the
 * first, and, for the fused path, the packed filter. Partials are added to chunk 0's result in chunk order, so
 * results are reproducible for a thread count.
 */
final class CpuConvolution {
    /**
     * GEMM columns a forward or backward-data column block aims for: images are grouped until B·P·Q reaches this.
     * On LeNet conv2 (P·Q = 64) blocks of 8 images ran forward about 30% faster than one image per block and
     * 2048 columns gave no further gain (single thread, current GEMM); shapes with P·Q at or above it use one image.
     */
    static final int TARGET_COLUMNS = 512;

    /** {@link #col2imNarrowRows}' scratch, per thread. */
    private static final ThreadLocal<NarrowRowsScratch> NARROW_ROWS = ThreadLocal.withInitial(NarrowRowsScratch::new);

    private CpuConvolution() {
    }

    /** Floats of shared workspace the three convolution ops need for this geometry and thread count. */
    static long workspaceFloats(ConvGeometry g, int threads) {
        return new Dims(g, threads, fusedAvailable()).workspaceFloats;
    }

    /** Whether forward and backward-data run fused ({@link CpuFusedConvolution}): where the vector kernel runs. */
    static boolean fusedAvailable() {
        return CpuGemm.selectedKernel() == CpuGemm.Kernel.VECTOR;
    }

    /**
     * How backward-data and backward-filter run for this geometry, in words, for a plan's description;
     * {@code dataOverride} names backward-data's algorithm where the plan took another one than ours, else null.
     */
    static String backwardAlgorithms(ConvGeometry g, int threads, String dataOverride) {
        boolean fused = fusedAvailable();
        // Dims with fused = true loads the vector classes, which need the Vector API module: only where it runs.
        Dims d = new Dims(g, threads, fused);
        String filter = !fused ? "im2col gemm"
                : CpuVectorFilterGradient.applies(d) ? "direct vector loop"
                : CpuChannelVectorFilterGradient.applies(d) ? "channel-vector loop" : "im2row gemm";
        String data = dataOverride != null ? dataOverride : fused ? "fused gemm" : "im2col gemm";
        return "backward-data by " + data + ", backward-filter by " + filter;
    }

    // ---- forward ----

    static void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] y, float[] workspace) {
        forward(parallel, g, x, w, y, workspace, fusedAvailable());
    }

    /** As above; {@code fused} picks {@link CpuFusedConvolution} (vector kernel only) over im2col. */
    static void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] y, float[] workspace,
                        boolean fused) {
        Dims d = new Dims(g, parallel.threads(), fused);
        if (fused) {
            CpuFusedConvolution.forward(parallel, d, x, w, y, workspace);
            return;
        }
        if (d.overImages) {
            parallel.forRange(d.n, 1, (chunk, start, end) -> {
                int col = chunk * d.chunkFloats;
                for (int n0 = start; n0 < end; n0 += d.blockImages) {
                    forwardBlock(null, d, x, w, y, workspace, col, col + d.columnFloats, n0,
                            Math.min(d.blockImages, end - n0));
                }
            });
        } else {
            for (int n0 = 0; n0 < d.n; n0 += d.blockImages) {
                forwardBlock(parallel, d, x, w, y, workspace, 0, d.columnFloats, n0, Math.min(d.blockImages, d.n - n0));
            }
        }
    }

    private static void forwardBlock(CpuParallel parallel, Dims d, float[] x, float[] w, float[] y, float[] ws,
                                     int colOffset, int stagingOffset, int n0, int images) {
        int ld = images * d.pq;
        im2colBlock(parallel, d, x, n0, images, ws, colOffset, ld);
        for (int grp = 0; grp < d.groups; grp++) {
            int wOffset = grp * d.kPerGroup * d.crsPerGroup;
            int bOffset = colOffset + grp * d.crsPerGroup * ld;
            if (images == 1) {
                CpuGemm.gemm(parallel, false, false, d.kPerGroup, d.pq, d.crsPerGroup, 1f,
                        w, wOffset, d.crsPerGroup, ws, bOffset, ld,
                        0f, y, n0 * d.kpq + grp * d.kPerGroup * d.pq, d.pq);
            } else {
                CpuGemm.gemm(parallel, false, false, d.kPerGroup, ld, d.crsPerGroup, 1f,
                        w, wOffset, d.crsPerGroup, ws, bOffset, ld,
                        0f, ws, stagingOffset + grp * d.kPerGroup * ld, ld);
            }
        }
        if (images > 1) {
            // Staging is K × (B·P·Q); y wants B × K × P·Q.
            for (int b = 0; b < images; b++) {
                int yImage = (n0 + b) * d.kpq;
                for (int k = 0; k < d.k; k++) {
                    System.arraycopy(ws, stagingOffset + k * ld + b * d.pq, y, yImage + k * d.pq, d.pq);
                }
            }
        }
    }

    // ---- backward data ----

    static void backwardData(CpuParallel parallel, ConvGeometry g, float[] dy, float[] w, float[] dx, float[] workspace) {
        backwardData(parallel, g, dy, w, dx, workspace, fusedAvailable());
    }

    /** As above; {@code fused} picks {@link CpuFusedConvolution} (vector kernel only) over im2col/col2im. */
    static void backwardData(CpuParallel parallel, ConvGeometry g, float[] dy, float[] w, float[] dx,
                             float[] workspace, boolean fused) {
        Dims d = new Dims(g, parallel.threads(), fused);
        if (fused) {
            CpuFusedConvolution.backwardData(parallel, d, dy, w, dx, workspace);
            return;
        }
        if (d.overImages) {
            parallel.forRange(d.n, 1, (chunk, start, end) -> {
                int col = chunk * d.chunkFloats;
                for (int n0 = start; n0 < end; n0 += d.blockImages) {
                    backwardDataBlock(null, d, dy, w, dx, workspace, col, col + d.columnFloats, n0,
                            Math.min(d.blockImages, end - n0));
                }
            });
        } else {
            for (int n0 = 0; n0 < d.n; n0 += d.blockImages) {
                backwardDataBlock(parallel, d, dy, w, dx, workspace, 0, d.columnFloats, n0,
                        Math.min(d.blockImages, d.n - n0));
            }
        }
    }

    private static void backwardDataBlock(CpuParallel parallel, Dims d, float[] dy, float[] w, float[] dx,
                                          float[] ws, int colOffset, int stagingOffset, int n0, int images) {
        int ld = images * d.pq;
        float[] src;
        int srcOffset;
        if (images == 1) {
            src = dy;
            srcOffset = n0 * d.kpq;
        } else {
            gatherOutputBlock(d, dy, n0, images, ws, stagingOffset);
            src = ws;
            srcOffset = stagingOffset;
        }
        for (int grp = 0; grp < d.groups; grp++) {
            // columns_g (C/G·R·S × B·P·Q) = w_gᵀ · dy_g
            CpuGemm.gemm(parallel, true, false, d.crsPerGroup, ld, d.kPerGroup, 1f,
                    w, grp * d.kPerGroup * d.crsPerGroup, d.crsPerGroup,
                    src, srcOffset + grp * d.kPerGroup * ld, ld,
                    0f, ws, colOffset + grp * d.crsPerGroup * ld, ld);
        }
        col2imBlock(parallel, d, ws, colOffset, ld, dx, n0, images);
    }

    // ---- backward filter ----

    static void backwardFilter(CpuParallel parallel, ConvGeometry g, float[] x, float[] dy, float[] dw, float[] workspace) {
        backwardFilter(parallel, g, x, dy, dw, workspace, fusedAvailable());
    }

    /** As above; {@code fused} lays the transposed column matrix out with {@link CpuFusedConvolution}'s vectors. */
    static void backwardFilter(CpuParallel parallel, ConvGeometry g, float[] x, float[] dy, float[] dw,
                               float[] workspace, boolean fused) {
        Dims d = new Dims(g, parallel.threads(), fused);
        if (fused && CpuVectorFilterGradient.applies(d)) {
            backwardFilterDirect(parallel, d, x, dy, dw, workspace);
            return;
        }
        if (fused && CpuChannelVectorFilterGradient.applies(d)) {
            CpuChannelVectorFilterGradient.compute(parallel, d, x, dy, dw, workspace);
            return;
        }
        if (d.overImages) {
            int chunks = parallel.chunks(d.n, 1);
            parallel.forRange(d.n, 1, (chunk, start, end) -> {
                int col = chunk * d.chunkFloats;
                float[] target = chunk == 0 ? dw : workspace;
                int targetOffset = chunk == 0 ? 0 : d.partialsOffset + (chunk - 1) * d.filterFloats;
                for (int n0 = start; n0 < end; n0 += d.blockImages) {
                    backwardFilterBlock(null, d, x, dy, workspace, col, col + d.columnFloats, n0,
                            Math.min(d.blockImages, end - n0), n0 == start ? 0f : 1f, target, targetOffset);
                }
            });
            if (chunks > 1) {
                sumPartials(parallel, d, chunks, dw, workspace);
            }
        } else {
            for (int n0 = 0; n0 < d.n; n0 += d.blockImages) {
                backwardFilterBlock(parallel, d, x, dy, workspace, 0, d.columnFloats, n0,
                        Math.min(d.blockImages, d.n - n0), n0 == 0 ? 0f : 1f, dw, 0);
            }
        }
    }

    /** {@link CpuVectorFilterGradient}, split over images (partials summed in chunk order) or output channels. */
    private static void backwardFilterDirect(CpuParallel parallel, Dims d, float[] x, float[] dy, float[] dw,
                                             float[] workspace) {
        int pairs = CpuVectorFilterGradient.channelPairs(d);
        CpuVectorFilterGradient.Source source = CpuVectorFilterGradient.source(parallel, d, x, workspace,
                d.packedFilterOffset);
        if (d.overImages) {
            int chunks = parallel.chunks(d.n, 1);
            parallel.forRange(d.n, 1, (chunk, start, end) -> CpuVectorFilterGradient.compute(d, source, dy, start, end,
                    0, pairs, chunk == 0 ? dw : workspace,
                    chunk == 0 ? 0 : d.partialsOffset + (chunk - 1) * d.filterFloats));
            if (chunks > 1) {
                sumPartials(parallel, d, chunks, dw, workspace);
            }
        } else {
            parallel.forRange(pairs, 1, (chunk, start, end) ->
                    CpuVectorFilterGradient.compute(d, source, dy, 0, d.n, start, end, dw, 0));
        }
    }

    /**
     * A block of images at once, from the transposed column matrix (B·P·Q rows of C·R·S taps), so the GEMM reads
     * both operands along their rows and accumulates over B·P·Q steps before storing dw: dw_g (K/G × C/G·R·S) (+)=
     * dy_g (K/G × B·P·Q) · rows_g (B·P·Q × C/G·R·S), group g's taps being a column band of width C/G·R·S. The steps
     * run image by image, pixel by pixel, exactly as one image per GEMM with beta 1 would, so the bits do not depend
     * on the block size.
     */
    private static void backwardFilterBlock(CpuParallel parallel, Dims d, float[] x, float[] dy, float[] ws,
                                            int rowsOffset, int stagingOffset, int n0, int images, float beta,
                                            float[] target, int targetOffset) {
        int taps = d.c * d.r * d.s;
        for (int b = 0; b < images; b++) {
            im2rowImage(parallel, d, x, (n0 + b) * d.chw, ws, rowsOffset + b * d.pq * taps);
        }
        int ld = images * d.pq;
        float[] a = dy;
        int aOffset = n0 * d.kpq;
        if (images > 1) {
            gatherOutputBlock(d, dy, n0, images, ws, stagingOffset);
            a = ws;
            aOffset = stagingOffset;
        }
        for (int grp = 0; grp < d.groups; grp++) {
            CpuGemm.gemm(parallel, false, false, d.kPerGroup, d.crsPerGroup, ld, 1f,
                    a, aOffset + grp * d.kPerGroup * ld, ld,
                    ws, rowsOffset + grp * d.crsPerGroup, taps,
                    beta, target, targetOffset + grp * d.kPerGroup * d.crsPerGroup, d.crsPerGroup);
        }
    }

    private static void im2rowImage(CpuParallel parallel, Dims d, float[] x, int xOffset, float[] rows, int offset) {
        if (parallel == null) {
            im2row(d, x, xOffset, 0, d.p, rows, offset);
        } else {
            parallel.forRange(d.p, 1, (chunk, start, end) -> im2row(d, x, xOffset, start, end, rows, offset));
        }
    }

    /**
     * The transpose of {@link #im2col} for one image and output rows [p0, p1): output pixel p·Q + q gets a row of
     * C·R·S taps at {@code offset + (p·Q + q)·C·R·S}, tap (c·R + r)·S + s, zero in the padding.
     */
    private static void im2row(Dims d, float[] x, int xOffset, int p0, int p1, float[] rows, int offset) {
        if (d.fused) {
            CpuFusedConvolution.im2row(d, x, xOffset, p0, p1, rows, offset);
            return;
        }
        int taps = d.c * d.r * d.s;
        for (int p = p0; p < p1; p++) {
            for (int q = 0; q < d.q; q++) {
                im2rowPixel(d, x, xOffset, p, q, rows, offset + (p * d.q + q) * taps);
            }
        }
    }

    /** One output pixel's row of C·R·S taps at {@code dst}, zero in the padding. */
    static void im2rowPixel(Dims d, float[] x, int xOffset, int p, int q, float[] rows, int dst) {
        int iw0 = q * d.strideW - d.padW;
        for (int c = 0; c < d.c; c++) {
            int xChannel = xOffset + c * d.hw;
            for (int r = 0; r < d.r; r++) {
                int ih = p * d.strideH - d.padH + r * d.dilationH;
                int tap = dst + (c * d.r + r) * d.s;
                if (ih < 0 || ih >= d.h) {
                    Arrays.fill(rows, tap, tap + d.s, 0f);
                    continue;
                }
                int xRow = xChannel + ih * d.w;
                for (int s = 0; s < d.s; s++) {
                    int iw = iw0 + s * d.dilationW;
                    rows[tap + s] = iw >= 0 && iw < d.w ? x[xRow + iw] : 0f;
                }
            }
        }
    }

    /** dw += partial₁ + partial₂ + … in chunk order, split over filter elements. */
    private static void sumPartials(CpuParallel parallel, Dims d, int chunks, float[] dw, float[] ws) {
        parallel.forRange(d.filterFloats, 4096, (chunk, start, end) -> {
            for (int c = 1; c < chunks; c++) {
                int p = d.partialsOffset + (c - 1) * d.filterFloats;
                for (int i = start; i < end; i++) {
                    dw[i] += ws[p + i];
                }
            }
        });
    }

    // ---- layout transforms ----

    /** Copies dy's images [n0, n0+images) (each K × P·Q) into a K × (images·P·Q) matrix at {@code offset}. */
    private static void gatherOutputBlock(Dims d, float[] dy, int n0, int images, float[] ws, int offset) {
        int ld = images * d.pq;
        for (int b = 0; b < images; b++) {
            int dyImage = (n0 + b) * d.kpq;
            for (int k = 0; k < d.k; k++) {
                System.arraycopy(dy, dyImage + k * d.pq, ws, offset + k * ld + b * d.pq, d.pq);
            }
        }
    }

    private static void im2colBlock(CpuParallel parallel, Dims d, float[] x, int n0, int images, float[] col,
                                    int colOffset, int ld) {
        if (parallel == null) {
            for (int b = 0; b < images; b++) {
                im2col(d, x, (n0 + b) * d.chw, 0, d.c, col, colOffset + b * d.pq, ld);
            }
            return;
        }
        parallel.forRange(images * d.c, 1, (chunk, start, end) -> {
            for (int i = start; i < end; i++) {
                int b = i / d.c;
                int c = i - b * d.c;
                im2col(d, x, (n0 + b) * d.chw, c, c + 1, col, colOffset + b * d.pq, ld);
            }
        });
    }

    private static void col2imBlock(CpuParallel parallel, Dims d, float[] col, int colOffset, int ld, float[] dx,
                                    int n0, int images) {
        if (parallel == null) {
            for (int b = 0; b < images; b++) {
                col2im(d, col, colOffset + b * d.pq, ld, dx, (n0 + b) * d.chw, 0, d.c);
            }
            return;
        }
        parallel.forRange(images * d.c, 1, (chunk, start, end) -> {
            for (int i = start; i < end; i++) {
                int b = i / d.c;
                int c = i - b * d.c;
                col2im(d, col, colOffset + b * d.pq, ld, dx, (n0 + b) * d.chw, c, c + 1);
            }
        });
    }

    /**
     * Writes the column rows of channels [c0, c1) of one image (x from {@code xOffset}, C×H×W) into {@code col}:
     * row (c·R + r)·S + s starts at {@code colOffset + row·ld} and holds that kernel tap for every output pixel,
     * zero where the tap falls into padding.
     */
    private static void im2col(Dims d, float[] x, int xOffset, int c0, int c1, float[] col, int colOffset, int ld) {
        for (int c = c0; c < c1; c++) {
            int xChannel = xOffset + c * d.hw;
            for (int r = 0; r < d.r; r++) {
                int hOffset = r * d.dilationH - d.padH;
                for (int s = 0; s < d.s; s++) {
                    int wOffset = s * d.dilationW - d.padW;
                    int qLo = d.firstValidQ(wOffset);
                    int qHi = d.endValidQ(wOffset, qLo);
                    int row = colOffset + ((c * d.r + r) * d.s + s) * ld;
                    for (int p = 0; p < d.p; p++) {
                        int dst = row + p * d.q;
                        int ih = p * d.strideH + hOffset;
                        if (ih < 0 || ih >= d.h) {
                            Arrays.fill(col, dst, dst + d.q, 0f);
                            continue;
                        }
                        Arrays.fill(col, dst, dst + qLo, 0f);
                        int src = xChannel + ih * d.w + wOffset;
                        if (d.strideW == 1) {
                            System.arraycopy(x, src + qLo, col, dst + qLo, qHi - qLo);
                        } else {
                            for (int q = qLo; q < qHi; q++) {
                                col[dst + q] = x[src + q * d.strideW];
                            }
                        }
                        Arrays.fill(col, dst + qHi, dst + d.q, 0f);
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: zeroes channels [c0, c1) of one image of dx and adds every column entry back
     * onto the input pixel it was read from (taps in padding are dropped). Fixed loop order, so deterministic.
     */
    static void col2im(Dims d, float[] col, int colOffset, int ld, float[] dx, int dxOffset, int c0, int c1) {
        if (narrowRows(d)) {
            col2imNarrowRows(d, col, colOffset, ld, dx, dxOffset, c0, c1);
        } else {
            col2imScalar(d, col, colOffset, ld, dx, dxOffset, c0, c1);
        }
    }

    /** {@link #col2im} by the general loop. */
    private static void col2imScalar(Dims d, float[] col, int colOffset, int ld, float[] dx, int dxOffset, int c0,
                                     int c1) {
        Arrays.fill(dx, dxOffset + c0 * d.hw, dxOffset + c1 * d.hw, 0f);
        for (int c = c0; c < c1; c++) {
            int dxChannel = dxOffset + c * d.hw;
            for (int r = 0; r < d.r; r++) {
                int hOffset = r * d.dilationH - d.padH;
                for (int s = 0; s < d.s; s++) {
                    int wOffset = s * d.dilationW - d.padW;
                    int qLo = d.firstValidQ(wOffset);
                    int qHi = d.endValidQ(wOffset, qLo);
                    int row = colOffset + ((c * d.r + r) * d.s + s) * ld;
                    for (int p = 0; p < d.p; p++) {
                        int ih = p * d.strideH + hOffset;
                        if (ih < 0 || ih >= d.h) {
                            continue;
                        }
                        int src = row + p * d.q;
                        int dst = dxChannel + ih * d.w + wOffset;
                        if (d.strideW == 1 && d.fused) {
                            CpuFusedConvolution.addInto(col, src + qLo, dx, dst + qLo, qHi - qLo);
                        } else if (d.strideW == 1) {
                            for (int q = qLo; q < qHi; q++) {
                                dx[dst + q] += col[src + q];
                            }
                        } else {
                            for (int q = qLo; q < qHi; q++) {
                                dx[dst + q * d.strideW] += col[src + q];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether {@link #col2imNarrowRows} takes this geometry: stride and dilation 1 along the row, and every tap's run
     * of a row (Q + S − 1 columns, padding included) inside one vector.
     */
    static boolean narrowRows(Dims d) {
        return d.fused && d.strideW == 1 && d.dilationW == 1 && CpuFusedConvolution.rowFitsAVector(d.q + d.s - 1);
    }

    /**
     * {@link #col2im} for rows that fit one vector with their padding ({@link #narrowRows}): each input row of a
     * channel is summed in one vector register, adding the S shifted runs of Q of each (r, s) at once, and only the
     * input columns are copied into dx ({@link CpuFusedConvolution#narrowRowSum}). Each element gets its additions in
     * the general loop's order (r, then s), from zero, so the bits are the same. Summing in a register rather than in
     * a scratch plane in memory (a load, add and store per run) took LeNet conv2's backward-data from 1.5 to 1.1 ms.
     */
    private static void col2imNarrowRows(Dims d, float[] col, int colOffset, int ld, float[] dx, int dxOffset,
                                         int c0, int c1) {
        NarrowRowsScratch scratch = NARROW_ROWS.get().fit(d);
        CpuFusedConvolution.narrowRowWindows(d, scratch.windows);
        int rowsPerChannel = d.r * d.s;
        // Channels whose vectors would reach outside col take the general loop (same order, same bits).
        int fast = c1;
        while (fast > c0 && (long) colOffset + (long) fast * rowsPerChannel * ld + CpuVectorWidth.LANES > col.length) {
            fast--;
        }
        if (c0 < fast && colOffset + c0 * rowsPerChannel * ld - d.s < 0) {
            col2imScalar(d, col, colOffset, ld, dx, dxOffset, c0, c0 + 1);
            c0++;
        }
        for (int ih = 0; ih < d.h; ih++) {
            int count = CpuFusedConvolution.narrowRowTaps(d, ld, ih, scratch.runs);
            // Without column padding a row's vector goes straight to dx: its lanes past the row's end hold +0 and
            // land on the channel's next rows, written by later passes. Rows whose vector would reach past the
            // channel go through the scratch row, since what follows may belong to another thread.
            boolean direct = d.padW == 0 && ih * d.w + CpuVectorWidth.LANES <= d.hw;
            for (int c = c0; c < fast; c++) {
                int channelRows = colOffset + c * rowsPerChannel * ld;
                int at = dxOffset + c * d.hw + ih * d.w;
                if (direct) {
                    CpuFusedConvolution.narrowRowSum(col, channelRows, scratch.runs, count, scratch.windows, dx, at);
                } else {
                    CpuFusedConvolution.narrowRowSum(col, channelRows, scratch.runs, count, scratch.windows,
                            scratch.row, 0);
                    System.arraycopy(scratch.row, d.padW, dx, at, d.w);
                }
            }
        }
        if (fast < c1) {
            col2imScalar(d, col, colOffset, ld, dx, dxOffset, fast, c1);
        }
    }

    /** {@link #col2imNarrowRows}' per-thread scratch: one row, the tap list, the lane windows. */
    private static final class NarrowRowsScratch {
        float[] row = new float[0];
        int[] runs = new int[0];
        float[] windows = new float[0];

        NarrowRowsScratch fit(Dims d) {
            int lanes = CpuVectorWidth.LANES;
            if (row.length < lanes) {
                row = new float[lanes];
            }
            if (runs.length < 2 * d.r * d.s) {
                runs = new int[2 * d.r * d.s];
            }
            if (windows.length < d.s * lanes) {
                windows = new float[d.s * lanes];
            }
            return this;
        }
    }

    /** The geometry as plain ints, plus the work split and workspace layout derived from it and the thread count. */
    static final class Dims {
        final int n, c, h, w, k, r, s, p, q, groups;
        final int strideH, strideW, padH, padW, dilationH, dilationW;
        final int hw, chw, pq, kpq, kPerGroup, crsPerGroup, filterFloats;
        /** True: threads split the batch; false: one block at a time, parallel inside. */
        final boolean overImages;
        final int blockImages;
        final int columnFloats;
        final int chunkFloats;
        final int partialsOffset;
        /** Whether the vector kernel's paths ({@link CpuFusedConvolution}) run. */
        final boolean fused;
        /** Where the fused path's packed filter starts (after everything else), and 0 floats when not fused. */
        final int packedFilterOffset;
        final long workspaceFloats;

        Dims(ConvGeometry g, int threads, boolean fused) {
            this.fused = fused;
            n = g.batch();
            c = g.inChannels();
            h = g.inHeight();
            w = g.inWidth();
            k = g.outChannels();
            r = g.kernelH();
            s = g.kernelW();
            p = g.outHeight();
            q = g.outWidth();
            groups = g.groups();
            strideH = g.spec().strideH();
            strideW = g.spec().strideW();
            padH = g.spec().padH();
            padW = g.spec().padW();
            dilationH = g.spec().dilationH();
            dilationW = g.spec().dilationW();
            hw = h * w;
            chw = c * hw;
            pq = p * q;
            kpq = k * pq;
            kPerGroup = k / groups;
            crsPerGroup = (c / groups) * r * s;
            filterFloats = k * crsPerGroup;

            overImages = n >= threads;
            int chunks = overImages ? threads : 1;
            int imagesPerChunk = overImages ? (n + threads - 1) / threads : n;
            blockImages = Math.max(1, Math.min(imagesPerChunk, TARGET_COLUMNS / pq));
            long columns = (long) c * r * s * blockImages * pq;
            long staging = blockImages > 1 ? (long) k * blockImages * pq : 0;
            long partials = overImages ? (long) (chunks - 1) * filterFloats : 0;
            long unfused = chunks * (columns + staging) + partials;
            long channelVector = fused && CpuChannelVectorFilterGradient.applies(this)
                    ? CpuChannelVectorFilterGradient.workspaceFloats(this) : 0;
            // The direct backward-filter's framed copy of x goes where forward keeps its packed filter.
            long direct = fused && CpuVectorFilterGradient.applies(this)
                    ? CpuVectorFilterGradient.framedFloats(this) : 0;
            workspaceFloats = Math.max(channelVector,
                    unfused + Math.max(direct, fused ? CpuFusedConvolution.packedFilterFloats(this) : 0));
            // The backend refuses to plan a workspace beyond 2^31-1 floats, so these fit once planning succeeded.
            columnFloats = (int) Math.min(Integer.MAX_VALUE, columns);
            chunkFloats = (int) Math.min(Integer.MAX_VALUE, columns + staging);
            partialsOffset = (int) Math.min(Integer.MAX_VALUE, chunks * (columns + staging));
            packedFilterOffset = (int) Math.min(Integer.MAX_VALUE, unfused);
        }

        /** First output column q whose tap q·strideW + wOffset is inside the input. */
        int firstValidQ(int wOffset) {
            int lo = wOffset >= 0 ? 0 : (-wOffset + strideW - 1) / strideW;
            return Math.min(lo, q);
        }

        /** One past the last output column whose tap is inside the input (never below {@code lo}). */
        int endValidQ(int wOffset, int lo) {
            int room = w - wOffset;
            int hi = room <= 0 ? 0 : Math.min(q, (room + strideW - 1) / strideW);
            return Math.max(hi, lo);
        }
    }
}
