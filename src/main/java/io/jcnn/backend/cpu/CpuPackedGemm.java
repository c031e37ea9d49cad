package io.jcnn.backend.cpu;

import java.util.Arrays;

/**
 * {@link CpuGemmVectorKernel}'s micro-kernel on operands the caller has already packed, for callers that can write
 * op(B) straight into the kernel's panel layout (convolution packs its column matrix from the image itself) or that
 * multiply many matrices by the same op(A) (a convolution's filter, packed once per call instead of once per image).
 *
 * <p>Layouts, for an m×k op(A) and a k×n op(B), with k cut into blocks of {@link CpuGemmVectorKernel#KC} steps:
 * <ul>
 * <li>packed A, block by block: block b (steps pb … pb+kc−1, stored with {@link #depth} steps) starts at
 *     {@link #packedABlockOffset}; within it strip q (rows q·MR … q·MR+MR−1) holds step p's MR values at
 *     {@code (q·depth + p)·MR + i}; rows past m and the extra step are zero.</li>
 * <li>packed B, one k block and up to {@code nc} columns: panel q (columns q·NR …) holds step p's NR values at
 *     {@code (q·depth + p)·NR + j}; columns past nc and the extra step are zero.</li>
 * </ul>
 * The extra step is the zero k-step that reproduces the portable kernel's padding (see {@link CpuGemm#padsDepth}),
 * so every element gets the operation sequence {@link CpuGemm} documents and results match {@link CpuGemm#gemm} bit
 * for bit. Only loaded where the vector kernel runs.
 */
final class CpuPackedGemm {
    static final int MR = CpuGemmVectorKernel.MR;
    static final int NR = CpuGemmVectorKernel.NR;
    static final int KC = CpuGemmVectorKernel.KC;

    private static final ThreadLocal<float[]> EDGE_TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private CpuPackedGemm() {
    }

    /** Steps stored for the k block starting at pb: kc, plus the zero step on the last block where k pads. */
    static int depth(int k, int pb) {
        int kc = Math.min(KC, k - pb);
        return CpuGemm.padsDepth(k) && pb + kc == k ? kc + 1 : kc;
    }

    static int paddedRows(int m) {
        return (m + MR - 1) / MR * MR;
    }

    /** Floats of a packed m×k op(A). */
    static int packedALength(int m, int k) {
        return packedABlockOffset(m, k, k);
    }

    /** Where the block starting at step pb (or the end, pb = k) begins in a packed m×k op(A). */
    static int packedABlockOffset(int m, int k, int pb) {
        // Every block before the last holds exactly KC steps; only the last may carry the zero step.
        return paddedRows(m) * (pb + (pb == k && CpuGemm.padsDepth(k) ? 1 : 0));
    }

    /** Floats of one packed B block of up to nc columns. */
    static int packedBLength(int nc) {
        return (KC + 1) * ((nc + NR - 1) / NR * NR);
    }

    /**
     * Packs the m×k matrix A(i, p) = {@code a[offset + i·rowStride + p·colStride]} into {@code dst} from
     * {@code dstOffset}, in the layout above.
     */
    static void packA(float[] a, int offset, int rowStride, int colStride, int m, int k, float[] dst, int dstOffset) {
        int rows = paddedRows(m);
        for (int pb = 0; pb < k; pb += KC) {
            int kc = Math.min(KC, k - pb);
            int depth = depth(k, pb);
            int block = dstOffset + packedABlockOffset(m, k, pb);
            Arrays.fill(dst, block, block + rows * depth, 0f);
            for (int i = 0; i < m; i++) {
                int strip = block + (i / MR) * depth * MR + i % MR;
                int from = offset + i * rowStride + pb * colStride;
                for (int p = 0; p < kc; p++) {
                    dst[strip + p * MR] = a[from + p * colStride];
                }
            }
        }
    }

    /**
     * C(i, j) for i &lt; m, j &lt; nc (at {@code c[cOffset + i·ldc + j]}) += packed A block × packed B block over
     * {@code depth} steps; {@code first} applies beta 0 first (C's old contents, NaN included, are ignored).
     */
    static void multiplyBlock(float[] packedA, int aBlock, int m, int depth, float[] packedB, int bBlock, int nc,
                              boolean first, float[] c, int cOffset, int ldc) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bAt = bBlock + jr * depth;
            for (int ir = 0; ir < m; ir += MR) {
                int mr = Math.min(MR, m - ir);
                int aAt = aBlock + ir * depth;
                int at = cOffset + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    if (first) {
                        CpuGemmVectorKernel.applyBeta(c, at, ldc, 0f);
                    }
                    CpuGemmVectorKernel.kernel(depth, packedA, aAt, packedB, bAt, c, at, ldc);
                } else {
                    edgeTile(packedA, aAt, depth, packedB, bAt, first, c, at, ldc, mr, nr);
                }
            }
        }
    }

    private static void edgeTile(float[] packedA, int aAt, int depth, float[] packedB, int bAt, boolean first,
                                 float[] c, int at, int ldc, int mr, int nr) {
        float[] tile = EDGE_TILE.get();
        Arrays.fill(tile, 0f);
        if (!first) {
            for (int r = 0; r < mr; r++) {
                System.arraycopy(c, at + r * ldc, tile, r * NR, nr);
            }
        }
        CpuGemmVectorKernel.kernel(depth, packedA, aAt, packedB, bAt, tile, 0, NR);
        for (int r = 0; r < mr; r++) {
            System.arraycopy(tile, r * NR, c, at + r * ldc, nr);
        }
    }
}
