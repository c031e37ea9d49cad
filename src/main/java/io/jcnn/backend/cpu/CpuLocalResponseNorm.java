package io.jcnn.backend.cpu;

import io.jcnn.backend.LrnSpec;

/** Cross-channel local response normalisation for N×C×S data (S = H·W). */
final class CpuLocalResponseNorm {
    private CpuLocalResponseNorm() {
    }

    static void forward(CpuParallel parallel, LrnSpec spec, int n, int c, int s, float[] x, float[] y) {
        throw new UnsupportedOperationException("lrnForward is not implemented yet");
    }

    static void backward(CpuParallel parallel, LrnSpec spec, int n, int c, int s, float[] x, float[] y, float[] dy, float[] dx) {
        throw new UnsupportedOperationException("lrnBackward is not implemented yet");
    }
}
