package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cross-channel LRN against the double-precision oracle. Shared backends: JUnit must not close them. */
class LrnTest {

    static Stream<Arguments> cases() {
        return TestBackends.all().stream().flatMap(b -> Stream.of(
                Arguments.of(b, Shape.nchw(2, 7, 3, 5), LrnSpec.alexNet(), 1f),
                // Large inputs so the normalising term matters (AlexNet's alpha is tiny next to values near 1).
                Arguments.of(b, Shape.nchw(1, 9, 4, 4), new LrnSpec(5, 1e-4f, 0.75f, 2f), 30f),
                Arguments.of(b, Shape.nchw(3, 6, 2, 3), new LrnSpec(3, 0.5f, 0.6f, 1.5f), 2f),
                Arguments.of(b, Shape.nchw(2, 2, 3, 3), new LrnSpec(5, 1f, 1f, 1f), 1.5f),
                Arguments.of(b, Shape.nchw(4, 5, 1, 1), new LrnSpec(1, 2f, 0.75f, 1f), 1f),
                Arguments.of(b, Shape.nchw(1, 12, 5, 5), new LrnSpec(7, 0.3f, 0f, 1f), 1f)));
    }

    @ParameterizedTest(name = "{0} {1} {2}", autoCloseArguments = false)
    @MethodSource("cases")
    void forwardAndBackwardMatchTheReference(Backend backend, Shape shape, LrnSpec spec, float magnitude) {
        float[] xs = TestData.uniform(31, shape.size());
        for (int i = 0; i < xs.length; i++) {
            xs[i] *= magnitude;
        }
        float[] dys = TestData.uniform(32, shape.size());
        int n = shape.batch();
        int c = shape.channels();
        int s = shape.spatialSize();
        try (Tensor x = backend.tensor(shape, xs);
             Tensor y = backend.allocate(shape);
             Tensor dy = backend.tensor(shape, dys);
             Tensor dx = backend.allocate(shape)) {
            backend.fill(y, Float.NaN);
            backend.fill(dx, Float.NaN);
            backend.lrnForward(spec, x, y);
            backend.lrnBackward(spec, x, y, dy, dx);
            TestData.assertClose("LRN forward", LrnReference.forward(spec, n, c, s, TestData.toDouble(xs)),
                    y.toArray(), 1e-5, 1e-6);
            TestData.assertClose("LRN backward", LrnReference.backward(spec, n, c, s, TestData.toDouble(xs),
                    TestData.toDouble(dys)), dx.toArray(), 1e-4, 1e-5);
            float[] first = dx.toArray();
            backend.lrnBackward(spec, x, y, dy, dx);
            assertTrue(Arrays.equals(first, dx.toArray()), "backward differs between runs");
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void handWorkedSingleChannelWindow(Backend backend) {
        // size 1, alpha 3, beta 1, k 1: y = x / (1 + 3x²). x = 1 → 1/4; x = 2 → 2/13.
        LrnSpec spec = new LrnSpec(1, 3f, 1f, 1f);
        try (Tensor x = backend.tensor(Shape.nchw(1, 2, 1, 1), 1, 2);
             Tensor y = backend.allocate(Shape.nchw(1, 2, 1, 1));
             Tensor dy = backend.tensor(Shape.nchw(1, 2, 1, 1), 1, 1);
             Tensor dx = backend.allocate(Shape.nchw(1, 2, 1, 1))) {
            backend.lrnForward(spec, x, y);
            float[] ys = y.toArray();
            assertEquals(0.25f, ys[0], 1e-7f);
            assertEquals(2f / 13, ys[1], 1e-7f);
            // dy/dx = (1 − 3x²)/(1 + 3x²)²: x = 1 → −2/16; x = 2 → −11/169.
            backend.lrnBackward(spec, x, y, dy, dx);
            float[] dxs = dx.toArray();
            assertEquals(-0.125f, dxs[0], 1e-6f);
            assertEquals(-11f / 169, dxs[1], 1e-6f);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void rejectsBadInput(Backend backend) {
        try (Tensor x = backend.allocate(Shape.nchw(2, 3, 4, 4));
             Tensor flat = backend.allocate(Shape.of(2, 48));
             Tensor wrong = backend.allocate(Shape.nchw(2, 3, 4, 5))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.lrnForward(LrnSpec.alexNet(), flat, flat));
            assertTrue(e.getMessage().contains("lrnForward") && e.getMessage().contains("N×C×H×W, got 2×48"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> backend.lrnBackward(LrnSpec.alexNet(), x, x, x, wrong));
            assertTrue(e.getMessage().contains("lrnBackward") && e.getMessage().contains("2×3×4×4")
                    && e.getMessage().contains("got 2×3×4×5"), e.getMessage());
        }
        IllegalArgumentException even = assertThrows(IllegalArgumentException.class, () -> new LrnSpec(4, 1, 1, 1));
        assertTrue(even.getMessage().contains("positive odd number, got 4"), even.getMessage());
    }
}
