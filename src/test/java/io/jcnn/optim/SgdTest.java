package io.jcnn.optim;

import static io.jcnn.optim.OptimizerTestSupport.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.TestBackends;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SgdTest {

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void momentumAndWeightDecayMatchHandComputedSteps(Backend backend) {
        Param weight = param(backend, "weight", true, new float[] {1f, -2f}, new float[] {0.5f, 0.5f});
        Param bias = param(backend, "bias", false, new float[] {0.5f}, new float[] {1f});
        List<Param> params = List.of(weight, bias);
        try (Sgd sgd = new Sgd(0.1f).withMomentum(0.9f).withWeightDecay(0.1f)) {
            sgd.compile(backend, params);
            sgd.step();
            // weight[0]: g = 0.5 + 0.1·1 = 0.6, v = 0.6, p = 0.94. weight[1]: g = 0.5 − 0.2 = 0.3, v = 0.3, p = −2.03.
            // bias is not decayed: v = 1, p = 0.4.
            assertArrayEquals(new float[] {0.94f, -2.03f}, weight.value().toArray(), 1e-6f);
            assertArrayEquals(new float[] {0.4f}, bias.value().toArray(), 1e-6f);
            sgd.step();
            // weight[0]: g = 0.5 + 0.094 = 0.594, v = 0.54 + 0.594 = 1.134, p = 0.94 − 0.1134 = 0.8266.
            // weight[1]: g = 0.5 − 0.203 = 0.297, v = 0.27 + 0.297 = 0.567, p = −2.03 − 0.0567 = −2.0867.
            // bias: v = 0.9 + 1 = 1.9, p = 0.4 − 0.19 = 0.21.
            assertArrayEquals(new float[] {0.8266f, -2.0867f}, weight.value().toArray(), 1e-6f);
            assertArrayEquals(new float[] {0.21f}, bias.value().toArray(), 1e-6f);
            assertEquals(2, sgd.steps());
            List<Tensor> state = sgd.state();
            assertEquals(2, state.size());
            assertArrayEquals(new float[] {1.134f, 0.567f}, state.get(0).toArray(), 1e-6f);
            assertArrayEquals(new float[] {1.9f}, state.get(1).toArray(), 1e-6f);
        } finally {
            OptimizerTestSupport.close(params);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void nesterovMatchesHandComputedSteps(Backend backend) {
        Param p = param(backend, "w", true, new float[] {1f}, new float[] {0.5f});
        try (Sgd sgd = new Sgd(0.1f, 0.9f, true, 0f)) {
            sgd.compile(backend, List.of(p));
            sgd.step();
            // v = 0.5, p −= 0.1·(0.5 + 0.9·0.5) → 0.905
            assertEquals(0.905f, p.value().toArray()[0], 1e-6f);
            sgd.step();
            // v = 0.45 + 0.5 = 0.95, p −= 0.1·(0.5 + 0.855) → 0.7695
            assertEquals(0.7695f, p.value().toArray()[0], 1e-6f);
        } finally {
            OptimizerTestSupport.close(List.of(p));
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void learningRateChangesApplyToLaterSteps(Backend backend) {
        Param p = param(backend, "w", false, new float[] {1f}, new float[] {1f});
        try (Sgd sgd = new Sgd(0.1f)) {
            sgd.compile(backend, List.of(p));
            sgd.step();
            sgd.setLearningRate(0.01f);
            sgd.step();
            assertEquals(0.89f, p.value().toArray()[0], 1e-6f);
            assertEquals(0.01f, sgd.learningRate());
        } finally {
            OptimizerTestSupport.close(List.of(p));
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void stepAllocatesNothingAndCloseFreesTheState(Backend backend) {
        Param weight = param(backend, "weight", true, new float[300], new float[300]);
        Param bias = param(backend, "bias", false, new float[10], new float[10]);
        List<Param> params = List.of(weight, bias);
        try {
            long liveBefore = backend.memoryStats().liveBytes();
            Sgd sgd = new Sgd(0.1f, 0.9f, true, 1e-4f);
            sgd.compile(backend, params);
            assertEquals(liveBefore + 4L * 310, backend.memoryStats().liveBytes(), "velocity for 310 floats");
            sgd.step();
            long allocations = backend.memoryStats().allocations();
            for (int i = 0; i < 5; i++) {
                sgd.step();
            }
            assertEquals(allocations, backend.memoryStats().allocations(), "allocations during steps");
            sgd.close();
            assertEquals(liveBefore, backend.memoryStats().liveBytes(), "live bytes after close");
            assertTrue(sgd.state().isEmpty());
            assertThrows(IllegalStateException.class, sgd::step);
        } finally {
            OptimizerTestSupport.close(params);
        }
    }

    @Test
    void badHyperParametersAreRejected() {
        assertRejected("learning rate", () -> new Sgd(Float.NaN));
        assertRejected("learning rate", () -> new Sgd(-0.1f));
        assertRejected("momentum", () -> new Sgd(0.1f).withMomentum(1f));
        assertRejected("momentum", () -> new Sgd(0.1f, -0.5f, false, 0f));
        assertRejected("weight decay", () -> new Sgd(0.1f).withWeightDecay(Float.POSITIVE_INFINITY));
        assertRejected("learning rate", () -> new Sgd(0.1f).setLearningRate(Float.NaN));
    }

    private static void assertRejected(String mentions, Runnable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::run);
        assertTrue(e.getMessage().startsWith("Sgd: ") && e.getMessage().contains(mentions), e.getMessage());
    }

    @Test
    void misuseIsReportedClearly() {
        Backend backend = TestBackends.all().get(0);
        Param p = param(backend, "w", true, new float[] {1f}, new float[] {1f});
        try (Sgd sgd = new Sgd(0.1f)) {
            IllegalStateException early = assertThrows(IllegalStateException.class, sgd::step);
            assertTrue(early.getMessage().contains("before compile"), early.getMessage());
            sgd.compile(backend, List.of(p));
            assertThrows(IllegalStateException.class, () -> sgd.compile(backend, List.of(p)));
        } finally {
            OptimizerTestSupport.close(List.of(p));
        }
        Backend other = TestBackends.all().get(1);
        Param elsewhere = param(other, "w", true, new float[] {1f}, new float[] {1f});
        try (Sgd sgd = new Sgd(0.1f)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sgd.compile(backend, List.of(elsewhere)));
            assertTrue(e.getMessage().contains("param w"), e.getMessage());
        } finally {
            OptimizerTestSupport.close(List.of(elsewhere));
        }
    }
}
