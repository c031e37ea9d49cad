package io.jcnn.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.PoolMode;
import io.jcnn.tensor.Tensor;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The GPU rows of the benchmarks, set up, run and torn down on a CUDA backend and compared with the CPU's rows on
 * the same inputs, so that a benchmark harness that has never met a GPU does not fail on its first one: the build
 * runs this on the emulated CUDA driver (the benchmarks' {@code cuda-emulated} test run), on the kernels and cuBLAS
 * tiers, with LeNet's shapes. Skipped with the reason where no CUDA device (real or emulated) is present.
 */
class CudaBenchmarksTest {

    private static void assume(String backend) {
        String reason = BenchBackends.unavailableReason(backend);
        Assumptions.assumeTrue(reason == null, () -> backend + " unavailable: " + reason);
    }

    private static void assertSame(String what, float[] expected, float[] actual, double rtol) {
        assertEquals(expected.length, actual.length, what);
        double largest = 0;
        for (float v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertTrue(largest > 0, what + ": the CPU row computed only zeros");
        for (int i = 0; i < expected.length; i++) {
            double tolerance = rtol * (Math.abs(expected[i]) + 1e-3 * largest);
            if (Math.abs(expected[i] - actual[i]) > tolerance) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", the CPU computed "
                        + expected[i]);
            }
        }
    }

    /** Runs one benchmark state's call on {@code backend} and returns what it wrote. */
    private static <S> float[] output(Function<String, S> setUp, Function<S, Tensor> run,
                                      java.util.function.Consumer<S> tearDown, String backend) {
        S state = setUp.apply(backend);
        try {
            return run.apply(state).toArray();
        } finally {
            tearDown.accept(state);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda-cublas", "cuda-kernels"})
    void convolutionRows(String backend) {
        assume(backend);
        for (String layer : new String[] {"lenetConv1", "lenetConv2"}) {
            for (String pass : new String[] {"forward", "backwardData", "backwardFilter"}) {
                Function<String, ConvBenchmark.ConvState> setUp = name -> {
                    ConvBenchmark.ConvState s = new ConvBenchmark.ConvState();
                    s.backend = name;
                    s.layer = layer;
                    s.pass = pass;
                    s.vectorBits = "auto";
                    s.setUp();
                    return s;
                };
                // A filter gradient sums 64 images' worth of products (36,864 per tap in conv1), in another order.
                assertSame(layer + " " + pass, output(setUp, ConvBenchmark.ConvState::run,
                        ConvBenchmark.ConvState::tearDown, "cpu"), output(setUp, ConvBenchmark.ConvState::run,
                        ConvBenchmark.ConvState::tearDown, backend), pass.equals("backwardFilter") ? 2e-3 : 1e-4);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda-cublas", "cuda-kernels"})
    void poolingDenseAndPointwiseRows(String backend) {
        assume(backend);
        for (PoolMode mode : PoolMode.values()) {
            for (String pass : new String[] {"forward", "backward"}) {
                Function<String, PoolBenchmark> setUp = name -> {
                    PoolBenchmark b = new PoolBenchmark();
                    b.backend = name;
                    b.layer = "lenetPool2";
                    b.mode = mode;
                    b.pass = pass;
                    b.setUp();
                    return b;
                };
                assertSame("lenetPool2 " + mode + " " + pass, output(setUp, PoolBenchmark::run,
                        PoolBenchmark::tearDown, "cpu"), output(setUp, PoolBenchmark::run, PoolBenchmark::tearDown,
                        backend), 1e-6);
            }
        }
        for (String pass : new String[] {"forward", "backwardData", "backwardFilter"}) {
            Function<String, DenseBenchmark> setUp = name -> {
                DenseBenchmark b = new DenseBenchmark();
                b.backend = name;
                b.layer = "lenetFc1";
                b.pass = pass;
                b.setUp();
                return b;
            };
            assertSame("lenetFc1 " + pass, output(setUp, DenseBenchmark::run, DenseBenchmark::tearDown, "cpu"),
                    output(setUp, DenseBenchmark::run, DenseBenchmark::tearDown, backend), 1e-4);
        }
        for (String op : List.of("reluForward", "reluBackward", "leakyReluForward", "leakyReluBackward",
                "sigmoidForward", "sigmoidBackward", "tanhForward", "tanhBackward", "softmaxCrossEntropy", "sgdStep",
                "adamStep")) {
            Function<String, PointwiseBenchmark> setUp = name -> {
                PointwiseBenchmark b = new PointwiseBenchmark();
                b.backend = name;
                b.op = op;
                b.setUp();
                return b;
            };
            Function<PointwiseBenchmark, Tensor> run = b -> {
                b.run();
                return b.output();
            };
            assertSame(op, output(setUp, run, PointwiseBenchmark::tearDown, "cpu"),
                    output(setUp, run, PointwiseBenchmark::tearDown, backend), 1e-5);
        }
    }

    /** A LeNet training step and an inference, as the step benchmark runs them: the same losses as the CPU's. */
    @ParameterizedTest
    @ValueSource(strings = {"cuda-cublas", "cuda-kernels"})
    void stepRows(String backend) {
        assume(backend);
        float[][] losses = new float[2][];
        String[] backends = {"cpu", backend};
        for (int i = 0; i < 2; i++) {
            StepBenchmark b = new StepBenchmark();
            b.backend = backends[i];
            b.workload = "lenet-train-64";
            b.vectorBits = "auto";
            b.setUp();
            try {
                losses[i] = new float[] {b.trainingStep(), b.trainingStep()};
            } finally {
                b.tearDown();
            }
        }
        assertSame("LeNet training losses", losses[0], losses[1], 1e-3);
        StepBenchmark infer = new StepBenchmark();
        infer.backend = backend;
        infer.workload = "lenet-infer-1";
        infer.vectorBits = "auto";
        infer.setUp();
        try {
            assertEquals(10, infer.inference().size());
        } finally {
            infer.tearDown();
        }
    }

    /** One GPU row through JMH: the device time, from CUDA events, is reported beside the wall time. */
    @ParameterizedTest
    @ValueSource(strings = {"cuda-cublas", "cuda-kernels"})
    void jmhReportsDeviceTime(String backend) throws Exception {
        assume(backend);
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(GemmBenchmark.class.getSimpleName() + ".gemm")
                .param("impl", backend)
                .param("shape", "50x64x500:NN")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(300))
                .build()).run();
        assertEquals(1, results.size());
        RunResult result = results.iterator().next();
        assertTrue(result.getPrimaryResult().getScore() > 0, "calls per second");
        assertTrue(result.getSecondaryResults().get("deviceSeconds").getScore() > 0, "device seconds per second");
        assertTrue(result.getSecondaryResults().get("gflop").getScore() > 0, "GFLOP/s");
    }
}
