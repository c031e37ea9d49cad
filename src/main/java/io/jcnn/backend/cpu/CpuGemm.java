package io.jcnn.backend.cpu;

import java.util.Arrays;

/**
 * Row-major single-precision GEMM on heap arrays: C = alpha·op(A)·op(B) + beta·C, op(A) m×k, op(B) k×n, C m×n.
 *
 * <h2>Shape of the computation</h2>
 * The product is computed as C' = X·Y where X supplies scalars (broadcast) and Y supplies rows that the JIT
 * vectorises. Normally X = alpha·op(A) and Y = op(B), so the vectorised loops run along C's rows. When C is narrow
 * (small n, larger m) the roles swap: X = op(B)ᵀ and Y = (alpha·op(A))ᵀ, computing Cᵀ so that the vectorised loops
 * run along C's columns instead. Either way alpha scales A, so both orientations give the same bits.
 *
 * <h2>Blocking</h2>
 * Y is packed, {@link #KC} rows of up to {@link #NC} floats at a time, into per-thread scratch where every row is its
 * own array; X is packed three rows at a time ({@link #MR}). The micro-kernel updates three rows of a C tile (also
 * separate arrays) with three k-steps per pass. Keeping every array in the inner loop indexed by the same plain
 * {@code j} is what lets C2 prove the loop free of cross-iteration aliasing and vectorise it; an inner loop over
 * user arrays at different offsets stays scalar. The loop body is kept small (3×3 fused multiply-adds) because C2
 * only unrolls, and therefore only vectorises, loops below a node budget.
 *
 * <h2>Determinism</h2>
 * Every element is computed as {@code c = beta·c} (or 0 when beta is 0, ignoring C's old contents, NaN included),
 * then {@code c = fma(alpha·a[i][p], b[p][j], c)} for p = 0, 1, …, k−1 in order; when the last block of k is not
 * a multiple of three the zero padding adds one {@code +0} (which can only turn a −0 into +0). Math.fma rounds once
 * whether scalar or vectorised, and neither the blocking nor the work split changes that order, so the result has
 * the same bits for every thread count and every JIT tier. Work is split over rows or columns of C only, never k.
 *
 * <h2>Two kernels</h2>
 * The loops described above are the portable kernel. When the JVM was started with
 * {@code --add-modules jdk.incubator.vector} and the CPU has 256-bit (or wider) vectors, {@link CpuGemmVectorKernel}
 * runs instead: a register-blocked micro-kernel written with the Vector API, following the same per-element
 * operation sequence, so both kernels give the same bits. The choice is made once per JVM, on first use, and
 * {@link #kernelName()} reports it. The system property {@value #KERNEL_PROPERTY} overrides it: {@code portable}
 * forces the portable kernel, {@code vector} requires the vector kernel (an error where it is unavailable), and
 * {@code auto} (the default) picks the vector kernel where it is available.
 */
final class CpuGemm {
    /** Rows of X (and of the C tile) per micro-kernel call. */
    static final int MR = 3;
    /** Depth of a packed block of Y; a multiple of the kernel's three k-steps. */
    static final int KC = 129;
    /** Width of a packed block of Y, and of the C tile. */
    static final int NC = 512;
    /** Column split granularity between threads: a whole number of 8-float vectors. */
    private static final int COLUMN_UNIT = 16;
    /** Below roughly this many flops per chunk, extra threads cost more than they save. */
    private static final long MIN_FLOPS_PER_CHUNK = 1L << 22;

    /** System property choosing the kernel: {@code auto} (default), {@code vector} or {@code portable}. */
    static final String KERNEL_PROPERTY = "jcnn.cpu.gemm";

    /** Which micro-kernel runs the product. */
    enum Kernel {
        /** The loops in this class, vectorised by C2. */
        PORTABLE,
        /** {@link CpuGemmVectorKernel}, on the incubating Vector API. */
        VECTOR
    }

    /** The outcome of choosing a kernel: the kernel, or why none can be used (a bad property value). */
    record Choice(Kernel kernel, String error) {
    }

    /**
     * Decided once, when gemm is first used. Loading this holder never loads {@link CpuGemmVectorKernel} unless the
     * module is in the boot layer, and a failure to load it only makes the vector kernel unavailable.
     */
    private static final class Selected {
        static final String VECTOR_UNAVAILABLE = vectorUnavailableReason();
        static final Choice CHOICE = widthError() != null ? new Choice(null, widthError())
                : choose(System.getProperty(KERNEL_PROPERTY), VECTOR_UNAVAILABLE);
        static final String NAME = CHOICE.kernel() == Kernel.VECTOR ? CpuGemmVectorKernel.name()
                : CHOICE.kernel() == Kernel.PORTABLE ? "auto-vectorised" : null;

        static {
            boolean portableAskedFor = "portable".equals(System.getProperty(KERNEL_PROPERTY, "auto").trim());
            if (CHOICE.kernel() == Kernel.PORTABLE && !portableAskedFor) {
                // Logged here because the choice is made once per JVM, so the notice appears once.
                System.getLogger(CpuGemm.class.getName()).log(System.Logger.Level.INFO,
                        "cpu: matrix products on the portable kernel: " + VECTOR_UNAVAILABLE);
            }
        }
    }

    /**
     * Why the portable kernel runs although the property did not ask for it, or null: the vector kernel runs, or
     * {@code portable} was asked for.
     */
    static String fallbackReason() {
        String requested = System.getProperty(KERNEL_PROPERTY, "auto").trim();
        return selectedKernel() == Kernel.PORTABLE && !requested.equals("portable") ? Selected.VECTOR_UNAVAILABLE
                : null;
    }

    /** A vector width asked for ({@link CpuVectorWidth#PROPERTY}) that this CPU cannot honour, or null. */
    private static String widthError() {
        // Without the module the width class cannot load, and no vector kernel runs anyway.
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() ? null : CpuVectorWidth.ERROR;
    }

    /** Why the vector kernel cannot run in this JVM, or null when it can. */
    static String vectorUnavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "module jdk.incubator.vector is not loaded (start the JVM with --add-modules jdk.incubator.vector)";
        }
        try {
            return CpuGemmVectorKernel.unsupportedReason();
        } catch (LinkageError e) {
            return "the Vector API failed to load: " + e;
        }
    }

    /** The kernel for a property value (null means auto), given why the vector kernel is unavailable (or null). */
    static Choice choose(String requested, String vectorUnavailable) {
        String value = requested == null ? "auto" : requested.trim();
        switch (value) {
            case "auto", "" -> {
                return new Choice(vectorUnavailable == null ? Kernel.VECTOR : Kernel.PORTABLE, null);
            }
            case "portable" -> {
                return new Choice(Kernel.PORTABLE, null);
            }
            case "vector" -> {
                return vectorUnavailable == null ? new Choice(Kernel.VECTOR, null)
                        : new Choice(null, KERNEL_PROPERTY + "=vector, but the vector kernel is unavailable: "
                        + vectorUnavailable);
            }
            default -> {
                return new Choice(null, KERNEL_PROPERTY + " must be auto, vector or portable, got '" + requested + "'");
            }
        }
    }

    /** The kernel this JVM uses; throws IllegalStateException when the property asks for one that cannot run. */
    static Kernel selectedKernel() {
        Choice choice = Selected.CHOICE;
        if (choice.error() != null) {
            throw new IllegalStateException(choice.error());
        }
        return choice.kernel();
    }

    /** What {@link #selectedKernel()} is, in words: "vector API (256-bit, 6x16 tile)" or "auto-vectorised". */
    static String kernelName() {
        selectedKernel();
        return Selected.NAME;
    }

    /** Per-thread packing buffers, allocated once per thread at full block size and reused by every call. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private CpuGemm() {
    }

    private static final class Scratch {
        final float[][] y = new float[KC][NC];
        final float[][] tile = new float[MR][NC];
        final float[] x = new float[MR * KC];
    }

    /**
     * A strided view of a matrix: element (row, col) is {@code data[offset + row·rowStride + col·colStride]}, times
     * {@code scale}.
     */
    record View(float[] data, int offset, int rowStride, int colStride, float scale) {
    }

    /**
     * Full GEMM with offsets and leading dimensions (row strides). {@code parallel} may be null, in which case the
     * call runs on the calling thread only (used inside already-parallel loops such as per-image convolution).
     */
    static void gemm(CpuParallel parallel, boolean transposeA, boolean transposeB, int m, int n, int k, float alpha,
                     float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                     float beta, float[] c, int cOffset, int ldc) {
        gemm(selectedKernel(), parallel, transposeA, transposeB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb,
                beta, c, cOffset, ldc);
    }

    /** As above, with the kernel named; {@link Kernel#VECTOR} only where {@link #vectorUnavailableReason()} is null. */
    static void gemm(Kernel kernel, CpuParallel parallel, boolean transposeA, boolean transposeB, int m, int n, int k,
                     float alpha, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                     float beta, float[] c, int cOffset, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        // op(A)(i, p) and op(B)(p, j) as strided views; alpha travels with A.
        View opA = transposeA ? new View(a, aOffset, 1, lda, alpha) : new View(a, aOffset, lda, 1, alpha);
        View opB = transposeB ? new View(b, bOffset, 1, ldb, 1f) : new View(b, bOffset, ldb, 1, 1f);
        if (k <= 0 || alpha == 0f) {
            scaleOnly(m, n, beta, c, cOffset, ldc);
            return;
        }
        if (kernel == Kernel.VECTOR) {
            if (transposeB && !transposeA && alpha == 1f && beta == 0f && m < n) {
                transposedProduct(parallel, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
            } else {
                CpuGemmVectorKernel.gemm(parallel, m, n, k, opA, opB, beta, c, cOffset, ldc);
            }
            return;
        }
        Problem problem = swapOrientation(m, n)
                // Cᵀ (n×m) = op(B)ᵀ·(alpha·op(A))ᵀ; X(r, p) = op(B)(p, r), Y(p, j) = alpha·op(A)(j, p).
                ? new Problem(n, m, k,
                new View(opB.data, opB.offset, opB.colStride, opB.rowStride, 1f),
                new View(opA.data, opA.offset, opA.colStride, opA.rowStride, alpha),
                c, cOffset, 1, ldc, beta)
                : new Problem(m, n, k, opA, opB, c, cOffset, ldc, 1, beta);
        problem.run(parallel);
    }

    /**
     * C = A·Bᵀ with B the larger operand (n×k, row-major: a fully connected layer's weights against a batch of m
     * rows), as T = B·Aᵀ (n×m) with B read in place by {@link CpuGemmVectorKernel#gemmDirectA}, then C = Tᵀ: packing
     * Bᵀ, a transposition of every weight, cost about half the product (LeNet ip1 forward). Each element is the same
     * fma sequence over p (products commute exactly), so the bits are those of the packed route.
     */
    private static void transposedProduct(CpuParallel parallel, int m, int n, int k, float[] a, int aOffset, int lda,
                                          float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        float[] t = TRANSPOSED.get();
        if (t.length < m * n) {
            t = new float[m * n];
            TRANSPOSED.set(t);
        }
        float[] product = t;
        // op(B′)(p, j) = A(j, p).
        CpuGemmVectorKernel.gemmDirectA(parallel, n, m, k, b, bOffset, ldb, new View(a, aOffset, 1, lda, 1f), 0f,
                product, 0, m);
        if (parallel == null) {
            transpose(product, m, n, c, cOffset, ldc, 0, m);
        } else {
            parallel.forRange(m, 1, (chunk, start, end) -> transpose(product, m, n, c, cOffset, ldc, start, end));
        }
    }

    /** Rows [j0, j1) of C (m×n) from T (n×m, packed). */
    private static void transpose(float[] t, int m, int n, float[] c, int cOffset, int ldc, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            int row = cOffset + j * ldc;
            for (int r = 0; r < n; r++) {
                c[row + r] = t[r * m + j];
            }
        }
    }

    /** {@link #transposedProduct}'s T, owned by the calling thread. */
    private static final ThreadLocal<float[]> TRANSPOSED = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Whether the portable kernel's zero padding of the last k block (to a multiple of its three k-steps) adds a
     * final {@code +0} to every element: the one place its result can differ from a plain fma sequence (−0 → +0).
     */
    static boolean padsDepth(int k) {
        return k % KC % 3 != 0;
    }

    /** Threads below this many items each would get less than {@link #MIN_FLOPS_PER_CHUNK}. */
    static int minChunk(long flopsPerItem) {
        return (int) Math.min(Integer.MAX_VALUE, (MIN_FLOPS_PER_CHUNK + flopsPerItem - 1) / flopsPerItem);
    }

    /** Vectorise along m instead of n when C is narrow and taller than wide. */
    static boolean swapOrientation(int m, int n) {
        return n < 128 && m > n;
    }

    private static void scaleOnly(int m, int n, float beta, float[] c, int cOffset, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOffset + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = row; j < row + n; j++) {
                    c[j] *= beta;
                }
            }
        }
    }

    /**
     * C'(r, j) = Σp X(r, p)·Y(p, j) + beta·C'(r, j) for an R×N result C' stored at
     * {@code c[cOffset + r·cRowStride + j·cColStride]}.
     */
    private record Problem(int rows, int cols, int depth, View x, View y,
                           float[] c, int cOffset, int cRowStride, int cColStride, float beta) {

        void run(CpuParallel parallel) {
            int strips = (rows + MR - 1) / MR;
            int units = (cols + COLUMN_UNIT - 1) / COLUMN_UNIT;
            int threads = parallel == null ? 1 : parallel.threads();
            long flopsPerUnit = 2L * rows * depth * COLUMN_UNIT;
            long flopsPerStrip = 2L * MR * depth * cols;
            if (threads == 1) {
                compute(0, cols, 0, strips);
            } else if (cols >= 128 * threads || units >= strips) {
                // Split the vectorised dimension: each thread packs only its own part of Y.
                parallel.forRange(units, minChunk(flopsPerUnit), (chunk, start, end) ->
                        compute(start * COLUMN_UNIT, Math.min(cols, end * COLUMN_UNIT), 0, strips));
            } else {
                parallel.forRange(strips, minChunk(flopsPerStrip), (chunk, start, end) ->
                        compute(0, cols, start, end));
            }
        }

        /** Columns [col0, col1) of C' for strips [strip0, strip1) of MR rows each. */
        private void compute(int col0, int col1, int strip0, int strip1) {
            Scratch s = SCRATCH.get();
            for (int jb = col0; jb < col1; jb += NC) {
                int nc = Math.min(NC, col1 - jb);
                // The kernel runs over whole groups of 16 columns (zero-padded, computed, never stored), so C2's
                // vector loop covers them instead of its scalar remainder loop.
                int ncLoop = Math.min(NC, (nc + 15) & ~15);
                for (int pb = 0; pb < depth; pb += KC) {
                    int kc = Math.min(KC, depth - pb);
                    int kcPadded = (kc + 2) / 3 * 3;
                    packY(s.y, pb, kc, kcPadded, jb, nc, ncLoop);
                    for (int strip = strip0; strip < strip1; strip++) {
                        int r0 = strip * MR;
                        int mr = Math.min(MR, rows - r0);
                        packX(s.x, r0, mr, pb, kc, kcPadded);
                        loadTile(s.tile, r0, mr, jb, nc, ncLoop, pb == 0);
                        kernel(kcPadded, ncLoop, s.x, s.y, s.tile);
                        storeTile(s.tile, r0, mr, jb, nc);
                    }
                }
            }
        }

        /** dst[p][j] = Y(pb + p, jb + j) for p &lt; kc, j &lt; nc; the padding up to kcPadded × ncLoop is zero. */
        private void packY(float[][] dst, int pb, int kc, int kcPadded, int jb, int nc, int ncLoop) {
            for (int p = kc; p < kcPadded; p++) {
                Arrays.fill(dst[p], 0, ncLoop, 0f);
            }
            for (int p = 0; p < kc && nc < ncLoop; p++) {
                Arrays.fill(dst[p], nc, ncLoop, 0f);
            }
            float[] src = y.data;
            int base = y.offset + pb * y.rowStride + jb * y.colStride;
            if (y.colStride == 1 && y.scale == 1f) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(src, base + p * y.rowStride, dst[p], 0, nc);
                }
            } else if (y.colStride == 1) {
                float scale = y.scale;
                for (int p = 0; p < kc; p++) {
                    float[] row = dst[p];
                    int from = base + p * y.rowStride;
                    for (int j = 0; j < nc; j++) {
                        row[j] = scale * src[from + j];
                    }
                }
            } else {
                packTransposed(dst, src, base, kc, nc);
            }
        }

        /**
         * Y stored transposed (contiguous along p). Eight rows of dst at a time: each source run of eight floats is
         * read once and each of the eight destination rows is written sequentially, with the row references hoisted
         * out of the loop (one row per element was several times slower).
         */
        private void packTransposed(float[][] dst, float[] src, int base, int kc, int nc) {
            float scale = y.scale;
            int rowStride = y.rowStride;
            int colStride = y.colStride;
            int p = 0;
            for (; p + 8 <= kc; p += 8) {
                float[] d0 = dst[p], d1 = dst[p + 1], d2 = dst[p + 2], d3 = dst[p + 3];
                float[] d4 = dst[p + 4], d5 = dst[p + 5], d6 = dst[p + 6], d7 = dst[p + 7];
                int from = base + p * rowStride;
                for (int j = 0; j < nc; j++) {
                    int at = from + j * colStride;
                    d0[j] = scale * src[at];
                    d1[j] = scale * src[at + rowStride];
                    d2[j] = scale * src[at + 2 * rowStride];
                    d3[j] = scale * src[at + 3 * rowStride];
                    d4[j] = scale * src[at + 4 * rowStride];
                    d5[j] = scale * src[at + 5 * rowStride];
                    d6[j] = scale * src[at + 6 * rowStride];
                    d7[j] = scale * src[at + 7 * rowStride];
                }
            }
            for (; p < kc; p++) {
                float[] row = dst[p];
                int from = base + p * rowStride;
                for (int j = 0; j < nc; j++) {
                    row[j] = scale * src[from + j * colStride];
                }
            }
        }

        /** dst[p·MR + r] = X(r0 + r, pb + p); rows past the matrix and steps kc … kcPadded−1 are zero. */
        private void packX(float[] dst, int r0, int mr, int pb, int kc, int kcPadded) {
            Arrays.fill(dst, kc * MR, kcPadded * MR, 0f);
            for (int r = 0; r < MR; r++) {
                if (r < mr) {
                    int from = x.offset + (r0 + r) * x.rowStride + pb * x.colStride;
                    for (int p = 0; p < kc; p++) {
                        dst[p * MR + r] = x.scale * x.data[from + p * x.colStride];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[p * MR + r] = 0f;
                    }
                }
            }
        }

        /** Copies C' rows into the tile; on the first k block applies beta instead (beta 0 ignores C, even NaN). */
        private void loadTile(float[][] tile, int r0, int mr, int jb, int nc, int ncLoop, boolean first) {
            for (int r = mr; r < MR; r++) {
                // Padding is computed but never stored; keep it zero so stale values cannot slow the kernel.
                Arrays.fill(tile[r], 0, ncLoop, 0f);
            }
            for (int r = 0; r < mr; r++) {
                float[] row = tile[r];
                Arrays.fill(row, nc, ncLoop, 0f);
                if (first && beta == 0f) {
                    Arrays.fill(row, 0, nc, 0f);
                    continue;
                }
                int from = cOffset + (r0 + r) * cRowStride + jb * cColStride;
                if (cColStride == 1) {
                    System.arraycopy(c, from, row, 0, nc);
                } else {
                    for (int j = 0; j < nc; j++) {
                        row[j] = c[from + j * cColStride];
                    }
                }
                if (first && beta != 1f) {
                    for (int j = 0; j < nc; j++) {
                        row[j] *= beta;
                    }
                }
            }
        }

        private void storeTile(float[][] tile, int r0, int mr, int jb, int nc) {
            for (int r = 0; r < mr; r++) {
                int to = cOffset + (r0 + r) * cRowStride + jb * cColStride;
                if (cColStride == 1) {
                    System.arraycopy(tile[r], 0, c, to, nc);
                } else {
                    float[] row = tile[r];
                    for (int j = 0; j < nc; j++) {
                        c[to + j * cColStride] = row[j];
                    }
                }
            }
        }
    }

    /**
     * t_r[j] = fma(x[p·3 + r], y[p][j], t_r[j]) for p = 0 … kc−1 in order, r = 0, 1, 2, j &lt; nc; kc is a multiple
     * of 3. Three k-steps per pass over j cut the loads and stores of the tile by three; the nested fma keeps p in
     * ascending order.
     *
     * <p>Two C2 behaviours shape this method. With a second loop nest in the same compilation (a remainder loop
     * here, or the packing loops of a caller it is inlined into) C2 left the main loop scalar, four to five times
     * slower. So there is no remainder loop (the packers pad k with zeros), and the block checks below keep the
     * method above C2's size limit for inlining hot methods (FreqInlineSize, 325 bytecodes), so it is always
     * compiled, and vectorised, on its own.
     */
    static void kernel(int kc, int nc, float[] x, float[][] y, float[][] tile) {
        float[] t0 = tile[0];
        float[] t1 = tile[1];
        float[] t2 = tile[2];
        if (kc % 3 != 0 || kc > y.length || x.length < kc * MR || nc > t0.length || nc > t1.length
                || nc > t2.length || (kc > 0 && nc > y[0].length)) {
            throw new IllegalStateException(new StringBuilder("gemm kernel: bad block kc=").append(kc)
                    .append(" nc=").append(nc).append(" for panels of ").append(y.length).append(" rows, x of ")
                    .append(x.length).append(", tile rows of ").append(t0.length).append('/').append(t1.length)
                    .append('/').append(t2.length).toString());
        }
        for (int p = 0; p < kc; p += 3) {
            int i = p * MR;
            float x00 = x[i], x10 = x[i + 1], x20 = x[i + 2];
            float x01 = x[i + 3], x11 = x[i + 4], x21 = x[i + 5];
            float x02 = x[i + 6], x12 = x[i + 7], x22 = x[i + 8];
            float[] y0 = y[p];
            float[] y1 = y[p + 1];
            float[] y2 = y[p + 2];
            for (int j = 0; j < nc; j++) {
                float v0 = y0[j];
                float v1 = y1[j];
                float v2 = y2[j];
                t0[j] = Math.fma(x02, v2, Math.fma(x01, v1, Math.fma(x00, v0, t0[j])));
                t1[j] = Math.fma(x12, v2, Math.fma(x11, v1, Math.fma(x10, v0, t1[j])));
                t2[j] = Math.fma(x22, v2, Math.fma(x21, v1, Math.fma(x20, v0, t2[j])));
            }
        }
    }
}
