package io.jcnn.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A results file as a report uses it: its JMH results, and the machine description stored beside it, if any.
 *
 * @param results never empty
 */
record BenchmarkRun(Path file, List<JmhResult> results, Optional<MachineDescription> machine) {

    static BenchmarkRun load(Path file) {
        List<JmhResult> results = JmhResultFile.read(file);
        try {
            return new BenchmarkRun(file, results, MachineDescription.readNextTo(file));
        } catch (IOException e) {
            throw new UncheckedIOException(MachineDescription.sidecarOf(file) + ": cannot be read (" + e + ")", e);
        }
    }

    /** The file's name, as column titles and headings show it. */
    String name() {
        return file.getFileName().toString();
    }
}
