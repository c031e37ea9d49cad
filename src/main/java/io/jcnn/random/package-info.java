/**
 * Counter-based random numbers ({@link io.jcnn.random.CounterRandom}): each value is a pure function of a seed and
 * an index, so initialisation, shuffling, augmentation and dropout masks are the same on every backend, thread count
 * and order of evaluation. The CUDA kernels implement the same function.
 */
package io.jcnn.random;
