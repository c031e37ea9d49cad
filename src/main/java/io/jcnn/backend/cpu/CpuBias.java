package io.jcnn.backend.cpu;

/** Per-channel bias add and its gradient for N×C×S data (S = H·W, or 1). */
final class CpuBias {
    private CpuBias() {
    }

    static void add(CpuParallel parallel, int n, int c, int s, float[] y, float[] bias) {
        throw new UnsupportedOperationException("biasAdd is not implemented yet");
    }

    static void gradient(CpuParallel parallel, int n, int c, int s, float[] dy, float[] dbias) {
        throw new UnsupportedOperationException("biasGradient is not implemented yet");
    }
}
