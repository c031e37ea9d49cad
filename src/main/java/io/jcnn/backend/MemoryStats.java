package io.jcnn.backend;

/**
 * A backend's allocation counters. {@code allocations} counts every allocation request the backend served,
 * cache hits included, so "a training step allocates nothing" means this number does not change.
 */
public record MemoryStats(long liveBytes, long peakBytes, long allocations, long frees) {
}
