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

/** axpy, scale and sumOfSquares against the double-precision reference, at sizes around chunk edges. */
class ElementwiseOpsTest {

    static Stream<Arguments> backendsAndSizes() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : TestBackends.all()) {
            for (int size : new int[] {1, 255, 256, 257, 1_000_003}) {
                cases.add(Arguments.of(backend, size));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} size {1}", autoCloseArguments = false)
    @MethodSource("backendsAndSizes")
    void axpy(Backend backend, int size) {
        float alpha = -0.75f;
        float[] x = TestData.uniform(61, size);
        float[] y = TestData.uniform(62, size);
        double[] expected = new double[size];
        for (int i = 0; i < size; i++) {
            expected[i] = y[i] + (double) alpha * x[i];
        }
        try (Tensor tx = backend.tensor(Shape.of(size), x); Tensor ty = backend.tensor(Shape.of(size), y)) {
            backend.axpy(alpha, tx, ty);
            TestData.assertClose("axpy", expected, ty.toArray(), 1e-6, 1e-7);
        }
    }

    @ParameterizedTest(name = "{0} size {1}", autoCloseArguments = false)
    @MethodSource("backendsAndSizes")
    void scale(Backend backend, int size) {
        float alpha = 3.5f;
        float[] x = TestData.uniform(63, size);
        double[] expected = new double[size];
        for (int i = 0; i < size; i++) {
            expected[i] = (double) alpha * x[i];
        }
        try (Tensor tx = backend.tensor(Shape.of(size), x)) {
            backend.scale(tx, alpha);
            TestData.assertClose("scale", expected, tx.toArray(), 1e-7, 0);
        }
    }

    @ParameterizedTest(name = "{0} size {1}", autoCloseArguments = false)
    @MethodSource("backendsAndSizes")
    void sumOfSquaresIsAccurateAndReproducible(Backend backend, int size) {
        float[] x = TestData.uniform(64, size);
        try (Tensor tx = backend.tensor(Shape.of(size), x)) {
            double expected = PointwiseReference.sumOfSquares(x);
            double actual = backend.sumOfSquares(tx);
            // float² is exact in double, so only the order of additions differs from the reference.
            assertEquals(expected, actual, 1e-12 * expected);
            assertEquals(actual, backend.sumOfSquares(tx), 0.0, "a second call must give the same bits");
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void badArgumentsAreRejectedNamingTheOp(Backend backend) {
        try (Tensor x = backend.allocate(Shape.of(3)); Tensor y = backend.allocate(Shape.of(4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.axpy(1f, x, y));
            assertTrue(e.getMessage().contains("axpy"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> backend.axpy(Float.NaN, x, x));
            assertTrue(e.getMessage().contains("axpy") && e.getMessage().contains("alpha"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> backend.scale(x, Float.POSITIVE_INFINITY));
            assertTrue(e.getMessage().contains("scale"), e.getMessage());
        }
    }
}
