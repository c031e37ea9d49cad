package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolution contract: hand-worked values, the double-precision oracle on odd shapes, errors, determinism.
 * The backends are shared across tests, so JUnit must not close them as it does AutoCloseable arguments by default.
 */
class Conv2dTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-4;

    // 4×4 input 1..16 and an asymmetric 3×3 filter (1 top-left, 2 bottom-right), so a flipped kernel, a transposed
    // image or an off-by-one tap all give different numbers.
    private static final float[] RAMP = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    private static final float[] CORNERS = {1, 0, 0, 0, 0, 0, 0, 0, 2};

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void handWorked3x3AllPasses(Backend backend) {
        try (ConvPlan plan = backend.planConv2d(Shape.nchw(1, 1, 4, 4), Shape.nchw(1, 1, 3, 3), ConvSpec.defaults());
             Tensor x = backend.tensor(Shape.nchw(1, 1, 4, 4), RAMP);
             Tensor w = backend.tensor(Shape.nchw(1, 1, 3, 3), CORNERS);
             Tensor y = backend.allocate(Shape.nchw(1, 1, 2, 2));
             Tensor dy = backend.tensor(Shape.nchw(1, 1, 2, 2), 1, 1, 1, 1);
             Tensor dx = backend.allocate(Shape.nchw(1, 1, 4, 4));
             Tensor dw = backend.allocate(Shape.nchw(1, 1, 3, 3))) {
            backend.conv2dForward(plan, x, w, y);
            // y[p,q] = x[p,q] + 2·x[p+2,q+2]: 1+2·11, 2+2·12, 5+2·15, 6+2·16
            assertArrayEquals(new float[] {23, 26, 35, 38}, y.toArray());

            backend.conv2dBackwardData(plan, dy, w, dx);
            // Every output reads its top-left tap with weight 1 and its bottom-right tap with weight 2.
            assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 2, 2, 0, 0, 2, 2}, dx.toArray());

            backend.conv2dBackwardFilter(plan, x, dy, dw);
            // dw[r,s] = sum of the 2×2 block of x at (r,s).
            assertArrayEquals(new float[] {14, 18, 22, 30, 34, 38, 46, 50, 54}, dw.toArray());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void handWorked3x3WithStrideAndPadding(Backend backend) {
        try (ConvPlan plan = backend.planConv2d(Shape.nchw(1, 1, 4, 4), Shape.nchw(1, 1, 3, 3), ConvSpec.of(2, 1));
             Tensor x = backend.tensor(Shape.nchw(1, 1, 4, 4), RAMP);
             Tensor w = backend.tensor(Shape.nchw(1, 1, 3, 3), CORNERS);
             Tensor y = backend.allocate(Shape.nchw(1, 1, 2, 2))) {
            backend.conv2dForward(plan, x, w, y);
            // Windows start at (−1,−1), (−1,1), (1,−1), (1,1): y = x[2p−1,2q−1] + 2·x[2p+1,2q+1], padding 0.
            // 0+2·6, 0+2·8, 0+2·14, 6+2·16
            assertArrayEquals(new float[] {12, 16, 28, 38}, y.toArray());
        }
    }

    /** Odd shapes covering stride, padding, dilation, groups, batch 1 and batches above the thread count. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                // name, input, filter, spec
                Arguments.of("batch 1, pad 1", Shape.nchw(1, 3, 7, 9), Shape.nchw(4, 3, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("stride 2×3, pad 1×2, dilation 2×1, groups 2", Shape.nchw(5, 4, 11, 10),
                        Shape.nchw(6, 2, 3, 2), new ConvSpec(2, 3, 1, 2, 2, 1, 2)),
                Arguments.of("depthwise, stride 2", Shape.nchw(4, 6, 9, 9), Shape.nchw(6, 1, 3, 3),
                        new ConvSpec(2, 2, 1, 1, 1, 1, 6)),
                Arguments.of("depthwise ×2 multiplier, dilation 2, batch 2", Shape.nchw(2, 4, 9, 9),
                        Shape.nchw(8, 1, 5, 5), new ConvSpec(1, 1, 2, 2, 2, 2, 4)),
                Arguments.of("1×1, batch 7", Shape.nchw(7, 2, 5, 5), Shape.nchw(3, 2, 1, 1), ConvSpec.defaults()),
                Arguments.of("small outputs, batch 13", Shape.nchw(13, 3, 6, 6), Shape.nchw(5, 3, 3, 3),
                        ConvSpec.defaults()),
                Arguments.of("kernel fills padded input", Shape.nchw(2, 2, 4, 5), Shape.nchw(3, 2, 6, 7),
                        ConvSpec.of(1, 1)),
                Arguments.of("stride larger than kernel", Shape.nchw(3, 2, 10, 8), Shape.nchw(2, 2, 2, 2),
                        ConvSpec.of(3, 0)),
                Arguments.of("groups 3, rectangular kernel, batch 4", Shape.nchw(4, 6, 8, 13),
                        Shape.nchw(9, 2, 2, 5), new ConvSpec(1, 2, 0, 3, 3, 1, 3)));
    }

    static Stream<Arguments> backendsAndShapes() {
        return TestBackends.all().stream().flatMap(b -> shapes().map(a -> {
            Object[] s = a.get();
            return Arguments.of(b, s[0], s[1], s[2], s[3]);
        }));
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("backendsAndShapes")
    void allPassesMatchTheReference(Backend backend, String name, Shape input, Shape filter, ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of("test", input, filter, spec);
        float[] xs = TestData.uniform(1, input.size());
        float[] ws = TestData.uniform(2, filter.size());
        float[] dys = TestData.uniform(3, g.output().size());
        try (ConvPlan plan = backend.planConv2d(input, filter, spec);
             Tensor x = backend.tensor(input, xs);
             Tensor w = backend.tensor(filter, ws);
             Tensor y = backend.allocate(g.output());
             Tensor dy = backend.tensor(g.output(), dys);
             Tensor dx = backend.allocate(input);
             Tensor dw = backend.allocate(filter)) {
            // Outputs are overwritten, never accumulated into: start them all as NaN.
            backend.fill(y, Float.NaN);
            backend.fill(dx, Float.NaN);
            backend.fill(dw, Float.NaN);
            backend.conv2dForward(plan, x, w, y);
            backend.conv2dBackwardData(plan, dy, w, dx);
            backend.conv2dBackwardFilter(plan, x, dy, dw);
            TestData.assertClose(name + " forward", ConvReference.forward(g, TestData.toDouble(xs),
                    TestData.toDouble(ws)), y.toArray(), RTOL, ATOL);
            TestData.assertClose(name + " backward data", ConvReference.backwardData(g, TestData.toDouble(dys),
                    TestData.toDouble(ws)), dx.toArray(), RTOL, ATOL);
            TestData.assertClose(name + " backward filter", ConvReference.backwardFilter(g, TestData.toDouble(xs),
                    TestData.toDouble(dys)), dw.toArray(), RTOL, ATOL);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void lenetConv2ShapeMatchesTheReference(Backend backend) {
        // The skinny shape the CPU path batches several images per GEMM for.
        Shape input = Shape.nchw(9, 20, 12, 12);
        Shape filter = Shape.nchw(50, 20, 5, 5);
        ConvGeometry g = ConvGeometry.of("test", input, filter, ConvSpec.defaults());
        float[] xs = TestData.uniform(4, input.size());
        float[] ws = TestData.uniform(5, filter.size());
        float[] dys = TestData.uniform(6, g.output().size());
        float[][] results = runAllPasses(backend, g, xs, ws, dys);
        TestData.assertClose("forward", ConvReference.forward(g, TestData.toDouble(xs), TestData.toDouble(ws)),
                results[0], RTOL, 1e-3);
        TestData.assertClose("backward data", ConvReference.backwardData(g, TestData.toDouble(dys),
                TestData.toDouble(ws)), results[1], RTOL, 1e-3);
        TestData.assertClose("backward filter", ConvReference.backwardFilter(g, TestData.toDouble(xs),
                TestData.toDouble(dys)), results[2], RTOL, 1e-3);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void twoRunsGiveIdenticalBits(Backend backend) {
        Shape input = Shape.nchw(8, 4, 10, 10);
        Shape filter = Shape.nchw(6, 2, 3, 3);
        ConvGeometry g = ConvGeometry.of("test", input, filter, ConvSpec.of(1, 1).withGroups(2));
        float[] xs = TestData.uniform(7, input.size());
        float[] ws = TestData.uniform(8, filter.size());
        float[] dys = TestData.uniform(9, g.output().size());
        float[][] first = runAllPasses(backend, g, xs, ws, dys);
        float[][] second = runAllPasses(backend, g, xs, ws, dys);
        for (int pass = 0; pass < 3; pass++) {
            assertTrue(Arrays.equals(first[pass], second[pass]), "pass " + pass + " differs between runs");
        }
    }

    /** The fused op gives what forward then biasAdd give, bit for bit, on each CPU forward algorithm's shapes. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void forwardWithBiasEqualsForwardThenBiasAdd(Backend backend) {
        Object[][] cases = {
            {Shape.nchw(20, 20, 12, 12), Shape.nchw(50, 20, 5, 5), ConvSpec.defaults()},
            {Shape.nchw(3, 1, 28, 28), Shape.nchw(20, 1, 5, 5), ConvSpec.defaults()},
            {Shape.nchw(3, 4, 9, 9), Shape.nchw(6, 2, 3, 3), ConvSpec.of(2, 1).withGroups(2)},
        };
        for (Object[] c : cases) {
            ConvGeometry g = ConvGeometry.of("test", (Shape) c[0], (Shape) c[1], (ConvSpec) c[2]);
            Shape biasShape = Shape.of(g.outChannels());
            try (ConvPlan plan = backend.planConv2d(g.input(), g.filter(), g.spec());
                 Tensor x = backend.tensor(g.input(), TestData.uniform(31, g.input().size()));
                 Tensor w = backend.tensor(g.filter(), TestData.uniform(32, g.filter().size()));
                 Tensor bias = backend.tensor(biasShape, TestData.uniform(33, biasShape.size()));
                 Tensor separate = backend.allocate(g.output());
                 Tensor fused = backend.allocate(g.output())) {
                backend.conv2dForward(plan, x, w, separate);
                backend.biasAdd(separate, bias);
                backend.conv2dForwardBias(plan, x, w, bias, fused);
                assertArrayEquals(separate.toArray(), fused.toArray(), plan.toString());
            }
        }
    }

    private static float[][] runAllPasses(Backend backend, ConvGeometry g, float[] xs, float[] ws, float[] dys) {
        try (ConvPlan plan = backend.planConv2d(g.input(), g.filter(), g.spec());
             Tensor x = backend.tensor(g.input(), xs);
             Tensor w = backend.tensor(g.filter(), ws);
             Tensor y = backend.allocate(g.output());
             Tensor dy = backend.tensor(g.output(), dys);
             Tensor dx = backend.allocate(g.input());
             Tensor dw = backend.allocate(g.filter())) {
            backend.conv2dForward(plan, x, w, y);
            backend.conv2dBackwardData(plan, dy, w, dx);
            backend.conv2dBackwardFilter(plan, x, dy, dw);
            return new float[][] {y.toArray(), dx.toArray(), dw.toArray()};
        }
    }

    // ---- bad input ----

    private static void assertMessage(IllegalArgumentException e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message \"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void planRejectsFilterChannelMismatch(Backend backend) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.planConv2d(Shape.nchw(2, 3, 8, 8), Shape.nchw(4, 2, 3, 3), ConvSpec.defaults()));
        assertMessage(e, "planConv2d", "4×2×3×3", "2×3×8×8", "expects 2 input channels", "has 3");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void planRejectsKernelLargerThanPaddedInput(Backend backend) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.planConv2d(Shape.nchw(1, 1, 4, 4), Shape.nchw(1, 1, 5, 3), ConvSpec.defaults()));
        assertMessage(e, "planConv2d", "kernel 5×3", "larger than the padded input 4×4");
        // Dilation counts: a 3×3 kernel dilated by 2 spans 5×5.
        IllegalArgumentException dilated = assertThrows(IllegalArgumentException.class,
                () -> backend.planConv2d(Shape.nchw(1, 1, 4, 4), Shape.nchw(1, 1, 3, 3),
                        ConvSpec.defaults().withDilation(2)));
        assertMessage(dilated, "planConv2d", "dilated 5×5", "padded input 4×4");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void planRejectsGroupsThatDoNotDivideChannels(Backend backend) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.planConv2d(Shape.nchw(1, 3, 8, 8), Shape.nchw(4, 1, 3, 3),
                        ConvSpec.defaults().withGroups(2)));
        assertMessage(e, "planConv2d", "groups=2", "input channels 3", "output channels 4");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void opsRejectWrongShapes(Backend backend) {
        Shape input = Shape.nchw(2, 3, 8, 8);
        Shape filter = Shape.nchw(4, 3, 3, 3);
        try (ConvPlan plan = backend.planConv2d(input, filter, ConvSpec.defaults());
             Tensor x = backend.allocate(input);
             Tensor wrongX = backend.allocate(Shape.nchw(2, 3, 8, 9));
             Tensor w = backend.allocate(filter);
             Tensor wrongW = backend.allocate(Shape.nchw(4, 3, 5, 5));
             Tensor y = backend.allocate(Shape.nchw(2, 4, 6, 6));
             Tensor wrongY = backend.allocate(Shape.nchw(2, 4, 6, 7))) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> backend.conv2dForward(plan, wrongX, w, y)),
                    "conv2dForward", "input x must be 2×3×8×8, got 2×3×8×9");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> backend.conv2dForward(plan, x, wrongW, y)),
                    "conv2dForward", "filter w must be 4×3×3×3, got 4×3×5×5");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> backend.conv2dForward(plan, x, w, wrongY)),
                    "conv2dForward", "output y must be 2×4×6×6, got 2×4×6×7");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.conv2dBackwardData(plan, wrongY, w, x)),
                    "conv2dBackwardData", "output gradient dy must be 2×4×6×6, got 2×4×6×7");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.conv2dBackwardData(plan, y, w, wrongX)),
                    "conv2dBackwardData", "input gradient dx must be 2×3×8×8, got 2×3×8×9");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.conv2dBackwardFilter(plan, x, y, wrongW)),
                    "conv2dBackwardFilter", "filter gradient dw must be 4×3×3×3, got 4×3×5×5");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.conv2dBackwardFilter(plan, x, wrongY, w)),
                    "conv2dBackwardFilter", "output gradient dy must be 2×4×6×6, got 2×4×6×7");
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void opsRejectForeignPlansAndTensors(Backend backend) {
        Shape input = Shape.nchw(1, 1, 5, 5);
        Shape filter = Shape.nchw(1, 1, 3, 3);
        try (CpuBackend other = new CpuBackend(1);
             ConvPlan foreignPlan = other.planConv2d(input, filter, ConvSpec.defaults());
             ConvPlan plan = backend.planConv2d(input, filter, ConvSpec.defaults());
             Tensor x = backend.allocate(input);
             Tensor foreignX = other.allocate(input);
             Tensor w = backend.allocate(filter);
             Tensor y = backend.allocate(Shape.nchw(1, 1, 3, 3))) {
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.conv2dForward(foreignPlan, x, w, y)), "conv2dForward", "plan was made by");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.conv2dBackwardFilter(null, x, y, w)), "conv2dBackwardFilter", "plan is null");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> backend.conv2dForward(plan, foreignX, w, y)), "conv2dForward", "1×1×5×5", "is on");
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void forwardRejectsOutputAliasingInput(Backend backend) {
        Shape input = Shape.nchw(1, 1, 3, 3);
        try (ConvPlan plan = backend.planConv2d(input, Shape.nchw(1, 1, 1, 1), ConvSpec.defaults());
             Tensor x = backend.allocate(input);
             Tensor w = backend.allocate(Shape.nchw(1, 1, 1, 1))) {
            Tensor view = x.reshape(input);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> backend.conv2dForward(plan, x, w, view)),
                    "conv2dForward", "must not share storage");
        }
    }
}
