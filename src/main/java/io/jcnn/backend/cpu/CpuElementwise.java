package io.jcnn.backend.cpu;

/** Elementwise updates and reductions used by optimizers and utilities. */
final class CpuElementwise {
    private CpuElementwise() {
    }

    static void axpy(CpuParallel parallel, float alpha, float[] x, float[] y, int size) {
        throw new UnsupportedOperationException("axpy is not implemented yet");
    }

    static void scale(CpuParallel parallel, float[] x, float alpha, int size) {
        throw new UnsupportedOperationException("scale is not implemented yet");
    }

    static double sumOfSquares(CpuParallel parallel, float[] x, int size) {
        throw new UnsupportedOperationException("sumOfSquares is not implemented yet");
    }
}
