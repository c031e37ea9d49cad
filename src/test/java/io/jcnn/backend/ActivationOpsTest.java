package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** activationForward/activationBackward against the double-precision reference, on every backend. */
class ActivationOpsTest {
    private static final List<Activation> ACTIVATIONS = List.of(
            Activation.RELU, Activation.leakyRelu(0.1f), Activation.SIGMOID, Activation.TANH);
    private static final int[] SIZES = {1, 257, 100_003};

    static Stream<Arguments> backendsActivationsAndSizes() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : TestBackends.all()) {
            for (Activation activation : ACTIVATIONS) {
                for (int size : SIZES) {
                    cases.add(Arguments.of(backend, activation, size));
                }
            }
        }
        return cases.stream();
    }

    /** Uniform values in [-4, 4) with exact zeros, tiny values and very large magnitudes mixed in. */
    static float[] inputs(long seed, int size) {
        float[] x = TestData.uniform(seed, size);
        float[] specials = {0f, -0f, 1e-30f, -1e-30f, 20f, -20f, 100f, -100f, 1000f, -1000f, 3e38f, -3e38f};
        for (int i = 0; i < size; i++) {
            x[i] *= 4;
            if (i % 7 == 3) {
                x[i] = specials[(i / 7) % specials.length];
            }
        }
        if (size == 1) {
            x[0] = -1000f;
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1} size {2}", autoCloseArguments = false)
    @MethodSource("backendsActivationsAndSizes")
    void forwardMatchesReference(Backend backend, Activation activation, int size) {
        float[] x = inputs(11, size);
        try (Tensor tx = backend.tensor(Shape.of(size), x); Tensor ty = backend.allocate(Shape.of(size))) {
            backend.activationForward(activation, tx, ty);
            float[] y = ty.toArray();
            TestData.assertClose(activation.kind() + " forward", PointwiseReference.activationForward(activation, x),
                    y, 1e-6, 1e-30);
            for (float v : y) {
                assertTrue(Float.isFinite(v), activation.kind() + " forward produced " + v);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} size {2}", autoCloseArguments = false)
    @MethodSource("backendsActivationsAndSizes")
    void backwardMatchesReference(Backend backend, Activation activation, int size) {
        float[] x = inputs(12, size);
        float[] dy = TestData.uniform(13, size);
        Shape shape = Shape.of(size);
        try (Tensor tx = backend.tensor(shape, x); Tensor ty = backend.allocate(shape);
             Tensor tdy = backend.tensor(shape, dy); Tensor tdx = backend.allocate(shape)) {
            backend.activationForward(activation, tx, ty);
            backend.activationBackward(activation, tx, ty, tdy, tdx);
            // Sigmoid and tanh derive from the float y, so near saturation 1 − y carries absolute error ~1e-7.
            TestData.assertClose(activation.kind() + " backward",
                    PointwiseReference.activationBackward(activation, x, dy), tdx.toArray(), 1e-5, 2e-7);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void reluDerivativeAtZeroIsZero(Backend backend) {
        Shape shape = Shape.of(4);
        try (Tensor x = backend.tensor(shape, 0f, -0f, 1f, -1f); Tensor y = backend.allocate(shape);
             Tensor dy = backend.tensor(shape, 5f, 5f, 5f, 5f); Tensor dx = backend.allocate(shape)) {
            backend.activationForward(Activation.RELU, x, y);
            backend.activationBackward(Activation.RELU, x, y, dy, dx);
            float[] g = dx.toArray();
            assertEquals(0f, g[0]);
            assertEquals(0f, g[1]);
            assertEquals(5f, g[2]);
            assertEquals(0f, g[3]);

            backend.activationBackward(Activation.leakyRelu(0.25f), x, y, dy, dx);
            g = dx.toArray();
            assertEquals(1.25f, g[0]);
            assertEquals(5f, g[2]);
            assertEquals(1.25f, g[3]);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void sigmoidSaturatesWithoutOverflow(Backend backend) {
        Shape shape = Shape.of(4);
        try (Tensor x = backend.tensor(shape, -1000f, 1000f, -Float.MAX_VALUE, Float.MAX_VALUE);
             Tensor y = backend.allocate(shape)) {
            backend.activationForward(Activation.SIGMOID, x, y);
            float[] v = y.toArray();
            assertEquals(0f, v[0]);
            assertEquals(1f, v[1]);
            assertEquals(0f, v[2]);
            assertEquals(1f, v[3]);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void mismatchedSizesAreRejectedNamingTheOp(Backend backend) {
        try (Tensor x = backend.allocate(Shape.of(3)); Tensor y = backend.allocate(Shape.of(4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.activationForward(Activation.TANH, x, y));
            assertTrue(e.getMessage().contains("activationForward(TANH)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> backend.activationBackward(Activation.RELU, x, x, x, y));
            assertTrue(e.getMessage().contains("activationBackward(RELU)"), e.getMessage());
        }
    }
}
