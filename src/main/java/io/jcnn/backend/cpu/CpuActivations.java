package io.jcnn.backend.cpu;

import io.jcnn.backend.Activation;

/**
 * Pointwise activations and their derivatives. The kind is resolved once per call, outside the loops, so each loop
 * body is a plain arithmetic kernel the JIT can unroll and vectorise.
 */
final class CpuActivations {
    /** Elements per chunk below which threading costs more than it saves (transcendentals make this smaller). */
    private static final int MIN_CHUNK_CHEAP = 1 << 14;
    private static final int MIN_CHUNK_TRANSCENDENTAL = 1 << 12;

    private CpuActivations() {
    }

    static void forward(CpuParallel parallel, Activation activation, float[] x, float[] y, int size) {
        // The branch-free vector loops (CpuVectorActivations) run where the vector kernel does.
        boolean vector = CpuConvolution.fusedAvailable();
        switch (activation.kind()) {
            case RELU -> parallel.forRange(size, MIN_CHUNK_CHEAP, (chunk, start, end) -> reluForward(x, y, start, end));
            case LEAKY_RELU -> {
                float alpha = activation.alpha();
                parallel.forRange(size, MIN_CHUNK_CHEAP, (chunk, start, end) -> {
                    if (vector) {
                        CpuVectorActivations.leakyReluForward(alpha, x, y, start, end);
                    } else {
                        leakyReluForward(alpha, x, y, start, end);
                    }
                });
            }
            case SIGMOID -> parallel.forRange(size, MIN_CHUNK_TRANSCENDENTAL,
                    (chunk, start, end) -> sigmoidForward(x, y, start, end));
            case TANH -> parallel.forRange(size, MIN_CHUNK_TRANSCENDENTAL,
                    (chunk, start, end) -> tanhForward(x, y, start, end));
            default -> throw new IllegalArgumentException("activationForward: unsupported kind " + activation.kind());
        }
    }

    static void backward(CpuParallel parallel, Activation activation, float[] x, float[] y, float[] dy, float[] dx,
                         int size) {
        boolean vector = CpuConvolution.fusedAvailable();
        switch (activation.kind()) {
            case RELU -> parallel.forRange(size, MIN_CHUNK_CHEAP,
                    (chunk, start, end) -> reluBackward(x, dy, dx, start, end, vector));
            case LEAKY_RELU -> {
                float alpha = activation.alpha();
                parallel.forRange(size, MIN_CHUNK_CHEAP, (chunk, start, end) -> {
                    if (vector) {
                        CpuVectorActivations.leakyReluBackward(alpha, x, dy, dx, start, end);
                    } else {
                        leakyReluBackward(alpha, x, dy, dx, start, end);
                    }
                });
            }
            case SIGMOID -> parallel.forRange(size, MIN_CHUNK_CHEAP,
                    (chunk, start, end) -> sigmoidBackward(y, dy, dx, start, end));
            case TANH -> parallel.forRange(size, MIN_CHUNK_CHEAP,
                    (chunk, start, end) -> tanhBackward(y, dy, dx, start, end));
            default -> throw new IllegalArgumentException("activationBackward: unsupported kind " + activation.kind());
        }
    }

    // ---- forward kernels ----

    private static void reluForward(float[] x, float[] y, int start, int end) {
        for (int i = start; i < end; i++) {
            // Math.max propagates NaN, so a diverging network is not silently masked.
            y[i] = Math.max(x[i], 0f);
        }
    }

    private static void leakyReluForward(float alpha, float[] x, float[] y, int start, int end) {
        for (int i = start; i < end; i++) {
            float v = x[i];
            y[i] = v > 0f ? v : alpha * v;
        }
    }

    private static void sigmoidForward(float[] x, float[] y, int start, int end) {
        for (int i = start; i < end; i++) {
            y[i] = sigmoid(x[i]);
        }
    }

    /**
     * 1/(1+e^−x) evaluated so that the exponential never overflows: for negative x it is rewritten as e^x/(1+e^x),
     * whose exponential underflows gracefully to 0 instead of overflowing to infinity.
     */
    static float sigmoid(float x) {
        if (x >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    private static void tanhForward(float[] x, float[] y, int start, int end) {
        for (int i = start; i < end; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    // ---- backward kernels ----

    /**
     * ReLU's backward on [start, end), dx = dy where x &gt; 0, else +0, by the vector loop or the scalar one (the
     * same bits); dx may be dy. Fused passes call it on ranges they have just written, while these are in cache.
     */
    static void reluBackward(float[] x, float[] dy, float[] dx, int start, int end, boolean vector) {
        if (vector) {
            CpuVectorActivations.reluBackward(x, dy, dx, start, end);
        } else {
            reluBackward(x, dy, dx, start, end);
        }
    }

    private static void reluBackward(float[] x, float[] dy, float[] dx, int start, int end) {
        for (int i = start; i < end; i++) {
            // The derivative at exactly 0 is taken as 0 (the Backend contract).
            dx[i] = x[i] > 0f ? dy[i] : 0f;
        }
    }

    private static void leakyReluBackward(float alpha, float[] x, float[] dy, float[] dx, int start, int end) {
        for (int i = start; i < end; i++) {
            dx[i] = x[i] > 0f ? dy[i] : alpha * dy[i];
        }
    }

    /** σ′(x) = y(1 − y), from the forward output y. */
    private static void sigmoidBackward(float[] y, float[] dy, float[] dx, int start, int end) {
        for (int i = start; i < end; i++) {
            float v = y[i];
            dx[i] = dy[i] * v * (1f - v);
        }
    }

    /** tanh′(x) = 1 − y², from the forward output y. */
    private static void tanhBackward(float[] y, float[] dy, float[] dx, int start, int end) {
        for (int i = start; i < end; i++) {
            float v = y[i];
            dx[i] = dy[i] * (1f - v * v);
        }
    }
}
