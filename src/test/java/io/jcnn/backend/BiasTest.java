package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bias add and bias gradient against direct sums. Shared backends: JUnit must not close them. */
class BiasTest {

    static Stream<Arguments> cases() {
        return TestBackends.all().stream().flatMap(b -> Stream.of(
                Arguments.of(b, Shape.nchw(1, 3, 5, 7)),
                Arguments.of(b, Shape.nchw(5, 4, 3, 3)),
                Arguments.of(b, Shape.nchw(2, 50, 8, 8)),
                Arguments.of(b, Shape.of(7, 11)),
                Arguments.of(b, Shape.of(1, 257))));
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("cases")
    void addAndGradientMatchDirectSums(Backend backend, Shape shape) {
        int c = shape.channels();
        int s = shape.spatialSize();
        float[] ys = TestData.uniform(11, shape.size());
        float[] bs = TestData.uniform(12, c);
        double[] expectedY = new double[ys.length];
        double[] expectedGradient = new double[c];
        for (int i = 0; i < ys.length; i++) {
            int channel = (i / s) % c;
            expectedY[i] = (double) ys[i] + bs[channel];
            expectedGradient[channel] += ys[i];
        }
        try (Tensor y = backend.tensor(shape, ys);
             Tensor bias = backend.tensor(Shape.of(c), bs);
             Tensor dbias = backend.allocate(Shape.of(c))) {
            backend.fill(dbias, Float.NaN);
            backend.biasGradient(y, dbias);
            TestData.assertClose("bias gradient", expectedGradient, dbias.toArray(), 1e-5, 1e-5);
            backend.biasAdd(y, bias);
            TestData.assertClose("bias add", expectedY, y.toArray(), 1e-6, 1e-6);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void handWorked(Backend backend) {
        try (Tensor y = backend.tensor(Shape.nchw(2, 2, 1, 2), 1, 2, 3, 4, 5, 6, 7, 8);
             Tensor bias = backend.tensor(Shape.of(2), 10, 20);
             Tensor dbias = backend.allocate(Shape.of(2))) {
            backend.biasGradient(y, dbias);
            assertArrayEquals(new float[] {1 + 2 + 5 + 6, 3 + 4 + 7 + 8}, dbias.toArray());
            backend.biasAdd(y, bias);
            assertArrayEquals(new float[] {11, 12, 23, 24, 15, 16, 27, 28}, y.toArray());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void gradientIsBitIdenticalAcrossRuns(Backend backend) {
        Shape shape = Shape.nchw(16, 20, 12, 12);
        try (Tensor dy = backend.tensor(shape, TestData.uniform(13, shape.size()));
             Tensor dbias = backend.allocate(Shape.of(20))) {
            backend.biasGradient(dy, dbias);
            float[] first = dbias.toArray();
            backend.biasGradient(dy, dbias);
            assertTrue(Arrays.equals(first, dbias.toArray()));
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void rejectsWrongBiasSize(Backend backend) {
        try (Tensor y = backend.allocate(Shape.nchw(2, 3, 4, 4));
             Tensor bias = backend.allocate(Shape.of(4));
             Tensor vector = backend.allocate(Shape.of(3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.biasAdd(y, bias));
            assertTrue(e.getMessage().contains("biasAdd") && e.getMessage().contains("must hold 3 elements, got 4"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> backend.biasGradient(y, bias));
            assertTrue(e.getMessage().contains("biasGradient") && e.getMessage().contains("must hold 3 elements, got 4"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> backend.biasAdd(vector, vector));
            assertTrue(e.getMessage().contains("biasAdd") && e.getMessage().contains("N×C or N×C×H×W, got 3"),
                    e.getMessage());
        }
    }
}
