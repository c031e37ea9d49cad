package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultSummaryTest {
    private static final double EXACT = 1e-12;

    @TempDir
    Path dir;

    @Test
    void timePerCallIsTheMedianOfAllIterationsOfAllForks() {
        // ops/s 100 125 200 | 250 400 500 → 10, 8, 5 | 4, 2.5, 2 ms per call: the median lies between 4 and 5
        ResultSummary cuda = summary(Fixtures.THRPT_AUX, "ConvBenchmark.forward", "backend=cuda, layer=conv1");
        assertEquals(4.5e-3, cuda.medianSecondsPerCall(), EXACT);
        assertEquals(2e-3, cuda.secondsPerCall().min(), EXACT);
        assertEquals(10e-3, cuda.secondsPerCall().max(), EXACT);
    }

    @Test
    void gflopCounterIsGflopPerSecondAndZeroCountersAreLeftOut() {
        ResultSummary cuda = summary(Fixtures.THRPT_AUX, "ConvBenchmark.forward", "backend=cuda, layer=conv1");
        assertEquals(Map.of("GFLOP/s", 22.5), cuda.derived(), "gbyte and images stayed zero");
        ResultSummary cpu = summary(Fixtures.THRPT_AUX, "ConvBenchmark.forward", "backend=cpu, layer=conv1");
        assertEquals(Map.of("GFLOP/s", 4.5), cpu.derived());
    }

    @Test
    void deviceTimePerCallPairsEachIterationsDeviceSecondsWithItsCalls() {
        // 1 ms of device time in every call, while wall time varies from 2 to 10 ms; the product of the two medians
        // (0.225 device s per s × 4.5 ms) would be 1.0125 ms
        ResultSummary cuda = summary(Fixtures.THRPT_AUX, "ConvBenchmark.forward", "backend=cuda, layer=conv1");
        assertEquals(1e-3, cuda.deviceSecondsPerCall(), EXACT);
        ResultSummary cpu = summary(Fixtures.THRPT_AUX, "ConvBenchmark.forward", "backend=cpu, layer=conv1");
        assertTrue(Double.isNaN(cpu.deviceSecondsPerCall()), "the CPU backend counts no device time");
    }

    @Test
    void everyModeBecomesTimePerCall() {
        assertEquals(0.25e-6, summary(Fixtures.MODES, "throughput", "no parameters").medianSecondsPerCall(), EXACT,
                "thrpt 2 4 5 ops/us: the median rate is 4 per µs");
        assertEquals(900e-9, summary(Fixtures.MODES, "average", "no parameters").medianSecondsPerCall(), EXACT,
                "avgt 800 900 1000 ns/op");
        assertEquals(1e-3, summary(Fixtures.MODES, "sample", "no parameters").medianSecondsPerCall(), EXACT,
                "sample 1 1 1 2 10 ms/op");
        assertEquals(1.0, summary(Fixtures.MODES, "singleShot", "no parameters").medianSecondsPerCall(), EXACT,
                "ss 0.5 1.5 1 s/op");
    }

    @Test
    void countersOfTimeModesAreTimePerCountedUnitAndBecomeRates() {
        // an average-time benchmark's aux counter comes as µs per image: 2 µs per image is 500000 images/s
        ResultSummary average = summary(Fixtures.MODES, "average", "no parameters");
        assertEquals(500_000, average.derived().get("images/s"), 1e-6);
    }

    @Test
    void realAverageTimeResultsAcrossThreeForks() {
        // the 15th and 16th of the 30 iterations, sorted; JMH's score (the mean) is 12.3 ms
        ResultSummary inference = summary(Fixtures.LENET_3_FORKS, "inference", "batch=256");
        assertEquals(12.611072721698113e-3, inference.medianSecondsPerCall(), EXACT);
        assertEquals(9.919444193069307e-3, inference.secondsPerCall().min(), EXACT);
        assertEquals(13.915753069444444e-3, inference.secondsPerCall().max(), EXACT);
        assertEquals(Map.of(), inference.derived());
    }

    @Test
    void realThroughputResultsWithAGflopCounter() {
        ResultSummary gemm = summary(Fixtures.GEMM_TWO_SHAPES, "GemmBenchmark.gemm",
                "impl=jcnn, shape=1024x1024x1024:NN");
        assertEquals(0.03883741111965812, gemm.medianSecondsPerCall(), EXACT);
        assertEquals(0.03637915039285714, gemm.secondsPerCall().min(), EXACT);
        assertEquals(Map.of("GFLOP/s", 55.30375980314285), gemm.derived());
    }

    @Test
    void knownCountersComeFirstThenOthersAsMet() {
        JmhResult.Metric once = new JmhResult.Metric(1, "ops/s", Samples.of(1));
        JmhResult.Metric primary = new JmhResult.Metric(1, "ops/s", Samples.of(1));
        Map<String, JmhResult.Metric> secondary = new LinkedHashMap<>();
        secondary.put("gc.alloc.rate", new JmhResult.Metric(3, "MB/sec", Samples.of(3)));
        secondary.put("images", once);
        secondary.put("gbyte", once);
        JmhResult result = new JmhResult("a.B.c", "thrpt", Map.of(), primary, secondary, null);
        List<String> columns = ResultSummary.derivedColumns(List.of(ResultSummary.of(result)));
        assertEquals(List.of("GB/s", "images/s", "gc.alloc.rate (MB/sec)"), columns);
        assertEquals(3.0, ResultSummary.of(result).derived().get("gc.alloc.rate (MB/sec)"));
    }

    private ResultSummary summary(String fixture, String benchmark, String params) {
        return ResultSummary.of(Fixtures.result(fixture, dir, benchmark, params));
    }
}
