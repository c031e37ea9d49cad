package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JmhResultFileTest {
    private static final String EXPECTED = "expected JMH results written with -rf json";

    @TempDir
    Path dir;

    @Test
    void readsThroughputResultsWithParamsAndCounters() {
        List<JmhResult> results = JmhResultFile.read(Fixtures.copy(Fixtures.THRPT_AUX, dir));
        assertEquals(3, results.size());
        JmhResult cuda = results.get(0);
        assertEquals("io.jcnn.benchmarks.ConvBenchmark.forward", cuda.benchmark());
        assertEquals("ConvBenchmark.forward", cuda.shortName());
        assertEquals("thrpt", cuda.mode());
        assertEquals(List.of("backend", "layer"), List.copyOf(cuda.params().keySet()));
        assertEquals("backend=cuda, layer=conv1", cuda.paramsText());
        assertEquals("ops/s", cuda.primary().unit());
        assertEquals(6, cuda.primary().samples().size(), "2 forks × 3 iterations");
        assertEquals(100.0, cuda.primary().samples().value(0));
        assertEquals(500.0, cuda.primary().samples().value(5));
        assertEquals(List.of("deviceSeconds", "gbyte", "gflop", "images"), List.copyOf(cuda.secondary().keySet()));
        assertEquals(List.of("-Xmx2g"), cuda.settings().jvmArgs());
        assertEquals("1.37", cuda.settings().jmhVersion());
        assertEquals(2, cuda.settings().forks());
    }

    @Test
    void readsSampleModeHistogramsAndResultsWithoutParams() {
        List<JmhResult> results = JmhResultFile.read(Fixtures.copy(Fixtures.MODES, dir));
        assertEquals(List.of("thrpt", "avgt", "sample", "ss"), results.stream().map(JmhResult::mode).toList());
        JmhResult sample = results.get(2);
        assertEquals(Map.of(), sample.params());
        assertEquals("no parameters", sample.paramsText());
        assertEquals(3, sample.primary().samples().size(), "three buckets");
        assertEquals(1.0, sample.primary().samples().median(), "1 1 1 2 10");
    }

    @Test
    void readsRealResults() {
        List<JmhResult> results = JmhResultFile.read(Fixtures.copy(Fixtures.LENET_3_FORKS, dir));
        JmhResult inference = results.get(0);
        assertEquals("LenetStepBenchmark.inference", inference.shortName());
        assertEquals("avgt", inference.mode());
        assertEquals("ms/op", inference.primary().unit());
        assertEquals(30, inference.primary().samples().size(), "3 forks × 10 iterations");
        assertEquals("17.0.15", inference.settings().jdkVersion());
        assertEquals("OpenJDK 64-Bit Server VM", inference.settings().vmName());
    }

    @Test
    void nanAndInfinityAsJmhWritesThem() throws IOException {
        JmhResult result = JmhResultFile.read(write("""
                [{"benchmark": "a.B.c", "mode": "avgt", "primaryMetric": {"score": "NaN", "scoreUnit": "ms/op",
                  "rawData": [["NaN", 2.0, "+INF"]]}}]
                """)).get(0);
        assertEquals(2, result.primary().samples().size());
        assertEquals(Double.POSITIVE_INFINITY, result.primary().samples().max());
    }

    @Test
    void withoutRawDataTheScoreStandsForTheIterations() throws IOException {
        JmhResult result = JmhResultFile.read(write("""
                [{"benchmark": "a.B.c", "mode": "avgt", "primaryMetric": {"score": 4.5, "scoreUnit": "ms/op"}}]
                """)).get(0);
        assertEquals(4.5, result.primary().samples().median());
        assertEquals(Map.of(), result.secondary());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nothing.json");
        assertError(missing + ": no such file; " + EXPECTED, missing);
    }

    @Test
    void aDirectoryIsNotAResultsFile() {
        assertError(dir + ": is a directory; " + EXPECTED, dir);
    }

    /** Contents that are not JMH results, and the problem named after the file. */
    static Stream<Arguments> badContents() {
        return Stream.of(
                Arguments.of("\n", "is empty; " + EXPECTED),
                Arguments.of("[ ]", "holds an empty array, no benchmark results; " + EXPECTED
                        + " by a run in which at least one benchmark completed"),
                Arguments.of("[{\"benchmark\": \"a.B.c\", ",
                        "is not JSON (End of input at line 1 column 25); " + EXPECTED),
                Arguments.of("""
                        Benchmark                          (batch)  Mode  Cnt   Score   Error  Units
                        LenetStepBenchmark.inference            64  avgt    5   3.676 ± 1.046  ms/op
                        """, "is not JSON (malformed JSON at line 1 column 37); " + EXPECTED),
                Arguments.of("{\"benchmark\": \"a.B.c\"}", "holds an object, not an array; " + EXPECTED),
                Arguments.of("[1, 2]", "result 1 is the number 1; expected an object, as JMH writes with -rf json"),
                Arguments.of("[{\"benchmark\": \"a.B.c\", \"mode\": \"thrpt\"}]",
                        "result 1 (a.B.c) has no \"primaryMetric\"; " + EXPECTED),
                Arguments.of("""
                        [{"benchmark": "a.B.c", "mode": "thrpt",
                          "primaryMetric": {"score": 1, "scoreUnit": "MB/sec"}}]
                        """, "result 1 (a.B.c) primaryMetric scoreUnit is \"MB/sec\"; expected ops/<time> or "
                        + "<time>/op with a time unit of ns, us, ms, s, min, hr or day"),
                Arguments.of("""
                        [{"benchmark": "a.B.c", "mode": "thrpt",
                          "primaryMetric": {"score": "fast", "scoreUnit": "ops/s"}}]
                        """, "result 1 (a.B.c) primaryMetric score is the string \"fast\"; expected a number"),
                Arguments.of("""
                        [{"benchmark": "a.B.c", "mode": "sample", "primaryMetric": {"score": 1, "scoreUnit": "ms/op",
                          "rawDataHistogram": [[[[1.0, 2, 3]]]]}}]
                        """, "result 1 (a.B.c) primaryMetric rawDataHistogram has [1.0,2,3]; "
                        + "expected [value, count] pairs"));
    }

    @ParameterizedTest
    @MethodSource("badContents")
    void badContentIsNamedInOneLine(String content, String problem) throws IOException {
        Path file = write(content);
        assertError(file + ": " + problem, file);
    }

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("results.json"), text);
    }

    private static String errorReading(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> JmhResultFile.read(file)).getMessage();
    }

    private static void assertError(String expected, Path file) {
        assertEquals(expected, errorReading(file));
    }
}
