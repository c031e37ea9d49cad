package io.jcnn.backend.cpu;

import io.jcnn.random.CounterRandom;

/**
 * Inverted dropout with a counter-based mask: element i is kept when {@code CounterRandom.uniform(seed, i) >= rate}
 * and then multiplied by the float {@code 1f / (1f - rate)}, else set to 0. The mask depends only on (seed, i), so
 * forward and backward (and every backend) apply the same mask without storing it.
 */
final class CpuDropout {
    private static final int MIN_CHUNK = 1 << 14;

    private CpuDropout() {
    }

    static void apply(CpuParallel parallel, float[] in, float[] out, int size, float rate, long seed) {
        if (rate == 0f) {
            // uniform() is never below 0 and the scale is 1: dropout is the identity.
            if (in != out) {
                System.arraycopy(in, 0, out, 0, size);
            }
            return;
        }
        float scale = 1f / (1f - rate);
        parallel.forRange(size, MIN_CHUNK, (chunk, start, end) -> {
            for (int i = start; i < end; i++) {
                out[i] = CounterRandom.uniform(seed, i) >= rate ? in[i] * scale : 0f;
            }
        });
    }
}
