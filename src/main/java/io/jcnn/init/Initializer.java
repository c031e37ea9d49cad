package io.jcnn.init;

import io.jcnn.random.CounterRandom;

/**
 * Fills a parameter's initial values on the host from a seed, so every backend starts from identical weights.
 * {@code fanIn} and {@code fanOut} are the inputs and outputs each weight connects (for a convolution:
 * channels per group × kernel area, and output channels per group × kernel area).
 */
@FunctionalInterface
public interface Initializer {

    /**
     * Overwrites {@code values} with the initial values of a parameter with these fans, each a function of
     * {@code seed} and its index alone, so that a seed gives the same weights on every run and backend.
     */
    void fill(float[] values, int fanIn, int fanOut, long seed);

    /** Glorot and Bengio (2010): uniform in ±√(6 / (fanIn + fanOut)). */
    static Initializer xavierUniform() {
        return (values, fanIn, fanOut, seed) -> {
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((2 * CounterRandom.uniform(seed, i) - 1) * limit);
            }
        };
    }

    /** Glorot and Bengio (2010): normal with standard deviation √(2 / (fanIn + fanOut)). */
    static Initializer xavierNormal() {
        return gaussian((fanIn, fanOut) -> Math.sqrt(2.0 / (fanIn + fanOut)));
    }

    /** He et al. (2015), for ReLU networks: normal with standard deviation √(2 / fanIn). */
    static Initializer heNormal() {
        return gaussian((fanIn, fanOut) -> Math.sqrt(2.0 / fanIn));
    }

    /** He et al. (2015): uniform in ±√(6 / fanIn). */
    static Initializer heUniform() {
        return (values, fanIn, fanOut, seed) -> {
            double limit = Math.sqrt(6.0 / fanIn);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((2 * CounterRandom.uniform(seed, i) - 1) * limit);
            }
        };
    }

    /** Normal with a fixed standard deviation, as Caffe's "gaussian" filler (AlexNet used 0.01). */
    static Initializer normal(double standardDeviation) {
        if (!(standardDeviation > 0) || Double.isInfinite(standardDeviation)) {
            throw new IllegalArgumentException("normal initializer needs a positive finite standard deviation, got "
                    + standardDeviation);
        }
        return gaussian((fanIn, fanOut) -> standardDeviation);
    }

    /** Every value equal to {@code value} (zeros for biases, ones for batch-norm scales). */
    static Initializer constant(float value) {
        return (values, fanIn, fanOut, seed) -> java.util.Arrays.fill(values, value);
    }

    private static Initializer gaussian(StandardDeviation deviation) {
        return (values, fanIn, fanOut, seed) -> {
            double sd = deviation.of(fanIn, fanOut);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (CounterRandom.normal(seed, i) * sd);
            }
        };
    }

    /** The standard deviation a Gaussian initializer uses for a given fan. */
    @FunctionalInterface
    interface StandardDeviation {
        /** The standard deviation for a parameter with these fans. */
        double of(int fanIn, int fanOut);
    }
}
