package io.jcnn.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import io.jcnn.benchmarks.report.BenchmarkReport;
import io.jcnn.benchmarks.report.MachineDescription;
import java.nio.file.Path;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The benchmark jar's entry point. {@code report RESULTS.json [--baseline EARLIER.json ...] [--out REPORT.md]} turns
 * results into a Markdown report ({@link BenchmarkReport}); {@code machine [RESULTS.json]} describes this machine
 * ({@link MachineDescription}). Anything else is JMH's command line, except that where the user does not name the
 * backends ({@code -p backend=...}, {@code -p impl=...}), only those that can run on this machine are benchmarked,
 * each one left out being reported with its reason instead of failing in setup; and a results file ({@code -rff})
 * gets this machine's description beside it, for the report.
 */
public final class BenchmarkMain {
    private static final List<String> GEMM_IMPLEMENTATIONS = List.of("jcnn-vector", "jcnn-portable", "openblas",
            "cuda-cublas", "cuda-kernels");

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("report")) {
            BenchmarkReport.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("machine")) {
            MachineDescription.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (!cli.getParameter("backend").hasValue()) {
            options.param("backend", available("backend", BenchBackends.NAMES, BenchBackends::unavailableReason));
        }
        if (!cli.getParameter("impl").hasValue()) {
            options.param("impl", available("impl", GEMM_IMPLEMENTATIONS, BenchmarkMain::gemmUnavailableReason));
        }
        Options built = options.build();
        if (built.getResult().hasValue()) {
            Path sidecar = MachineDescription.collect().writeNextTo(Path.of(built.getResult().get()));
            System.err.println("# machine description: " + sidecar);
        }
        new Runner(built).run();
    }

    /** The names that can run here; prints one line for each that cannot, with why. */
    static String[] available(String parameter, List<String> names, Function<String, String> unavailableReason) {
        List<String> runnable = new ArrayList<>();
        for (String name : names) {
            String reason = unavailableReason.apply(name);
            if (reason == null) {
                runnable.add(name);
            } else {
                System.err.println("# skipped " + parameter + "=" + name + ": " + reason);
            }
        }
        return runnable.toArray(String[]::new);
    }

    private static String gemmUnavailableReason(String impl) {
        return switch (impl) {
            case "jcnn-vector", "jcnn-portable" -> null;
            case "openblas" -> {
                try {
                    GemmBenchmark.loadOpenBlas();
                    yield null;
                } catch (IllegalStateException e) {
                    yield e.getMessage();
                }
            }
            default -> BenchBackends.unavailableReason(impl);
        };
    }
}
