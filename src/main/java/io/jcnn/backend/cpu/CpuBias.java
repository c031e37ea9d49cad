package io.jcnn.backend.cpu;

/** Per-channel bias add and its gradient for N×C×S data (S = H·W, or 1). */
final class CpuBias {
    /** Below this many elements per chunk the thread hand-off costs more than the work. */
    private static final int MIN_CHUNK_ELEMENTS = 1 << 14;

    private CpuBias() {
    }

    /** y[n, c, s] += bias[c], split over the N·C planes. */
    static void add(CpuParallel parallel, int n, int c, int s, float[] y, float[] bias) {
        int planes = n * c;
        parallel.forRange(planes, Math.max(1, MIN_CHUNK_ELEMENTS / s), (chunk, start, end) -> {
            for (int plane = start; plane < end; plane++) {
                float b = bias[plane % c];
                int offset = plane * s;
                for (int i = offset; i < offset + s; i++) {
                    y[i] += b;
                }
            }
        });
    }

    /**
     * dbias[c] = Σ over n and s of dy[n, c, s], accumulated in double in a fixed order and split over channels only,
     * so the result does not depend on the thread count. Where the vector kernel runs and planes hold two vectors or
     * more, each plane is summed by {@link CpuVectorBias} (the result then also depends on the vector width); otherwise
     * four interleaved accumulators (element i goes to i mod 4 of its plane) break the chain of dependent additions,
     * which otherwise bounds the pass by add latency.
     */
    static void gradient(CpuParallel parallel, int n, int c, int s, float[] dy, float[] dbias) {
        boolean vector = CpuConvolution.fusedAvailable() && CpuVectorBias.applies(s);
        parallel.forRange(c, Math.max(1, MIN_CHUNK_ELEMENTS / Math.max(1, n * s)), (chunk, start, end) -> {
            for (int channel = start; channel < end; channel++) {
                if (vector) {
                    double sum = 0;
                    for (int image = 0; image < n; image++) {
                        sum += CpuVectorBias.planeSum(dy, (image * c + channel) * s, s);
                    }
                    dbias[channel] = (float) sum;
                    continue;
                }
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int image = 0; image < n; image++) {
                    int offset = (image * c + channel) * s;
                    int i = offset;
                    for (; i + 4 <= offset + s; i += 4) {
                        s0 += dy[i];
                        s1 += dy[i + 1];
                        s2 += dy[i + 2];
                        s3 += dy[i + 3];
                    }
                    for (; i < offset + s; i++) {
                        s0 += dy[i];
                    }
                }
                dbias[channel] = (float) ((s0 + s1) + (s2 + s3));
            }
        });
    }
}
