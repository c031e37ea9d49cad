// Inverted dropout with the counter-based mask of io.jcnn.random.CounterRandom: element i is kept when
// uniform(seed, i) ≥ rate, then scaled; forward and backward are the same kernel (y = x·mask·scale).
#include "common.cuh"

// SplitMix64's finaliser over seed + (index + 1)·γ, as CounterRandom.bits.
__device__ unsigned long long counter_bits(unsigned long long seed, unsigned long long index) {
    unsigned long long z = seed + (index + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

extern "C" __global__ void dropout(int n, const float* x, float* y, float rate, float scale,
                                   unsigned long long seed) {
    GRID_STRIDE(i, n) {
        float u = (float) (counter_bits(seed, (unsigned long long) i) >> 40) * 0x1.0p-24f;
        y[i] = u >= rate ? x[i] * scale : 0.0f;
    }
}
