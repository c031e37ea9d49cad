package io.jcnn.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.PoolMode;
import io.jcnn.tensor.Tensor;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs each benchmark's setup, measured call and tear-down outside JMH on the CPU, checking that the call computes
 * something (and, where cheap, the right thing), so a benchmark that no longer sets up or measures nothing fails the
 * build instead of producing a meaningless number; and one benchmark through JMH itself for one short iteration.
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
        float[][] forwards = new float[2][];
        for (String pass : new String[] {"forward", "forwardGemm", "backwardData", "backwardFilter"}) {
            ConvBenchmark.ConvState state = new ConvBenchmark.ConvState();
            state.backend = "cpu";
            state.layer = "lenetConv2";
            state.pass = pass;
            state.setUp();
            try {
                Tensor out = state.run();
                assertTrue(anyNonZero(out), pass + " wrote only zeros");
                // 64 images × 50 filters × 8×8 outputs × 500 taps × 2.
                assertEquals(0.2048, state.gflop, 1e-12);
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
    void everyConvolutionLayerPlans() {
        for (String layer : new String[] {"lenetConv1", "alexnet32Conv1", "alexnet32Conv5", "alexnetConv1",
            "alexnetConv5"}) {
            Layers.Conv conv = Layers.conv(layer);
            assertEquals(conv.input().channels(), conv.filter().channels() * conv.spec().groups(), layer);
        }
        assertEquals("unknown convolution layer 'conv9'",
                assertThrows(IllegalArgumentException.class, () -> Layers.conv("conv9")).getMessage());
    }

    @Test
    void forwardGemmIsACpuComparison() {
        ConvBenchmark.ConvState state = new ConvBenchmark.ConvState();
        state.backend = "cuda-kernels";
        state.layer = "lenetConv2";
        state.pass = "forwardGemm";
        assertTrue(assertThrows(IllegalArgumentException.class, state::setUp).getMessage().contains("backend=cpu"));
    }

    @Test
    void poolingPassesProduceOutput() {
        for (String layer : new String[] {"lenetPool2", "alexnetPool1"}) {
            for (PoolMode mode : PoolMode.values()) {
                for (String pass : new String[] {"forward", "backward"}) {
                    PoolBenchmark benchmark = new PoolBenchmark();
                    benchmark.backend = "cpu";
                    benchmark.layer = layer;
                    benchmark.mode = mode;
                    benchmark.pass = pass;
                    benchmark.setUp();
                    try {
                        assertTrue(anyNonZero(benchmark.run()), layer + " " + mode + " " + pass + " wrote only zeros");
                    } finally {
                        benchmark.tearDown();
                    }
                }
            }
        }
    }

    /** The dense passes compute Linear's products: checked against loops on LeNet's fc1. */
    @Test
    void densePassesComputeLinearsProducts() {
        Layers.Dense d = Layers.dense("lenetFc1");
        float[] x = Layers.random(6, d.batch() * d.in());
        float[] w = Layers.random(7, d.out() * d.in());
        float[] dy = Layers.random(8, d.batch() * d.out());
        for (String pass : new String[] {"forward", "backwardData", "backwardFilter"}) {
            DenseBenchmark benchmark = new DenseBenchmark();
            benchmark.backend = "cpu";
            benchmark.layer = "lenetFc1";
            benchmark.pass = pass;
            benchmark.setUp();
            try {
                float[] out = benchmark.run().toArray();
                int i = 7;
                int j = 13;
                double expected = 0;
                switch (pass) {
                    case "forward" -> {
                        for (int p = 0; p < d.in(); p++) {
                            expected += (double) x[i * d.in() + p] * w[j * d.in() + p];
                        }
                        assertEquals(expected, out[i * d.out() + j], 1e-3, pass);
                    }
                    case "backwardData" -> {
                        for (int p = 0; p < d.out(); p++) {
                            expected += (double) dy[i * d.out() + p] * w[p * d.in() + j];
                        }
                        assertEquals(expected, out[i * d.in() + j], 1e-3, pass);
                    }
                    default -> {
                        for (int p = 0; p < d.batch(); p++) {
                            expected += (double) dy[p * d.out() + i] * x[p * d.in() + j];
                        }
                        assertEquals(expected, out[i * d.in() + j], 1e-3, pass);
                    }
                }
            } finally {
                benchmark.tearDown();
            }
        }
    }

    @Test
    void everyPointwiseOpWrites() {
        for (String op : new String[] {"reluForward", "reluBackward", "leakyReluForward", "leakyReluBackward",
            "sigmoidForward", "sigmoidBackward", "tanhForward", "tanhBackward", "softmaxCrossEntropy", "sgdStep",
            "adamStep"}) {
            PointwiseBenchmark benchmark = new PointwiseBenchmark();
            benchmark.backend = "cpu";
            benchmark.op = op;
            benchmark.setUp();
            try {
                benchmark.run();
                assertTrue(anyNonZero(benchmark.output()), op + " wrote only zeros");
            } finally {
                benchmark.tearDown();
            }
        }
    }

    @Test
    void aVectorWidthOtherThanTheJvmsIsRefusedRatherThanMeasured() {
        // The first CPU backend fixes this JVM's width; a benchmark asking for the other one must fail in setup.
        String inUse;
        try (Backend first = BenchBackends.create("cpu", "auto")) {
            inUse = first.description().contains("512-bit") ? "512" : "256";
        }
        String other = inUse.equals("512") ? "256" : "512";
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> BenchBackends.create("cpu", other));
            assertTrue(e.getMessage().startsWith("asked for " + other + "-bit vectors but the CPU backend runs "),
                    e.getMessage());
        } finally {
            System.clearProperty("jcnn.cpu.vectorBits");
        }
    }

    @Test
    void stepsTrainAndInfer() {
        for (String workload : new String[] {"lenet-train-64", "alexnet32-train-128", "lenet-infer-1"}) {
            StepBenchmark benchmark = new StepBenchmark();
            benchmark.backend = "cpu";
            benchmark.workload = workload;
            benchmark.setUp();
            try {
                if (workload.contains("train")) {
                    float first = benchmark.trainingStep();
                    float second = benchmark.trainingStep();
                    assertTrue(Float.isFinite(first) && Float.isFinite(second) && first > 0, first + ", " + second);
                } else {
                    Tensor logits = benchmark.inference();
                    assertEquals(10, logits.size());
                    assertTrue(anyNonZero(logits), "inference wrote only zeros");
                }
            } finally {
                benchmark.tearDown();
            }
        }
        StepBenchmark bad = new StepBenchmark();
        bad.backend = "cpu";
        bad.workload = "lenet-64";
        assertEquals("workload must be model-train|infer-batch, got 'lenet-64'",
                assertThrows(IllegalArgumentException.class, bad::setUp).getMessage());
    }

    @Test
    void unavailableBackendsAreLeftOutWithTheirReason() {
        String[] kept = BenchmarkMain.available("backend", List.of("cpu", "cuda-kernels"),
                name -> name.equals("cpu") ? null : "no driver here");
        assertArrayEquals(new String[] {"cpu"}, kept);
        assertEquals(null, BenchBackends.unavailableReason("cpu"));
        assertEquals("unknown backend 'tpu': expected one of cpu, cuda-cudnn, cuda-cublas, cuda-kernels",
                assertThrows(IllegalArgumentException.class, () -> BenchBackends.create("tpu")).getMessage());
    }

    /** One benchmark through JMH for one short iteration: it runs and reports its work counter as a rate. */
    @Test
    void jmhRunsOneBenchmark() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(PointwiseBenchmark.class.getSimpleName() + ".pointwise")
                .param("backend", "cpu")
                .param("op", "reluForward")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .build()).run();
        assertEquals(1, results.size());
        RunResult result = results.iterator().next();
        double callsPerSecond = result.getPrimaryResult().getScore();
        double gigabytesPerSecond = result.getSecondaryResults().get("gbyte").getScore();
        assertTrue(callsPerSecond > 0, "calls/s " + callsPerSecond);
        // Each call moves 2 × 4 bytes × 737,280 elements.
        assertEquals(callsPerSecond * 8 * 737_280 / 1e9, gigabytesPerSecond, 1e-6 * gigabytesPerSecond);
    }

    /**
     * The step profile times every layer's forward and backward, the loss, the optimizer step and the loader, and
     * each convolution's passes alone.
     */
    @Test
    void theStepProfileCoversEveryPartOfTheStep() {
        List<StepProfile.Part> parts = StepProfile.profile("lenet-train-8", "cpu", 1, 3);
        List<String> names = parts.stream().map(StepProfile.Part::name).toList();
        assertEquals(List.of("conv1 forward", "pool1 forward", "conv2 forward", "pool2 forward", "ip1 forward",
                "relu1 forward", "ip2 forward", "loss", "ip2 backward", "relu1 backward", "ip1 backward",
                "pool2 backward", "conv2 backward", "pool1 backward", "conv1 backward", "sgd step",
                "data loader, one batch", "data loader, one batch, rotated ≤10° and scaled ≤10%",
                "data loader, the same on the backend's threads (as jcnn train)"), names);
        for (StepProfile.Part p : parts) {
            assertTrue(p.medianMillis() > 0, p.name() + " measured nothing");
        }
        Map<String, StepProfile.Part> byName = new HashMap<>();
        parts.forEach(p -> byName.put(p.name(), p));
        // conv2 needs the gradient of its input; conv1 (the first layer) does not.
        assertEquals(Set.of("backward-data alone", "backward-filter alone"),
                byName.get("conv2 backward").ops().keySet());
        assertEquals(Set.of("backward-filter alone"), byName.get("conv1 backward").ops().keySet());
        assertEquals(Set.of("forward alone"), byName.get("conv1 forward").ops().keySet());
        assertTrue(byName.get("pool1 backward").ops().isEmpty());
        for (long[] nanos : byName.get("conv2 backward").ops().values()) {
            assertTrue(StepProfile.median(nanos) > 0, "a pass timed alone measured nothing");
        }
        String table = StepProfile.table("lenet-train-8", "cpu", 3, parts);
        assertTrue(table.startsWith("lenet-train-8 on cpu, median of 3 steps: "), table);
        long passRows = parts.stream().mapToLong(p -> p.ops().size()).sum();
        assertEquals(5, passRows);
        assertEquals(parts.size() + passRows + 4, table.lines().count(), table);
        assertThrows(IllegalArgumentException.class, () -> StepProfile.profile("lenet-infer-8", "cpu", 0, 1));
    }

    @Test
    void theInterleavedComparisonTimesEachBuildInItsOwnClassLoader() throws Exception {
        // The test's own class path twice: two copies of the same build, each loaded and compiled separately.
        List<java.net.URL> path = new java.util.ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            path.add(new java.io.File(entry).toURI().toURL());
        }
        java.net.URL[] build = path.toArray(new java.net.URL[0]);
        List<Interleaved.Result> results = Interleaved.compare("conv:lenetConv1:forward", 4, 2, List.of("a", "b"),
                List.of(build, build));
        assertEquals(List.of("a", "b"), results.stream().map(Interleaved.Result::name).toList());
        for (Interleaved.Result r : results) {
            assertEquals(6, r.calls(), r.name() + ": 3 counted rounds of 2 calls");
            assertTrue(r.p25() > 0 && r.p25() <= r.median() && r.median() <= r.p75(), r.name() + ": " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> Interleaved.compare("conv:lenetConv1", 4, 2,
                List.of("a"), List.<java.net.URL[]>of(build)));
        assertThrows(IllegalArgumentException.class, () -> Interleaved.compare("step:lenet-train-8", 1, 2,
                List.of("a"), List.<java.net.URL[]>of(build)));
    }
}
