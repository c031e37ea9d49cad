package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pooling contract: hand-worked 4×4 cases, the oracle on odd shapes, errors. Shared backends stay open. */
class Pool2dTest {
    // Ties on purpose: the top-right window has 5 twice, the bottom-right window is all 2s.
    private static final float[] X = {
        1, 2, 5, 0,
        3, 4, 5, 1,
        9, 0, 2, 2,
        0, -1, 2, 2};

    private static float[][] forwardAndBackward(Backend backend, PoolSpec spec, float[] xs, float[] dys) {
        Shape input = Shape.nchw(1, 1, 4, 4);
        try (PoolPlan plan = backend.planPool2d(input, spec);
             Tensor x = backend.tensor(input, xs);
             Tensor y = backend.allocate(plan.geometry().output());
             Tensor dy = backend.tensor(plan.geometry().output(), dys);
             Tensor dx = backend.allocate(input)) {
            backend.fill(dx, Float.NaN);
            backend.pool2dForward(plan, x, y);
            backend.pool2dBackward(plan, x, y, dy, dx);
            return new float[][] {y.toArray(), dx.toArray()};
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void max2x2Stride2RoutesToTheFirstMaximum(Backend backend) {
        float[][] r = forwardAndBackward(backend, PoolSpec.of(PoolMode.MAX, 2, 2), X, new float[] {1, 2, 3, 4});
        assertArrayEquals(new float[] {4, 5, 9, 2}, r[0]);
        assertArrayEquals(new float[] {
            0, 0, 2, 0,
            0, 1, 0, 0,
            3, 0, 4, 0,
            0, 0, 0, 0}, r[1]);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void average2x2Stride2(Backend backend) {
        float[][] r = forwardAndBackward(backend, PoolSpec.of(PoolMode.AVERAGE, 2, 2), X, new float[] {4, 8, 12, 16});
        // (1+2+3+4)/4, (5+0+5+1)/4, (9+0+0−1)/4, (2+2+2+2)/4
        assertArrayEquals(new float[] {2.5f, 2.75f, 2, 2}, r[0]);
        assertArrayEquals(new float[] {
            1, 1, 2, 2,
            1, 1, 2, 2,
            3, 3, 4, 4,
            3, 3, 4, 4}, r[1]);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void averageWithPaddingDividesByTheFullKernel(Backend backend) {
        float[] ones = new float[9];
        Arrays.fill(ones, 4);
        float[][] r = forwardAndBackward(backend, PoolSpec.of(PoolMode.AVERAGE, 2, 2, 1), X, ones);
        // 3×3 windows starting at −1, 1, 3; each divided by 4 whatever part lies in the padding.
        assertArrayEquals(new float[] {
            1 / 4f, (2 + 5) / 4f, 0 / 4f,
            (3 + 9) / 4f, (4 + 5 + 0 + 2) / 4f, (1 + 2) / 4f,
            0 / 4f, (-1 + 2) / 4f, 2 / 4f}, r[0]);
        // Windows do not overlap: each real input cell gets dy/4 = 1 once.
        float[] expectedDx = new float[16];
        Arrays.fill(expectedDx, 1);
        assertArrayEquals(expectedDx, r[1]);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void maxWithPaddingNeverPicksThePadding(Backend backend) {
        float[] negative = new float[16];
        for (int i = 0; i < 16; i++) {
            negative[i] = X[i] - 10;
        }
        float[][] r = forwardAndBackward(backend, PoolSpec.of(PoolMode.MAX, 2, 2, 1), negative,
                new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        // Every value is negative, so a zero from the padding would win if padding took part.
        assertArrayEquals(new float[] {-9, -5, -10, -1, -5, -8, -10, -8, -8}, r[0]);
        assertArrayEquals(new float[] {
            1, 0, 2, 3,
            0, 0, 5, 0,
            4, 0, 0, 6,
            7, 0, 8, 9}, r[1]);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void tiedMaximumSendsTheGradientToTheFirstInRowMajorOrder(Backend backend) {
        float[] tied = {
            3, 3, 1, 7,
            3, 3, 7, 7,
            0, 5, 2, 2,
            5, 5, 2, 2};
        float[][] r = forwardAndBackward(backend, PoolSpec.of(PoolMode.MAX, 2, 2), tied, new float[] {1, 2, 3, 4});
        assertArrayEquals(new float[] {3, 7, 5, 2}, r[0]);
        assertArrayEquals(new float[] {
            1, 0, 0, 2,
            0, 0, 0, 0,
            0, 3, 4, 0,
            0, 0, 0, 0}, r[1]);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void infiniteMaximaRouteTheGradientLikeFiniteOnes(Backend backend) {
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {
            1, inf, -inf, -inf,
            inf, 2, -inf, -inf,
            0, 0, 5, 1,
            -0f, 0, 1, 5};
        float[][] r = forwardAndBackward(backend, PoolSpec.of(PoolMode.MAX, 2, 2), x, new float[] {1, 2, 3, 4});
        assertArrayEquals(new float[] {inf, -inf, 0, 5}, r[0]);
        assertArrayEquals(new float[] {
            0, 1, 2, 0,
            0, 0, 0, 0,
            3, 0, 4, 0,
            0, 0, 0, 0}, r[1]);
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("LeNet 2×2/2", Shape.nchw(5, 3, 8, 8), PoolSpec.of(PoolMode.MAX, 2, 2)),
                Arguments.of("AlexNet overlapping 3×3/2", Shape.nchw(2, 4, 13, 13), PoolSpec.of(PoolMode.MAX, 3, 2)),
                Arguments.of("odd size, pad", Shape.nchw(1, 2, 7, 9), new PoolSpec(PoolMode.MAX, 3, 2, 2, 3, 1, 1)),
                Arguments.of("avg overlapping, pad", Shape.nchw(3, 3, 11, 10),
                        new PoolSpec(PoolMode.AVERAGE, 3, 3, 2, 1, 1, 2)),
                Arguments.of("avg 1×1", Shape.nchw(4, 2, 3, 3), PoolSpec.of(PoolMode.AVERAGE, 1, 1)),
                Arguments.of("avg global", Shape.nchw(7, 5, 6, 6), PoolSpec.of(PoolMode.AVERAGE, 6, 1)),
                Arguments.of("max stride beyond kernel", Shape.nchw(2, 2, 10, 10), PoolSpec.of(PoolMode.MAX, 2, 3)),
                Arguments.of("tiling 2×2/2, odd size (last row and column uncovered)", Shape.nchw(3, 2, 7, 9),
                        PoolSpec.of(PoolMode.MAX, 2, 2)),
                Arguments.of("tiling avg 2×2/2, odd size", Shape.nchw(3, 2, 9, 7), PoolSpec.of(PoolMode.AVERAGE, 2, 2)),
                Arguments.of("tiling 3×3/3 with remainder", Shape.nchw(2, 3, 11, 10), PoolSpec.of(PoolMode.MAX, 3, 3)),
                Arguments.of("tiling avg 3×2/3×2", Shape.nchw(2, 2, 9, 8),
                        new PoolSpec(PoolMode.AVERAGE, 3, 2, 3, 2, 0, 0)));
    }

    static Stream<Arguments> backendsAndShapes() {
        return withBackends(Pool2dTest::shapes);
    }

    /** Every backend with every case: (backend, name, input, spec). */
    private static Stream<Arguments> withBackends(Supplier<Stream<Arguments>> cases) {
        return TestBackends.all().stream().flatMap(b -> cases.get().map(a -> {
            Object[] s = a.get();
            return Arguments.of(b, s[0], s[1], s[2]);
        }));
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("backendsAndShapes")
    void matchesTheReference(Backend backend, String name, Shape input, PoolSpec spec) {
        PoolGeometry g = PoolGeometry.of("test", input, spec);
        float[] xs = TestData.uniform(21, input.size());
        float[] dys = TestData.uniform(22, g.output().size());
        try (PoolPlan plan = backend.planPool2d(input, spec);
             Tensor x = backend.tensor(input, xs);
             Tensor y = backend.allocate(g.output());
             Tensor dy = backend.tensor(g.output(), dys);
             Tensor dx = backend.allocate(input)) {
            backend.fill(y, Float.NaN);
            backend.fill(dx, Float.NaN);
            backend.pool2dForward(plan, x, y);
            backend.pool2dBackward(plan, x, y, dy, dx);
            TestData.assertClose(name + " forward", PoolReference.forward(g, TestData.toDouble(xs)), y.toArray(),
                    1e-6, 1e-6);
            TestData.assertClose(name + " backward", PoolReference.backward(g, TestData.toDouble(xs),
                    TestData.toDouble(dys)), dx.toArray(), 1e-5, 1e-6);
            float[] first = dx.toArray();
            backend.pool2dBackward(plan, x, y, dy, dx);
            assertTrue(Arrays.equals(first, dx.toArray()), "backward differs between runs");
        }
    }

    static Stream<Arguments> reluShapes() {
        return Stream.concat(shapes(), Stream.of(
                // AlexNet-32's pool1 (32 windows of 2 rows a row: the vector row path at either width), pool2 and
                // pool5 (at 512 bits, two input rows fill one vector), more planes than one masked block.
                Arguments.of("AlexNet-32 pool1", Shape.nchw(3, 8, 32, 32), PoolSpec.of(PoolMode.MAX, 2, 2)),
                Arguments.of("AlexNet-32 pool2", Shape.nchw(2, 5, 16, 16), PoolSpec.of(PoolMode.MAX, 2, 2)),
                Arguments.of("AlexNet-32 pool5", Shape.nchw(3, 7, 8, 8), PoolSpec.of(PoolMode.MAX, 2, 2))));
    }

    static Stream<Arguments> backendsAndReluShapes() {
        return withBackends(Pool2dTest::reluShapes);
    }

    /**
     * The fused backward through pooling and a ReLU has the bits of the two ops in turn: on a ReLU's output (zeros
     * everywhere, ties of zeros across whole windows), on raw data with negative maxima, and with infinities and NaN.
     */
    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("backendsAndReluShapes")
    void reluBackwardIsPoolBackwardThenRelu(Backend backend, String name, Shape input, PoolSpec spec) {
        PoolGeometry g = PoolGeometry.of("test", input, spec);
        float[] raw = TestData.uniform(31, input.size());
        float[] relu = new float[raw.length];
        float[] special = raw.clone();
        for (int i = 0; i < raw.length; i++) {
            relu[i] = Math.max(0f, raw[i] - 0.3f); // most windows positive, some all zero
        }
        float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f};
        for (int i = 0; i < special.length; i += 7) {
            special[i] = odd[(i / 7) % odd.length];
        }
        float[] dys = TestData.uniform(32, g.output().size());
        for (float[] xs : new float[][] {relu, raw, special}) {
            try (PoolPlan plan = backend.planPool2d(input, spec);
                 Tensor x = backend.tensor(input, xs);
                 Tensor y = backend.allocate(g.output());
                 Tensor dy = backend.tensor(g.output(), dys);
                 Tensor separate = backend.allocate(input);
                 Tensor masked = backend.allocate(input);
                 Tensor fused = backend.allocate(input)) {
                backend.pool2dForward(plan, x, y);
                backend.pool2dBackward(plan, x, y, dy, separate);
                backend.activationBackward(Activation.RELU, x, x, separate, masked);
                backend.fill(fused, Float.NaN);
                backend.pool2dReluBackward(plan, x, y, dy, fused);
                float[] expected = masked.toArray();
                float[] actual = fused.toArray();
                for (int i = 0; i < expected.length; i++) {
                    if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                        throw new AssertionError(name + ": element " + i + " is " + actual[i] + ", expected "
                                + expected[i] + " (x = " + xs[i] + ")");
                    }
                }
            }
        }
    }

    private static void assertMessage(IllegalArgumentException e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message \"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void rejectsBadInput(Backend backend) {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> backend.planPool2d(Shape.nchw(1, 1, 3, 3), PoolSpec.of(PoolMode.MAX, 4, 1))),
                "planPool2d", "kernel 4×4", "larger than the padded input 3×3");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> backend.planPool2d(Shape.of(2, 8), PoolSpec.of(PoolMode.MAX, 2, 2))),
                "planPool2d", "N×C×H×W", "2×8");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> PoolSpec.of(PoolMode.MAX, 2, 2, 2)),
                "padding must be in [0, kernel)");
        Shape input = Shape.nchw(2, 3, 4, 4);
        try (CpuBackend other = new CpuBackend(1);
             PoolPlan foreign = other.planPool2d(input, PoolSpec.of(PoolMode.MAX, 2, 2));
             PoolPlan plan = backend.planPool2d(input, PoolSpec.of(PoolMode.MAX, 2, 2));
             Tensor x = backend.allocate(input);
             Tensor y = backend.allocate(Shape.nchw(2, 3, 2, 2));
             Tensor wrongY = backend.allocate(Shape.nchw(2, 3, 2, 3))) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> backend.pool2dForward(plan, x, wrongY)),
                    "pool2dForward", "output y must be 2×3×2×2, got 2×3×2×3");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.pool2dBackward(plan, x, y, wrongY, x)),
                    "pool2dBackward", "output gradient dy must be 2×3×2×2, got 2×3×2×3");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> backend.pool2dForward(foreign, x, y)),
                    "pool2dForward", "plan was made by");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.pool2dReluBackward(plan, x, y, wrongY, x)),
                    "pool2dReluBackward", "output gradient dy must be 2×3×2×2, got 2×3×2×3");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.pool2dReluBackward(plan, x, y, y, x)), "pool2dReluBackward", "x", "dx");
        }
    }
}
