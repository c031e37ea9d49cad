package io.jcnn.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.PoolMode;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Runs each benchmark's setup, one measured call and tear-down outside JMH, so a benchmark that no longer sets up
 * or measures nothing fails the build instead of producing a meaningless number.
 */
class BenchmarkSmokeTest {

    private static boolean anyNonZero(Tensor t) {
        for (float v : t.toArray()) {
            if (v != 0f) {
                return true;
            }
        }
        return false;
    }

    @Test
    void convolutionPassesProduceOutput() {
        ConvBenchmark benchmark = new ConvBenchmark();
        float[][] forwards = new float[2][];
        for (String pass : new String[] {"forward", "forwardGemm", "backwardData", "backwardFilter"}) {
            ConvBenchmark.ConvState state = new ConvBenchmark.ConvState();
            state.layer = "lenetConv2";
            state.pass = pass;
            state.setUp();
            try {
                Tensor out = benchmark.conv2d(state);
                assertTrue(anyNonZero(out), pass + " wrote only zeros");
                if (pass.startsWith("forward")) {
                    forwards[pass.equals("forward") ? 0 : 1] = out.toArray();
                }
            } finally {
                state.tearDown();
            }
        }
        // Whatever algorithm each forward row ran, they computed the same convolution.
        float largest = 0;
        float worst = 0;
        for (int i = 0; i < forwards[0].length; i++) {
            largest = Math.max(largest, Math.abs(forwards[1][i]));
            worst = Math.max(worst, Math.abs(forwards[0][i] - forwards[1][i]));
        }
        assertTrue(worst <= 1e-4f * largest, "forward and forwardGemm differ by " + worst + " (largest " + largest + ")");
    }

    @Test
    void poolingPassesProduceOutput() {
        ConvBenchmark benchmark = new ConvBenchmark();
        for (PoolMode mode : PoolMode.values()) {
            for (String pass : new String[] {"forward", "backward"}) {
                ConvBenchmark.PoolState state = new ConvBenchmark.PoolState();
                state.layer = "lenetPool2";
                state.mode = mode;
                state.pass = pass;
                state.setUp();
                try {
                    assertTrue(anyNonZero(benchmark.pool2d(state)), mode + " " + pass + " wrote only zeros");
                } finally {
                    state.tearDown();
                }
            }
        }
    }

    @Test
    void lenetStepTrainsAndInfers() {
        LenetStepBenchmark benchmark = new LenetStepBenchmark();
        benchmark.batch = 16;
        benchmark.setUp();
        try {
            float first = benchmark.trainingStep();
            float second = benchmark.trainingStep();
            assertTrue(Float.isFinite(first) && Float.isFinite(second) && first > 0, first + ", " + second);
            Tensor logits = benchmark.inference();
            assertEquals(16 * 10, logits.size());
            assertTrue(anyNonZero(logits), "inference wrote only zeros");
        } finally {
            benchmark.tearDown();
        }
    }
}
