package io.jcnn.backend.cpu;

import io.jcnn.backend.cpu.CpuGemm.View;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked SGEMM path, written with the incubating Vector API ({@code jdk.incubator.vector}). Only
 * {@link CpuGemm} refers to this class, and only after it has found the module in the boot layer, so a JVM started
 * without {@code --add-modules jdk.incubator.vector} never loads it.
 *
 * <h2>Blocking</h2>
 * The usual three-level scheme: for each block of {@link #NC} columns of C and each block of {@link #KC} steps of k,
 * op(B) is packed into micro-panels of {@link #NR} columns (each k-step's NR floats contiguous); for each block of
 * {@link #MC} rows, alpha·op(A) is packed into micro-panels of {@link #MR} rows. The micro-kernel holds an MR×NR tile
 * of C in MR·2 vector registers for a whole k block (6×16 floats in twelve of AVX2's sixteen 256-bit registers; two
 * more hold the B row, one the broadcast A element) and reads and writes C once per k block. Tiles that stick out of
 * C go through a small scratch tile. Scratch is per thread, allocated once at full block size and reused.
 *
 * <h2>Determinism</h2>
 * Each element gets exactly the operation sequence the portable kernel documents (see {@link CpuGemm}): beta·c (or 0
 * when beta is 0), then one lane-wise fma per k-step, p ascending, each rounding once as {@link Math#fma} does; the
 * accumulator is stored to C as a float between k blocks, and when the portable kernel pads the last k block with
 * zeros this kernel adds the same {@code +0}, through one zero k-step in the packed panels. So both kernels produce
 * the same bits, for every thread count.
 */
final class CpuGemmVectorKernel {
    /** The JVM's one vector shape ({@link CpuVectorWidth}); the kernel needs at least 256 bits (8 floats). */
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    /** Rows of the register tile. */
    static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * LANES;
    /** Depth of a packed block: one B micro-panel (KC×NR floats, 16 KiB at 256 bits) stays in the L1 cache. */
    static final int KC = 256;
    /** Rows of a packed A block (a multiple of MR): MC×KC floats stay in the L2 cache. */
    static final int MC = 96;
    /** Columns of a packed B block (a multiple of NR). */
    static final int NC = 2048;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private CpuGemmVectorKernel() {
    }

    private static final class Scratch {
        // One k-step more than a block: the zero step that reproduces the portable kernel's padding.
        final float[] a = new float[MC * (KC + 1)];
        final float[] b = new float[(KC + 1) * NC];
        final float[] tile = new float[MR * NR];
    }

    /** Why this kernel should not be used on this CPU, or null when it should. */
    static String unsupportedReason() {
        int bits = SPECIES.vectorBitSize();
        return bits < 256 ? "the CPU's preferred float vector is " + bits + " bits; the vector kernel needs 256 or more"
                : null;
    }

    /** A short description for {@link CpuGemm#kernelName()}. */
    static String name() {
        return "vector API (" + SPECIES.vectorBitSize() + "-bit, " + MR + "x" + NR + " tile)";
    }

    /**
     * C = A·B + beta·C for row-major C (m×n at {@code c[cOffset + i·ldc + j]}), where {@code a} is alpha·op(A)
     * (m×k, alpha carried as its scale) and {@code b} is op(B) (k×n, scale 1). {@code parallel} may be null.
     */
    static void gemm(CpuParallel parallel, int m, int n, int k, View a, View b,
                     float beta, float[] c, int cOffset, int ldc) {
        if (b.scale() != 1f) {
            throw new IllegalArgumentException("vector gemm: op(B) must be unscaled, got scale " + b.scale());
        }
        Problem problem = new Problem(m, n, k, a, b, beta, c, cOffset, ldc);
        int strips = (m + MR - 1) / MR;
        int units = (n + NR - 1) / NR;
        int threads = parallel == null ? 1 : parallel.threads();
        if (threads == 1) {
            problem.compute(0, n, 0, m);
        } else if (n >= 128 * threads || units >= strips) {
            // Split the columns: each thread packs only its own part of B.
            parallel.forRange(units, CpuGemm.minChunk(2L * m * k * NR), (chunk, start, end) ->
                    problem.compute(start * NR, Math.min(n, end * NR), 0, m));
        } else {
            parallel.forRange(strips, CpuGemm.minChunk(2L * MR * k * n), (chunk, start, end) ->
                    problem.compute(0, n, start * MR, Math.min(m, end * MR)));
        }
    }

    /**
     * {@link #gemm} for a row-major, unscaled A (A(i, p) = a[aOffset + i·lda + p]) that the micro-kernel reads where it
     * lies instead of packing it: for a large A against few columns of B (a fully connected layer's weights against a
     * batch, as Cᵀ = W·xᵀ) packing A costs about as much as the product. The same operation sequence per element, hence
     * the same bits.
     */
    static void gemmDirectA(CpuParallel parallel, int m, int n, int k, float[] a, int aOffset, int lda, View b,
                            float beta, float[] c, int cOffset, int ldc) {
        if (b.scale() != 1f) {
            throw new IllegalArgumentException("vector gemm: op(B) must be unscaled, got scale " + b.scale());
        }
        Problem problem = new Problem(m, n, k, new View(a, aOffset, lda, 1, 1f), b, beta, c, cOffset, ldc);
        int strips = (m + MR - 1) / MR;
        if (parallel == null || parallel.threads() == 1) {
            problem.computeDirectA(0, m);
        } else {
            parallel.forRange(strips, CpuGemm.minChunk(2L * MR * k * n), (chunk, start, end) ->
                    problem.computeDirectA(start * MR, Math.min(m, end * MR)));
        }
    }

    private record Problem(int m, int n, int k, View a, View b, float beta, float[] c, int cOffset, int ldc) {

        /**
         * Rows [row0, row1) of C (row0 a multiple of MR), every column, with A read in place ({@link #gemmDirectA});
         * only a last strip of fewer than MR rows is packed, as {@link #compute} packs every strip.
         */
        void computeDirectA(int row0, int row1) {
            Scratch s = SCRATCH.get();
            boolean padsDepth = CpuGemm.padsDepth(k);
            float[] ad = a.data();
            int lda = a.rowStride();
            int whole = row0 + (row1 - row0) / MR * MR;
            for (int jb = 0; jb < n; jb += NC) {
                int nc = Math.min(NC, n - jb);
                for (int pb = 0; pb < k; pb += KC) {
                    int kc = Math.min(KC, k - pb);
                    boolean applyBeta = pb == 0 && beta != 1f;
                    int depth = padsDepth && pb + kc == k ? kc + 1 : kc;
                    // The packed kernel's zero step adds +0 to every element; adding −0 changes nothing.
                    float pad = depth > kc ? 0f : -0f;
                    packB(s.b, pb, kc, depth, jb, nc);
                    if (whole < row1) {
                        packA(s.a, whole, row1 - whole, pb, kc, depth);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int i = row0; i < row1; i += MR) {
                            int at = cOffset + i * ldc + jb + jr;
                            int aAt = a.offset() + i * lda + pb;
                            if (i >= whole) {
                                edgeTile(s, depth, 0, jr * depth, at, row1 - i, nr, applyBeta);
                            } else if (nr == NR) {
                                if (applyBeta) {
                                    applyBeta(c, at, ldc, beta);
                                }
                                kernelDirectA(kc, ad, aAt, lda, s.b, jr * depth, c, at, ldc, pad);
                            } else {
                                edgeTileDirectA(s, kc, ad, aAt, lda, jr * depth, at, nr, applyBeta, pad);
                            }
                        }
                    }
                }
            }
        }

        /** {@link #edgeTile} for MR rows of A read in place and a tile sticking out of C's columns. */
        private void edgeTileDirectA(Scratch s, int kc, float[] ad, int aAt, int lda, int bAt, int at, int nr,
                                     boolean applyBeta, float pad) {
            float[] tile = s.tile;
            Arrays.fill(tile, 0f);
            for (int r = 0; r < MR; r++) {
                System.arraycopy(c, at + r * ldc, tile, r * NR, nr);
            }
            if (applyBeta) {
                applyBeta(tile, 0, NR, beta);
            }
            kernelDirectA(kc, ad, aAt, lda, s.b, bAt, tile, 0, NR, pad);
            for (int r = 0; r < MR; r++) {
                System.arraycopy(tile, r * NR, c, at + r * ldc, nr);
            }
        }

        /** Rows [row0, row1) and columns [col0, col1) of C; row0 and col0 are multiples of MR and NR. */
        void compute(int col0, int col1, int row0, int row1) {
            Scratch s = SCRATCH.get();
            boolean padsDepth = CpuGemm.padsDepth(k);
            for (int jb = col0; jb < col1; jb += NC) {
                int nc = Math.min(NC, col1 - jb);
                for (int pb = 0; pb < k; pb += KC) {
                    int kc = Math.min(KC, k - pb);
                    boolean applyBeta = pb == 0 && beta != 1f;
                    // Where the portable kernel pads the last block, one zero step adds the same +0 to every element.
                    int depth = padsDepth && pb + kc == k ? kc + 1 : kc;
                    packB(s.b, pb, kc, depth, jb, nc);
                    for (int ib = row0; ib < row1; ib += MC) {
                        int mc = Math.min(MC, row1 - ib);
                        packA(s.a, ib, mc, pb, kc, depth);
                        for (int jr = 0; jr < nc; jr += NR) {
                            int nr = Math.min(NR, nc - jr);
                            for (int ir = 0; ir < mc; ir += MR) {
                                int mr = Math.min(MR, mc - ir);
                                int at = cOffset + (ib + ir) * ldc + jb + jr;
                                if (mr == MR && nr == NR) {
                                    if (applyBeta) {
                                        applyBeta(c, at, ldc, beta);
                                    }
                                    kernel(depth, s.a, ir * depth, s.b, jr * depth, c, at, ldc);
                                } else {
                                    edgeTile(s, depth, ir * depth, jr * depth, at, mr, nr, applyBeta);
                                }
                            }
                        }
                    }
                }
            }
        }

        /** A tile that sticks out of C: computed in scratch, only its mr×nr part copied back. */
        private void edgeTile(Scratch s, int depth, int aAt, int bAt, int at, int mr, int nr, boolean applyBeta) {
            float[] tile = s.tile;
            Arrays.fill(tile, 0f);
            for (int r = 0; r < mr; r++) {
                System.arraycopy(c, at + r * ldc, tile, r * NR, nr);
            }
            if (applyBeta) {
                applyBeta(tile, 0, NR, beta);
            }
            kernel(depth, s.a, aAt, s.b, bAt, tile, 0, NR);
            for (int r = 0; r < mr; r++) {
                System.arraycopy(tile, r * NR, c, at + r * ldc, nr);
            }
        }

        /**
         * dst[(q·depth + p)·NR + j] = B(pb + p, jb + q·NR + j) for micro-panel q; columns past nc and steps kc …
         * depth−1 are zero.
         */
        private void packB(float[] dst, int pb, int kc, int depth, int jb, int nc) {
            float[] src = b.data();
            int rowStride = b.rowStride();
            int colStride = b.colStride();
            int base = b.offset() + pb * rowStride + jb * colStride;
            int whole = colStride == 1 ? nc / NR * NR : 0;
            // Whole panels of row-major B: one pass along each row of B (sequential reads from memory), scattering
            // 16-float pieces into the panels, which stay in cache. Walking one panel at a time instead reads kc
            // rows in parallel and was much slower when B is large and k small.
            for (int p = 0; p < kc; p++) {
                int row = base + p * rowStride;
                for (int jr = 0; jr < whole; jr += NR) {
                    int to = jr * depth + p * NR;
                    FloatVector.fromArray(SPECIES, src, row + jr).intoArray(dst, to);
                    FloatVector.fromArray(SPECIES, src, row + jr + LANES).intoArray(dst, to + LANES);
                }
            }
            for (int jr = 0; jr < whole && depth > kc; jr += NR) {
                Arrays.fill(dst, jr * depth + kc * NR, (jr + NR) * depth, 0f);
            }
            for (int jr = whole; jr < nc; jr += NR) {
                int nr = Math.min(NR, nc - jr);
                int panel = jr * depth;
                int from = base + jr * colStride;
                if (nr < NR || depth > kc) {
                    Arrays.fill(dst, panel, panel + depth * NR, 0f);
                }
                // B transposed (or the edge panel): walk each column of B along its contiguous k direction.
                for (int j = 0; j < nr; j++) {
                    int col = from + j * colStride;
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * NR + j] = src[col + p * rowStride];
                    }
                }
            }
        }

        /**
         * dst[(q·depth + p)·MR + i] = alpha·A(ib + q·MR + i, pb + p) for micro-panel q; rows past mc and steps kc …
         * depth−1 are zero.
         */
        private void packA(float[] dst, int ib, int mc, int pb, int kc, int depth) {
            float[] src = a.data();
            float scale = a.scale();
            int rowStride = a.rowStride();
            int colStride = a.colStride();
            int base = a.offset() + ib * rowStride + pb * colStride;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int panel = ir * depth;
                int from = base + ir * rowStride;
                if (mr < MR) {
                    Arrays.fill(dst, panel, panel + depth * MR, 0f);
                } else if (depth > kc) {
                    Arrays.fill(dst, panel + kc * MR, panel + depth * MR, 0f);
                }
                if (colStride == 1) {
                    for (int i = 0; i < mr; i++) {
                        int row = from + i * rowStride;
                        for (int p = 0; p < kc; p++) {
                            dst[panel + p * MR + i] = scale * src[row + p];
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int col = from + p * colStride;
                        int to = panel + p * MR;
                        for (int i = 0; i < mr; i++) {
                            dst[to + i] = scale * src[col + i * rowStride];
                        }
                    }
                }
            }
        }
    }

    /**
     * The MR×NR tile of C at {@code c[at + r·ldc + j]} += the packed A micro-panel times the packed B micro-panel,
     * over kc steps in order. The tile lives in twelve vector locals for the whole loop, which C2 keeps in registers.
     * The method has no branch besides its loop: vectors merged from two paths may be boxed. (Reading C through
     * a bitwise AND, to fold in beta 0, was not intrinsified on JDK 17 and ran ten times slower.)
     */
    static void kernel(int kc, float[] a, int aAt, float[] b, int bAt, float[] c, int at, int ldc) {
        int at1 = at + ldc;
        int at2 = at1 + ldc;
        int at3 = at2 + ldc;
        int at4 = at3 + ldc;
        int at5 = at4 + ldc;
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, at);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, at + LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, at1);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, at1 + LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, at2);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, at2 + LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, at3);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, at3 + LANES);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, at4);
        FloatVector c41 = FloatVector.fromArray(SPECIES, c, at4 + LANES);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, at5);
        FloatVector c51 = FloatVector.fromArray(SPECIES, c, at5 + LANES);
        // Offsets advanced by addition, not recomputed from a step counter: clearly faster on JDK 17 in a one-core
        // measurement of the kernel alone.
        for (int ai = aAt, bi = bAt, end = aAt + kc * MR; ai < end; ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, at);
        c01.intoArray(c, at + LANES);
        c10.intoArray(c, at1);
        c11.intoArray(c, at1 + LANES);
        c20.intoArray(c, at2);
        c21.intoArray(c, at2 + LANES);
        c30.intoArray(c, at3);
        c31.intoArray(c, at3 + LANES);
        c40.intoArray(c, at4);
        c41.intoArray(c, at4 + LANES);
        c50.intoArray(c, at5);
        c51.intoArray(c, at5 + LANES);
    }

    /**
     * {@link #kernel} with the MR rows of A read in place (row r at {@code a[aAt + r·lda + p]}, p &lt; kc) and no zero
     * step in the loop: {@code pad} (+0 where the packed panels end with a zero step, else −0) is added to every
     * accumulator at the end, which is what that step's fma(0, 0, c) does. A copy of {@link #kernel} rather than one
     * kernel with the strides as parameters: C2 makes a counted loop (unrolled, range checks hoisted) only of a
     * constant stride, and the merged kernel, too large to inline into its callers, measured about 10% slower on the
     * 1024³ product.
     */
    static void kernelDirectA(int kc, float[] a, int aAt, int lda, float[] b, int bAt, float[] c, int at, int ldc,
                              float pad) {
        int at1 = at + ldc;
        int at2 = at1 + ldc;
        int at3 = at2 + ldc;
        int at4 = at3 + ldc;
        int at5 = at4 + ldc;
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, at);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, at + LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, at1);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, at1 + LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, at2);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, at2 + LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, at3);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, at3 + LANES);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, at4);
        FloatVector c41 = FloatVector.fromArray(SPECIES, c, at4 + LANES);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, at5);
        FloatVector c51 = FloatVector.fromArray(SPECIES, c, at5 + LANES);
        int a0 = aAt;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        for (int p = 0, bi = bAt; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        FloatVector z = FloatVector.broadcast(SPECIES, pad);
        c00.add(z).intoArray(c, at);
        c01.add(z).intoArray(c, at + LANES);
        c10.add(z).intoArray(c, at1);
        c11.add(z).intoArray(c, at1 + LANES);
        c20.add(z).intoArray(c, at2);
        c21.add(z).intoArray(c, at2 + LANES);
        c30.add(z).intoArray(c, at3);
        c31.add(z).intoArray(c, at3 + LANES);
        c40.add(z).intoArray(c, at4);
        c41.add(z).intoArray(c, at4 + LANES);
        c50.add(z).intoArray(c, at5);
        c51.add(z).intoArray(c, at5 + LANES);
    }

    /** The first k block's beta on an MR×NR tile: c = beta·c, or +0 when beta is 0 (ignoring NaN in C). */
    static void applyBeta(float[] c, int at, int ldc, float beta) {
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int r = 0; r < MR; r++, at += ldc) {
            if (beta == 0f) {
                zero.intoArray(c, at);
                zero.intoArray(c, at + LANES);
            } else {
                FloatVector.fromArray(SPECIES, c, at).mul(beta).intoArray(c, at);
                FloatVector.fromArray(SPECIES, c, at + LANES).mul(beta).intoArray(c, at + LANES);
            }
        }
    }
}
