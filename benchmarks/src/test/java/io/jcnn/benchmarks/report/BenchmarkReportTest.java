package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkReportTest {
    private static final String USAGE = "usage: report RESULTS.json [--baseline EARLIER.json ...] [--out REPORT.md]";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void tableWithDerivedRatesDeviceTimeAndRatios() {
        String report = markdown(Fixtures.THRPT_AUX, Fixtures.THRPT_AUX_BASELINE);
        assertContains(report, """
                ### `ConvBenchmark.forward` (thrpt, ops/s)

                | backend | layer | time per call |      min–max | device time per call | GFLOP/s | × vs thrpt-aux-baseline.json |
                | ------- | ----- | ------------: | -----------: | -------------------: | ------: | ---------------------------: |
                | cuda    | conv1 |       4.50 ms | 2.00–10.0 ms |              1.00 ms |    22.5 |                         2.00 |
                | cpu     | conv1 |       22.5 ms | 20.0–25.0 ms |                    — |    4.50 |                         1.00 |
                | cpu     | conv2 |       1.00 ms | 1.00–1.00 ms |                    — |    2.00 |                            — |

                - only in `thrpt-aux-baseline.json`: backend=cpu, layer=conv3 (100 ms per call)
                """);
        assertContains(report, """
                ### Benchmarks only in the baselines

                - `PoolBenchmark.forward` only in `thrpt-aux-baseline.json`: layer=pool1 (500 µs per call)
                """);
    }

    /** A whole benchmark left out of a run that is compared with a full baseline is counted, not listed. */
    @Test
    void benchmarksMissingFromTheRunAreCountedWhenLarge() throws Exception {
        Path subset = Path.of("results/cpu-activations-vector-jdk17.json");
        Path full = Path.of("results/cpu-baseline-jdk17.json");
        String report = BenchmarkReport.markdown(subset, List.of(full));
        assertContains(report, "- `ConvBenchmark.conv2d`: 36 rows, not in this run\n");
        assertContains(report, "- `GemmBenchmark.gemm`: 39 rows, not in this run\n");
        assertTrue(!report.contains("impl=openblas, shape=4096"), "no row-by-row listing of a missing benchmark");
    }

    @Test
    void headerGivesTheSettingsAndSaysWhenTheMachineIsUnknown() {
        String report = markdown(Fixtures.THRPT_AUX);
        assertContains(report, """
                # Benchmark report: `thrpt-aux.json`

                ## Machine

                - **Machine:** unknown (no `thrpt-aux.machine.properties` beside the results)

                ## Run

                - **JMH** 1.37, **JDK** 17.0.15 (OpenJDK 64-Bit Server VM 17.0.15+6)
                - **JVM arguments:** `-Xmx2g`
                - **Forks** 2, **threads** 1, **warmup** 2 × 1 s, **measurement** 3 × 1 s per fork; **mode** thrpt
                """);
        assertFalse(report.contains("× vs"), "no baseline, no ratio column or legend");
    }

    @Test
    void bothMachinesAreShownWhenStoredBesideTheResults() throws IOException {
        Path results = Fixtures.copy(Fixtures.THRPT_AUX, dir);
        Path baseline = Fixtures.copy(Fixtures.THRPT_AUX_BASELINE, dir);
        MachineDescriptionTest.GPU_MACHINE.writeNextTo(results);
        String report = BenchmarkReport.markdown(results, List.of(baseline));
        assertContains(report, "## Machine\n\n" + MachineDescriptionTest.GPU_MACHINE.toMarkdown());
        assertContains(report, "## Baseline `thrpt-aux-baseline.json`\n\n- **Machine:** unknown (no "
                + "`thrpt-aux-baseline.machine.properties` beside the results)\n");
        assertContains(report, "ratios compare medians of runs that may come from different machines");
    }

    @Test
    void realResultsAgainstAnEarlierRun() {
        String report = markdown(Fixtures.LENET_RUN1, Fixtures.LENET_RUN2);
        assertContains(report, """
                ### `LenetStepBenchmark.inference` (avgt, ms/op)

                | batch | time per call |      min–max | × vs cpu-lenet-winograd-run2.json |
                | ----- | ------------: | -----------: | --------------------------------: |
                | 64    |       3.64 ms | 3.36–4.07 ms |                              0.89 |
                | 256   |       13.4 ms | 12.8–13.9 ms |                              0.94 |
                """);
        assertContains(report, "| 256   |       59.1 ms | 57.0–61.7 ms |                              1.01 |");
        assertContains(report, "- **JVM arguments:** `--add-modules jdk.incubator.vector`");
    }

    @Test
    void realThroughputResultsWithGflopPerSecond() {
        assertContains(markdown(Fixtures.GEMM_TWO_SHAPES), """
                ### `GemmBenchmark.gemm` (thrpt, ops/s)

                | impl | shape             | time per call |      min–max | GFLOP/s |
                | ---- | ----------------- | ------------: | -----------: | ------: |
                | jcnn | 1024x1024x1024:NN |       38.8 ms | 36.4–40.5 ms |    55.3 |
                | jcnn | 20x576x25:NN      |       23.5 µs | 19.8–24.7 µs |    24.5 |
                """);
    }

    @Test
    void printsToStandardOutputWithoutOut() {
        int status = run(Fixtures.copy(Fixtures.MODES, dir).toString());
        assertEquals(0, status, err());
        assertTrue(out().startsWith("# Benchmark report: `modes.json`"), out());
        assertEquals("", err());
    }

    @Test
    void outWritesTheFileAndNothingElse() throws IOException {
        Path results = Fixtures.copy(Fixtures.THRPT_AUX, dir);
        Path baseline = Fixtures.copy(Fixtures.THRPT_AUX_BASELINE, dir);
        Path report = dir.resolve("reports").resolve("conv.md");
        int status = run(results.toString(), "--baseline", baseline.toString(), "--out", report.toString());
        assertEquals(0, status, err());
        assertEquals("report written to " + report + "\n", out());
        assertEquals(BenchmarkReport.markdown(results, List.of(baseline)), Files.readString(report));
        try (var files = Files.list(report.getParent())) {
            assertEquals(List.of(report), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void outReplacesAnEarlierReport() throws IOException {
        Path report = Files.writeString(dir.resolve("report.md"), "old");
        Path results = Fixtures.copy(Fixtures.MODES, dir);
        BenchmarkReport.report(results, List.of(), report);
        assertTrue(Files.readString(report).startsWith("# Benchmark report: `modes.json`"));
    }

    @Test
    void aMissingResultsFileIsOneLineAndExitStatusOne() {
        Path missing = dir.resolve("missing.json");
        assertEquals(1, run(missing.toString()));
        assertEquals("report: " + missing + ": no such file; expected JMH results written with -rf json\n", err());
        assertEquals("", out());
    }

    @Test
    void aBadBaselineIsNamed() throws IOException {
        Path empty = Files.writeString(dir.resolve("earlier.json"), "[]");
        assertEquals(1, run(Fixtures.copy(Fixtures.MODES, dir).toString(), "--baseline=" + empty));
        assertEquals("report: " + empty + ": holds an empty array, no benchmark results; expected JMH results "
                + "written with -rf json by a run in which at least one benchmark completed\n", err());
    }

    @Test
    void badArgumentsShowTheUsageAndExitStatusTwo() {
        assertEquals(2, run());
        assertEquals("report: no results file\n" + USAGE + "\n", err());
        err.reset();
        assertEquals(2, run("a.json", "b.json"));
        assertEquals("report: two results files (a.json and b.json); earlier ones go after --baseline\n" + USAGE
                + "\n", err());
        err.reset();
        assertEquals(2, run("a.json", "--baseline"));
        assertEquals("report: --baseline needs a file after it\n" + USAGE + "\n", err());
        err.reset();
        assertEquals(2, run("a.json", "--verbose"));
        assertEquals("report: unknown option --verbose\n" + USAGE + "\n", err());
    }

    @Test
    void helpPrintsTheUsage() {
        assertEquals(0, run("--help"));
        assertEquals(USAGE + "\n", out());
    }

    /** The report on a fixture against other fixtures, all copied to the test's directory. */
    private String markdown(String results, String... baselines) {
        return BenchmarkReport.markdown(Fixtures.copy(results, dir),
                Stream.of(baselines).map(baseline -> Fixtures.copy(baseline, dir)).toList());
    }

    private int run(String... args) {
        return BenchmarkReport.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static void assertContains(String report, String expected) {
        assertTrue(report.contains(expected), () -> "expected\n" + expected + "\nin\n" + report);
    }
}
