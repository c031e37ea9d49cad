package io.jcnn.random;

/**
 * Counter-based random numbers: each value is a pure function of (seed, index), so any backend, thread or
 * order of evaluation draws exactly the same numbers. The mixing is SplitMix64's finaliser, cheap on CPU and GPU.
 */
public final class CounterRandom {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private CounterRandom() {
    }

    /** 64 well-mixed bits for (seed, index). */
    public static long bits(long seed, long index) {
        long z = seed + (index + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 bits of resolution, exact in float32. */
    public static float uniform(long seed, long index) {
        return (bits(seed, index) >>> 40) * 0x1.0p-24f;
    }

    /** Standard normal by Box-Muller over two independent uniforms of the index. */
    public static double normal(long seed, long index) {
        double u1 = ((bits(seed, 2 * index) >>> 11) + 1) * 0x1.0p-53; // (0, 1]: log stays finite
        double u2 = (bits(seed, 2 * index + 1) >>> 11) * 0x1.0p-53;
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A seed for a named child stream, so layers seeded from one model seed do not share numbers. */
    public static long derive(long seed, long stream) {
        return bits(seed ^ 0x5DEECE66DL, stream);
    }
}
