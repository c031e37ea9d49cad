package io.jcnn.backend.cpu;

/** Inverted dropout with a counter-based mask; forward and backward apply the same mask. */
final class CpuDropout {
    private CpuDropout() {
    }

    static void apply(CpuParallel parallel, float[] in, float[] out, int size, float rate, long seed) {
        throw new UnsupportedOperationException("dropout is not implemented yet");
    }
}
