// Single-precision GEMM for machines without cuBLAS: C = alpha·op(A)·op(B) + beta·C, all row-major, op(A) m×k and
// op(B) k×n, as io.jcnn.backend.Backend.gemm. Each block of 16×16 threads computes a 64×64 tile of C, 4×4 outputs
// per thread, stepping through k in slices of 16 staged in shared memory. Each output's sum runs over k in order,
// so results do not depend on the launch. beta 0 ignores C's old contents (NaN included).
#include "common.cuh"

#define TILE 64
#define SLICE 16
#define PER_THREAD 4

extern "C" __global__ void sgemm(int transA, int transB, int m, int n, int k, float alpha, const float* A,
                                 int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    __shared__ float as[SLICE][TILE + 1];
    __shared__ float bs[SLICE][TILE + 1];
    int tx = threadIdx.x;  // 0..15: columns
    int ty = threadIdx.y;  // 0..15: rows
    int row0 = blockIdx.y * TILE;
    int col0 = blockIdx.x * TILE;
    int thread = ty * 16 + tx;
    float acc[PER_THREAD][PER_THREAD] = {};
    for (int p0 = 0; p0 < k; p0 += SLICE) {
        // 256 threads load the 64×16 slice of op(A) and the 16×64 slice of op(B), four values each.
        for (int e = thread; e < TILE * SLICE; e += 256) {
            int i = e / SLICE, p = e % SLICE;
            int gi = row0 + i, gp = p0 + p;
            as[p][i] = gi < m && gp < k ? A[transA ? (long long) gp * lda + gi : (long long) gi * lda + gp] : 0.0f;
            int j = e % TILE, q = e / TILE;
            int gj = col0 + j, gq = p0 + q;
            bs[q][j] = gj < n && gq < k ? B[transB ? (long long) gj * ldb + gq : (long long) gq * ldb + gj] : 0.0f;
        }
        __syncthreads();
        int steps = min(SLICE, k - p0);
        for (int p = 0; p < steps; p++) {
            float a[PER_THREAD], b[PER_THREAD];
            for (int r = 0; r < PER_THREAD; r++) a[r] = as[p][ty + 16 * r];
            for (int c = 0; c < PER_THREAD; c++) b[c] = bs[p][tx + 16 * c];
            for (int r = 0; r < PER_THREAD; r++)
                for (int c = 0; c < PER_THREAD; c++) acc[r][c] = fmaf(a[r], b[c], acc[r][c]);
        }
        __syncthreads();
    }
    for (int r = 0; r < PER_THREAD; r++) {
        int i = row0 + ty + 16 * r;
        if (i >= m) continue;
        for (int c = 0; c < PER_THREAD; c++) {
            int j = col0 + tx + 16 * c;
            if (j >= n) continue;
            float* out = C + (long long) i * ldc + j;
            *out = beta == 0.0f ? alpha * acc[r][c] : fmaf(beta, *out, alpha * acc[r][c]);
        }
    }
}
