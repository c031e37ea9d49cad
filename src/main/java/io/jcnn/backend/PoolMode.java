package io.jcnn.backend;

/** Pooling reduction. Average pooling divides by the full window, padding included (Caffe's and cuDNN's default). */
public enum PoolMode {
    /** The largest value of each window. */
    MAX,
    /** The mean of each window, padding counted as zeros. */
    AVERAGE
}
