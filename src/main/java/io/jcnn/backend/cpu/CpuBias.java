package io.jcnn.backend.cpu;

/** Per-channel bias add and its gradient for N×C×S data (S = H·W, or 1). */
final class CpuBias {
    /** Below this many elements per chunk the thread hand-off costs more than the work. */
    private static final int MIN_CHUNK_ELEMENTS = 1 << 14;
    /** Per-thread double sums of {@link #rowGradient}, grown to the widest chunk seen. */
    private static final ThreadLocal<double[]> ROW_SUMS = ThreadLocal.withInitial(() -> new double[0]);

    private CpuBias() {
    }

    /** y[n, c, s] += bias[c], split over the N·C planes (over the N rows where S = 1). */
    static void add(CpuParallel parallel, int n, int c, int s, float[] y, float[] bias) {
        if (s == 1) {
            // A dense layer's N×C output: the bias row added to each row, a loop C2 vectorizes.
            parallel.forRange(n, Math.max(1, MIN_CHUNK_ELEMENTS / c), (chunk, start, end) -> {
                for (int row = start; row < end; row++) {
                    int offset = row * c;
                    for (int i = 0; i < c; i++) {
                        y[offset + i] += bias[i];
                    }
                }
            });
            return;
        }
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
     * more, each plane is summed by {@link CpuVectorBias} (the result then also depends on the vector width); where
     * S = 1, by {@link #rowGradient}; otherwise four interleaved accumulators (element i goes to i mod 4 of its plane)
     * break the chain of dependent additions, which otherwise bounds the pass by add latency.
     */
    static void gradient(CpuParallel parallel, int n, int c, int s, float[] dy, float[] dbias) {
        if (s == 1) {
            rowGradient(parallel, n, c, dy, dbias);
            return;
        }
        boolean vector = CpuConvolution.fusedAvailable() && CpuVectorBias.applies(s);
        parallel.forRange(c, Math.max(1, MIN_CHUNK_ELEMENTS / Math.max(1, n * s)), (chunk, start, end) -> {
            if (vector) {
                CpuVectorBias.channelSums(dy, n, c, s, start, end, dbias);
                return;
            }
            for (int channel = start; channel < end; channel++) {
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

    /**
     * The S = 1 case (a dense layer's N×C gradient): each chunk of channels adds row after row into double sums, so it
     * reads dy along its rows; every channel still sums its N values in image order, one accumulator each.
     */
    private static void rowGradient(CpuParallel parallel, int n, int c, float[] dy, float[] dbias) {
        parallel.forRange(c, Math.max(1, MIN_CHUNK_ELEMENTS / Math.max(1, n)), (chunk, start, end) -> {
            double[] sums = ROW_SUMS.get();
            if (sums.length < end - start) {
                sums = new double[end - start];
                ROW_SUMS.set(sums);
            }
            java.util.Arrays.fill(sums, 0, end - start, 0.0);
            for (int image = 0; image < n; image++) {
                int offset = image * c + start;
                for (int i = 0; i < end - start; i++) {
                    sums[i] += dy[offset + i];
                }
            }
            for (int i = 0; i < end - start; i++) {
                dbias[start + i] = (float) sums[i];
            }
        });
    }
}
