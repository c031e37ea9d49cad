package io.jcnn.benchmarks.report;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The summary command: turns JMH's JSON results into a Markdown report anyone can read, with the machine they came
 * from and, against earlier result files, a ratio per row so that a regression or an improvement shows as a number.
 *
 * <pre>report RESULTS.json [--baseline EARLIER.json ...] [--out REPORT.md]</pre>
 *
 * <p>Each results file may have its machine description beside it ({@link MachineDescription#sidecarOf}); the
 * report shows it, or says the machine is unknown.
 */
public final class BenchmarkReport {
    private BenchmarkReport() {
    }

    /**
     * The report as Markdown.
     *
     * @param results   JMH results written with {@code -rf json}
     * @param baselines earlier results to compare with, each adding a ratio column; may be empty
     * @throws IllegalArgumentException naming the file and what was expected, for a missing or malformed file
     * @throws UncheckedIOException     when a file exists but cannot be read
     */
    public static String markdown(Path results, List<Path> baselines) {
        return MarkdownReport.render(BenchmarkRun.load(results), baselines.stream().map(BenchmarkRun::load).toList());
    }

    /**
     * Writes the report to {@code out}, atomically (a reader sees the old file or the whole new one).
     *
     * @throws IllegalArgumentException naming the file and what was expected, for a missing or malformed input
     */
    public static void report(Path results, List<Path> baselines, Path out) throws IOException {
        TextFiles.writeAtomically(out, markdown(results, baselines));
    }

    /** {@code report RESULTS.json [--baseline EARLIER.json ...] [--out REPORT.md]}; exits non-zero on bad input. */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * What {@link #main} does, returning the exit status instead of exiting: 0 done, 1 bad or unreadable input, 2 bad
     * arguments. Errors are one line on {@code err}.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.println(ReportCommandLine.USAGE);
            return 0;
        }
        ReportCommandLine command;
        try {
            command = ReportCommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("report: " + e.getMessage());
            err.println(ReportCommandLine.USAGE);
            return 2;
        }
        try {
            if (command.out().isPresent()) {
                report(command.results(), command.baselines(), command.out().get());
                out.println("report written to " + command.out().get());
            } else {
                out.print(markdown(command.results(), command.baselines()));
            }
            return 0;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("report: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("report: cannot write " + command.out().orElseThrow() + " (" + e + ")");
            return 1;
        }
    }
}
