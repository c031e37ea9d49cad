package io.jcnn.backend.cpu;

/** Elementwise updates and reductions used by optimizers and utilities. */
final class CpuElementwise {
    private static final int MIN_CHUNK = 1 << 14;

    private CpuElementwise() {
    }

    /** y += alpha·x. */
    static void axpy(CpuParallel parallel, float alpha, float[] x, float[] y, int size) {
        parallel.forRange(size, MIN_CHUNK, (chunk, start, end) -> {
            for (int i = start; i < end; i++) {
                y[i] += alpha * x[i];
            }
        });
    }

    /** x *= alpha. */
    static void scale(CpuParallel parallel, float[] x, float alpha, int size) {
        parallel.forRange(size, MIN_CHUNK, (chunk, start, end) -> {
            for (int i = start; i < end; i++) {
                x[i] *= alpha;
            }
        });
    }

    /** Σ x² in double: per-chunk partials, added in chunk order so the result is reproducible. */
    static double sumOfSquares(CpuParallel parallel, float[] x, int size) {
        double[] partials = new double[parallel.chunks(size, MIN_CHUNK)];
        parallel.forRange(size, MIN_CHUNK, (chunk, start, end) -> {
            double sum = 0;
            for (int i = start; i < end; i++) {
                double v = x[i];
                sum += v * v;
            }
            partials[chunk] = sum;
        });
        return CpuLosses.sumInOrder(partials);
    }
}
