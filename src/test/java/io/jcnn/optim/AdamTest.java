package io.jcnn.optim;

import static io.jcnn.optim.OptimizerTestSupport.param;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AdamTest {

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void twoStepsMatchHandComputedValues(Backend backend) {
        Param weight = param(backend, "weight", true, new float[] {1f}, new float[] {0.5f});
        Param bias = param(backend, "bias", false, new float[] {0.5f}, new float[] {-1f});
        List<Param> params = List.of(weight, bias);
        try (Adam adam = new Adam(0.01f).withWeightDecay(0.1f)) {
            adam.compile(backend, params);
            adam.step();
            // weight: g = 0.5 + 0.1·1 = 0.6; m̂ = 0.6, v̂ = 0.36: p −= 0.01·0.6/0.6 → 0.99.
            // bias (not decayed): g = −1, m̂ = −1, v̂ = 1: p += 0.01 → 0.51.
            assertEquals(0.99f, weight.value().toArray()[0], 1e-6f);
            assertEquals(0.51f, bias.value().toArray()[0], 1e-6f);
            adam.step();
            // weight: g = 0.5 + 0.099 = 0.599; m = 0.054 + 0.0599 = 0.1139, v = 0.00035964 + 0.000358801 = 0.000718441;
            // m̂ = 0.1139/0.19 = 0.59947368, v̂ = 0.000718441/0.001999 = 0.35940020, √v̂ = 0.59949996;
            // p −= 0.01·0.99995617 → 0.98000044.
            assertEquals(0.98000044f, weight.value().toArray()[0], 1e-6f);
            assertEquals(0.52f, bias.value().toArray()[0], 1e-6f);
            List<Tensor> state = adam.state();
            assertEquals(4, state.size(), "m and v for each of 2 params");
            assertEquals(0.1139f, state.get(0).toArray()[0], 1e-6f);
            assertEquals(0.000718441f, state.get(1).toArray()[0], 1e-8f);
            assertEquals(-0.19f, state.get(2).toArray()[0], 1e-6f);
            assertEquals(2, adam.steps());
        } finally {
            OptimizerTestSupport.close(params);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void stepAllocatesNothingAndCloseFreesTheState(Backend backend) {
        Param weight = param(backend, "weight", true, new float[1000], new float[1000]);
        List<Param> params = List.of(weight);
        try {
            long liveBefore = backend.memoryStats().liveBytes();
            Adam adam = new Adam(1e-3f);
            adam.compile(backend, params);
            assertEquals(liveBefore + 2 * 4L * 1000, backend.memoryStats().liveBytes(), "m and v");
            adam.step();
            long allocations = backend.memoryStats().allocations();
            for (int i = 0; i < 5; i++) {
                adam.step();
            }
            assertEquals(allocations, backend.memoryStats().allocations(), "allocations during steps");
            assertSame(adam.state(), adam.state(), "state() must not build a new list each call");
            adam.close();
            assertEquals(liveBefore, backend.memoryStats().liveBytes(), "live bytes after close");
        } finally {
            OptimizerTestSupport.close(params);
        }
    }

    @Test
    void defaultsAreThoseOfThePaper() {
        Adam adam = new Adam(1e-3f);
        assertEquals(0.9f, adam.beta1());
        assertEquals(0.999f, adam.beta2());
        assertEquals(1e-8f, adam.epsilon());
        assertEquals(0f, adam.weightDecay());
    }

    @Test
    void badHyperParametersAreRejected() {
        assertRejected("learning rate", () -> new Adam(Float.NaN));
        assertRejected("beta1", () -> new Adam(1e-3f).withBetas(1f, 0.999f));
        assertRejected("beta2", () -> new Adam(1e-3f).withBetas(0.9f, -0.1f));
        assertRejected("epsilon", () -> new Adam(1e-3f).withEpsilon(0f));
        assertRejected("weight decay", () -> new Adam(1e-3f).withWeightDecay(-1f));
    }

    private static void assertRejected(String mentions, Runnable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::run);
        assertTrue(e.getMessage().startsWith("Adam: ") && e.getMessage().contains(mentions), e.getMessage());
    }
}
