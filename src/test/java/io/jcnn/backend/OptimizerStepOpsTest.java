package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** sgdStep and adamStep against updates worked out by hand, then against a double loop over many elements. */
class OptimizerStepOpsTest {
    private static final Shape ONE = Shape.of(1);

    /** Runs sgdStep on a single element with a gradient of 0.5 and returns the parameter after each step. */
    private static float[] sgdTrajectory(Backend backend, int steps, float lr, float momentum, float decay,
                                         boolean nesterov) {
        float[] out = new float[steps];
        try (Tensor p = backend.tensor(ONE, 1f); Tensor g = backend.tensor(ONE, 0.5f);
             Tensor v = backend.allocate(ONE)) {
            for (int s = 0; s < steps; s++) {
                backend.sgdStep(p, g, v, lr, momentum, decay, nesterov);
                out[s] = p.toArray()[0];
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void sgdByHand(Backend backend) {
        // Plain, lr 0.1: p = 1 − 0.05 = 0.95, then 0.90, then 0.85.
        float[] plain = sgdTrajectory(backend, 3, 0.1f, 0f, 0f, false);
        assertEquals(0.95f, plain[0], 1e-6f);
        assertEquals(0.90f, plain[1], 1e-6f);
        assertEquals(0.85f, plain[2], 1e-6f);

        // Momentum 0.9: v = 0.5, p = 0.95; v = 0.45 + 0.5 = 0.95, p = 0.855; v = 0.855 + 0.5 = 1.355, p = 0.7195.
        float[] momentum = sgdTrajectory(backend, 3, 0.1f, 0.9f, 0f, false);
        assertEquals(0.95f, momentum[0], 1e-6f);
        assertEquals(0.855f, momentum[1], 1e-6f);
        assertEquals(0.7195f, momentum[2], 1e-6f);

        // Nesterov: v = 0.5, p −= 0.1·(0.5 + 0.45) → 0.905; v = 0.95, p −= 0.1·(0.5 + 0.855) → 0.7695.
        float[] nesterov = sgdTrajectory(backend, 2, 0.1f, 0.9f, 0f, true);
        assertEquals(0.905f, nesterov[0], 1e-6f);
        assertEquals(0.7695f, nesterov[1], 1e-6f);

        // Weight decay 0.01: g = 0.5 + 0.01 = 0.51, p = 0.949; g = 0.5 + 0.00949 = 0.50949, p = 0.898051.
        float[] decayed = sgdTrajectory(backend, 2, 0.1f, 0f, 0.01f, false);
        assertEquals(0.949f, decayed[0], 1e-6f);
        assertEquals(0.898051f, decayed[1], 1e-6f);
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void sgdWithZeroMomentumStillWritesVelocity(Backend backend) {
        try (Tensor p = backend.tensor(ONE, 1f); Tensor g = backend.tensor(ONE, 0.5f);
             Tensor v = backend.tensor(ONE, 123f)) {
            backend.sgdStep(p, g, v, 0.1f, 0f, 0f, false);
            assertEquals(0.5f, v.toArray()[0]);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void adamByHandWithBiasCorrection(Backend backend) {
        float lr = 0.01f;
        try (Tensor p = backend.tensor(ONE, 1f); Tensor g = backend.tensor(ONE, 0.5f);
             Tensor m = backend.allocate(ONE); Tensor v = backend.allocate(ONE)) {
            // Step 1, g = 0.5: m = 0.05, v = 0.00025; m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25;
            // p −= 0.01·0.5/(0.5 + 1e-8) → 1 − 0.01·(1 − 2e-8) = 0.99.
            // The float constants are not exact (1 − 0.999f = 0.00099998713), hence the tolerances on m and v;
            // the bias corrections use the same float betas, so the parameter update is exact to float precision.
            backend.adamStep(p, g, m, v, lr, 0.9f, 0.999f, 1e-8f, 0f, 1);
            assertEquals(0.05f, m.toArray()[0], 1e-7f);
            assertEquals(0.00025f, v.toArray()[0], 1e-8f);
            assertEquals(0.99f, p.toArray()[0], 1e-7f);

            // Step 2, g = −0.25: m = 0.045 − 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225;
            // m̂ = 0.02/0.19 = 0.105263158, v̂ = 0.00031225/0.001999 = 0.156203102, √v̂ = 0.395225382;
            // p −= 0.01·0.105263158/0.395225382 = 0.002663372 → 0.987336628.
            backend.upload(new float[] {-0.25f}, g);
            backend.adamStep(p, g, m, v, lr, 0.9f, 0.999f, 1e-8f, 0f, 2);
            assertEquals(0.02f, m.toArray()[0], 1e-7f);
            assertEquals(0.00031225f, v.toArray()[0], 1e-8f);
            assertEquals(0.987336628f, p.toArray()[0], 1e-6f);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void adamWeightDecayIsFoldedIntoTheGradient(Backend backend) {
        // g = 0.5 + 0.1·1 = 0.6; at step 1 m̂ = g and √v̂ = |g|, so the step is lr·sign(g) = 0.01.
        try (Tensor p = backend.tensor(ONE, 1f); Tensor g = backend.tensor(ONE, 0.5f);
             Tensor m = backend.allocate(ONE); Tensor v = backend.allocate(ONE)) {
            backend.adamStep(p, g, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 1);
            assertEquals(0.06f, m.toArray()[0], 1e-7f);
            assertEquals(0.99f, p.toArray()[0], 1e-7f);
        }
    }

    static Stream<Arguments> backendsAndSizes() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : TestBackends.all()) {
            for (int size : new int[] {1, 257, 100_003}) {
                cases.add(Arguments.of(backend, size));
            }
        }
        return cases.stream();
    }

    /** Three SGD steps with a new gradient each time, against the contract's formula evaluated in double. */
    @ParameterizedTest(name = "{0} size {1}", autoCloseArguments = false)
    @MethodSource("backendsAndSizes")
    void sgdMatchesFormulaOverManyElements(Backend backend, int size) {
        for (boolean nesterov : new boolean[] {false, true}) {
            float lr = 0.05f;
            float momentum = 0.8f;
            float decay = 0.001f;
            double[] p = TestData.toDouble(TestData.uniform(71, size));
            double[] vel = new double[size];
            try (Tensor tp = backend.tensor(Shape.of(size), TestData.uniform(71, size));
                 Tensor tg = backend.allocate(Shape.of(size)); Tensor tv = backend.allocate(Shape.of(size))) {
                for (int step = 0; step < 3; step++) {
                    float[] grad = TestData.uniform(72 + step, size);
                    tg.copyFrom(grad);
                    backend.sgdStep(tp, tg, tv, lr, momentum, decay, nesterov);
                    for (int i = 0; i < size; i++) {
                        double g = grad[i] + decay * p[i];
                        vel[i] = momentum * vel[i] + g;
                        p[i] -= lr * (nesterov ? g + momentum * vel[i] : vel[i]);
                    }
                }
                TestData.assertClose("sgd param nesterov=" + nesterov, p, tp.toArray(), 1e-5, 1e-6);
                TestData.assertClose("sgd velocity nesterov=" + nesterov, vel, tv.toArray(), 1e-5, 1e-6);
            }
        }
    }

    @ParameterizedTest(name = "{0} size {1}", autoCloseArguments = false)
    @MethodSource("backendsAndSizes")
    void adamMatchesFormulaOverManyElements(Backend backend, int size) {
        float lr = 0.01f;
        float beta1 = 0.9f;
        float beta2 = 0.999f;
        float eps = 1e-8f;
        float decay = 0.01f;
        double[] p = TestData.toDouble(TestData.uniform(81, size));
        double[] m = new double[size];
        double[] v = new double[size];
        try (Tensor tp = backend.tensor(Shape.of(size), TestData.uniform(81, size));
             Tensor tg = backend.allocate(Shape.of(size)); Tensor tm = backend.allocate(Shape.of(size));
             Tensor tv = backend.allocate(Shape.of(size))) {
            for (int step = 1; step <= 3; step++) {
                float[] grad = TestData.uniform(82 + step, size);
                tg.copyFrom(grad);
                backend.adamStep(tp, tg, tm, tv, lr, beta1, beta2, eps, decay, step);
                for (int i = 0; i < size; i++) {
                    double g = grad[i] + decay * p[i];
                    m[i] = beta1 * m[i] + (1 - beta1) * g;
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                    double mHat = m[i] / (1 - Math.pow(beta1, step));
                    double vHat = v[i] / (1 - Math.pow(beta2, step));
                    p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
            }
            // Near-zero gradients make m̂/√v̂ sensitive; the absolute floor covers that.
            TestData.assertClose("adam param", p, tp.toArray(), 1e-5, 1e-5);
            TestData.assertClose("adam m", m, tm.toArray(), 1e-5, 1e-7);
            TestData.assertClose("adam v", v, tv.toArray(), 1e-4, 1e-9);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void badArgumentsAreRejectedNamingTheOp(Backend backend) {
        try (Tensor p = backend.allocate(ONE); Tensor g = backend.allocate(ONE); Tensor v = backend.allocate(ONE);
             Tensor wrong = backend.allocate(Shape.of(2))) {
            assertRejected("sgdStep", "learning rate", () -> backend.sgdStep(p, g, v, Float.NaN, 0f, 0f, false));
            assertRejected("sgdStep", "momentum", () -> backend.sgdStep(p, g, v, 0.1f, 1f, 0f, false));
            assertRejected("sgdStep", "weight decay", () -> backend.sgdStep(p, g, v, 0.1f, 0f, -1f, false));
            assertRejected("sgdStep", "grad", () -> backend.sgdStep(p, wrong, v, 0.1f, 0f, 0f, false));
            assertRejected("sgdStep", "velocity", () -> backend.sgdStep(p, g, wrong, 0.1f, 0f, 0f, false));
            assertRejected("adamStep", "learning rate",
                    () -> backend.adamStep(p, g, v, v, Float.NaN, 0.9f, 0.999f, 1e-8f, 0f, 1));
            assertRejected("adamStep", "beta1",
                    () -> backend.adamStep(p, g, v, v, 0.1f, 1f, 0.999f, 1e-8f, 0f, 1));
            assertRejected("adamStep", "epsilon",
                    () -> backend.adamStep(p, g, v, v, 0.1f, 0.9f, 0.999f, 0f, 0f, 1));
            assertRejected("adamStep", "step", () -> backend.adamStep(p, g, v, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 0));
            assertRejected("adamStep", "m", () -> backend.adamStep(p, g, wrong, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1));
        }
    }

    private static void assertRejected(String op, String mentions, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(op) && e.getMessage().contains(mentions),
                "expected a message naming " + op + " and " + mentions + ", got: " + e.getMessage());
    }
}
