package io.jcnn.backend;

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

/** softmaxForward/softmaxBackward (plain and log) against the double-precision reference, on every backend. */
class SoftmaxOpsTest {
    private static final List<Shape> SHAPES = List.of(
            Shape.of(1, 1), Shape.of(5, 10), Shape.of(3, 1000), Shape.of(4000, 10),
            Shape.nchw(2, 3, 4, 5), Shape.nchw(7, 16, 8, 8), Shape.nchw(1, 1, 1, 1));

    static Stream<Arguments> backendsShapesAndModes() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : TestBackends.all()) {
            for (Shape shape : SHAPES) {
                cases.add(Arguments.of(backend, shape, false));
                cases.add(Arguments.of(backend, shape, true));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void handWorkedCase(Backend backend) {
        // e^1, e^2, e^3 = 2.718281828, 7.389056099, 20.08553692; their sum is 30.19287485.
        double[] softmax = {0.0900305732, 0.2447284711, 0.6652409558};
        double[] logSoftmax = {-2.4076059645, -1.4076059645, -0.4076059645};
        Shape shape = Shape.of(2, 3);
        // The second row is the first shifted by 1000: the result must not change (no overflow).
        try (Tensor x = backend.tensor(shape, 1f, 2f, 3f, 1001f, 1002f, 1003f); Tensor y = backend.allocate(shape)) {
            backend.softmaxForward(x, y, false);
            TestData.assertClose("softmax [1,2,3]", twice(softmax), y.toArray(), 1e-6, 1e-7);
            backend.softmaxForward(x, y, true);
            TestData.assertClose("log-softmax [1,2,3]", twice(logSoftmax), y.toArray(), 1e-6, 1e-6);
        }
    }

    private static double[] twice(double[] row) {
        double[] both = new double[row.length * 2];
        System.arraycopy(row, 0, both, 0, row.length);
        System.arraycopy(row, 0, both, row.length, row.length);
        return both;
    }

    /** Logits spread over [-20, 20) so that exponentials span many orders of magnitude. */
    private static float[] logits(long seed, int size) {
        float[] x = TestData.uniform(seed, size);
        for (int i = 0; i < size; i++) {
            x[i] *= 20;
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1} log={2}", autoCloseArguments = false)
    @MethodSource("backendsShapesAndModes")
    void forwardMatchesReference(Backend backend, Shape shape, boolean log) {
        float[] x = logits(21, shape.size());
        try (Tensor tx = backend.tensor(shape, x); Tensor ty = backend.allocate(shape)) {
            backend.softmaxForward(tx, ty, log);
            TestData.assertClose((log ? "log-softmax " : "softmax ") + shape,
                    PointwiseReference.softmax(x, shape.batch(), log), ty.toArray(), 1e-5, log ? 1e-5 : 1e-9);
        }
    }

    /** Builds each row's full Jacobian by hand and checks backward equals Jᵀ·dy. */
    @ParameterizedTest(name = "{0} {1} log={2}", autoCloseArguments = false)
    @MethodSource("backendsShapesAndModes")
    void backwardIsJacobianTransposeTimesDy(Backend backend, Shape shape, boolean log) {
        if (shape.sampleSize() > 1000) {
            return; // the explicit F×F Jacobian would be too large to build here
        }
        float[] x = logits(22, shape.size());
        float[] dy = TestData.uniform(23, shape.size());
        int batch = shape.batch();
        int features = shape.sampleSize();
        double[] p = PointwiseReference.softmax(x, batch, false);
        double[] expected = new double[shape.size()];
        for (int n = 0; n < batch; n++) {
            double[] row = new double[features];
            double[] dyRow = new double[features];
            for (int i = 0; i < features; i++) {
                row[i] = p[n * features + i];
                dyRow[i] = dy[n * features + i];
            }
            double[][] jacobian = log ? logSoftmaxJacobian(row) : PointwiseReference.softmaxJacobian(row);
            double[] dx = PointwiseReference.transposeTimes(jacobian, dyRow);
            System.arraycopy(dx, 0, expected, n * features, features);
        }
        try (Tensor tx = backend.tensor(shape, x); Tensor ty = backend.allocate(shape);
             Tensor tdy = backend.tensor(shape, dy); Tensor tdx = backend.allocate(shape)) {
            backend.softmaxForward(tx, ty, log);
            backend.softmaxBackward(ty, tdy, tdx, log);
            TestData.assertClose((log ? "log-softmax" : "softmax") + " backward " + shape, expected, tdx.toArray(),
                    1e-4, 1e-6);
        }
    }

    /** ∂ log p_i / ∂x_j = δ_ij − p_j. */
    private static double[][] logSoftmaxJacobian(double[] p) {
        int f = p.length;
        double[][] j = new double[f][f];
        for (int r = 0; r < f; r++) {
            for (int c = 0; c < f; c++) {
                j[r][c] = (r == c ? 1 : 0) - p[c];
            }
        }
        return j;
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void mismatchedShapesAreRejectedNamingTheOp(Backend backend) {
        try (Tensor x = backend.allocate(Shape.of(2, 3)); Tensor y = backend.allocate(Shape.of(3, 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.softmaxForward(x, y, false));
            assertTrue(e.getMessage().contains("softmaxForward"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> backend.softmaxBackward(x, x, y, true));
            assertTrue(e.getMessage().contains("softmaxBackward"), e.getMessage());
        }
    }
}
