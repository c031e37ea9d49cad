package io.jcnn.benchmarks.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The arguments of {@code report RESULTS.json [--baseline EARLIER.json ...] [--out REPORT.md]}.
 *
 * @param out where to write the report; empty for standard output
 */
record ReportCommandLine(Path results, List<Path> baselines, Optional<Path> out) {
    static final String USAGE = "usage: report RESULTS.json [--baseline EARLIER.json ...] [--out REPORT.md]";

    /** @throws IllegalArgumentException saying what is wrong with the arguments */
    static ReportCommandLine parse(String... args) {
        Path results = null;
        List<Path> baselines = new ArrayList<>();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            switch (option) {
                case "--baseline", "--out" -> {
                    String value;
                    if (arg.contains("=")) {
                        value = arg.substring(arg.indexOf('=') + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new IllegalArgumentException(option + " needs a file after it");
                    }
                    if (value.isEmpty()) {
                        throw new IllegalArgumentException(option + " needs a file, got an empty name");
                    }
                    if (option.equals("--baseline")) {
                        baselines.add(Path.of(value));
                    } else if (out != null) {
                        throw new IllegalArgumentException("--out given twice (" + out + " and " + value + ")");
                    } else {
                        out = Path.of(value);
                    }
                }
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    }
                    if (results != null) {
                        throw new IllegalArgumentException("two results files (" + results + " and " + arg
                                + "); earlier ones go after --baseline");
                    }
                    results = Path.of(arg);
                }
            }
        }
        if (results == null) {
            throw new IllegalArgumentException("no results file");
        }
        return new ReportCommandLine(results, List.copyOf(baselines), Optional.ofNullable(out));
    }
}
