package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * Inverted dropout: in training, zeroes each element with probability {@code rate} and scales the rest by
 * 1/(1 − rate); in inference, the identity. Each training forward draws a fresh mask from a counter-based stream
 * seeded at compile, so a fixed seed reproduces every mask on every backend.
 */
public final class Dropout extends AbstractLayer {
    private final float rate;
    private long streamSeed;
    private long draws;
    private long maskSeed;
    private boolean maskApplied;

    /**
     * A dropout layer called {@code name} zeroing each element with probability {@code rate} in training.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, or {@code rate} is not in [0, 1)
     */
    public Dropout(String name, float rate) {
        super(name);
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("Dropout '" + name + "': rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    /** The probability of zeroing an element in training, in [0, 1). */
    public float rate() {
        return rate;
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        return input;
    }

    @Override
    protected void createParams(Backend backend, long seed) {
        reseed(seed);
    }

    @Override
    public void reseed(long seed) {
        streamSeed = seed;
        draws = 0;
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        maskApplied = training && rate > 0f;
        if (maskApplied) {
            maskSeed = CounterRandom.derive(streamSeed, draws++);
            backend().dropoutForward(x, y, rate, maskSeed);
        } else {
            backend().copy(x, y);
        }
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        if (maskApplied) {
            backend().dropoutBackward(dy, dx, rate, maskSeed);
        } else {
            backend().copy(dy, dx);
        }
    }
}
