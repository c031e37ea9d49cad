package io.jcnn.benchmarks.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The JMH result files under test resources, copied where a test can put files beside them. */
final class Fixtures {
    /** Hand-written: ConvBenchmark.forward in throughput mode with aux counters (gflop, deviceSeconds, zeros). */
    static final String THRPT_AUX = "thrpt-aux.json";
    /** Hand-written: the same benchmark earlier, one row in average-time mode, rows and a benchmark only here. */
    static final String THRPT_AUX_BASELINE = "thrpt-aux-baseline.json";
    /** Hand-written: one result per mode (thrpt ops/us, avgt ns/op, sample ms/op histogram, ss s/op). */
    static final String MODES = "modes.json";
    /** Real results: LeNet inference and training step, average time, two runs of the same build. */
    static final String LENET_RUN1 = "cpu-lenet-winograd-run1.json";
    static final String LENET_RUN2 = "cpu-lenet-winograd-run2.json";
    /** Real results: LeNet inference at batch 256, three forks of ten iterations. */
    static final String LENET_3_FORKS = "cpu-lenet-inference256-3forks.json";

    /** Real results, the first two of a GEMM run: throughput mode with a {@code gflop} counter. */
    static final String GEMM_TWO_SHAPES = "cpu-gemm-jdk17-two-shapes.json";

    private Fixtures() {
    }

    static Path copy(String name, Path directory) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name + " beside " + Fixtures.class);
            }
            Path file = directory.resolve(name);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JmhResult result(String name, Path directory, String benchmark, String params) {
        return JmhResultFile.read(copy(name, directory)).stream()
                .filter(r -> r.benchmark().endsWith(benchmark) && r.paramsText().equals(params))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + benchmark + " " + params + " in " + name));
    }
}
