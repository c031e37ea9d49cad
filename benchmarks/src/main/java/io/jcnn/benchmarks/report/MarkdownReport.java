package io.jcnn.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Renders a run's results as Markdown: the machine and JMH settings, a table per benchmark method and mode with a row
 * per parameter combination, a ratio column per baseline run, and a legend.
 */
final class MarkdownReport {
    private final BenchmarkRun run;
    private final List<BenchmarkRun> baselines;
    private final List<String> baselineLabels;
    private final Set<RowKey> currentKeys = new LinkedHashSet<>();
    /** Baseline rows with no counterpart in this run, by benchmark; removed as they are printed. */
    /** A benchmark missing from this run is listed row by row up to this many rows, else counted. */
    private static final int MAX_LISTED_ROWS = 3;
    private final Map<String, List<String>> onlyInBaselines = new LinkedHashMap<>();
    private final StringBuilder md = new StringBuilder();
    private boolean deviceColumnShown;
    private boolean derivedColumnsShown;

    /** A benchmark method with one combination of parameter values: what matches rows across runs. */
    private record RowKey(String benchmark, Map<String, String> params) {
        static RowKey of(JmhResult result) {
            return new RowKey(result.benchmark(), result.params());
        }
    }

    private MarkdownReport(BenchmarkRun run, List<BenchmarkRun> baselines) {
        this.run = run;
        this.baselines = baselines;
        this.baselineLabels = baselines.stream().map(b -> label(b, baselines)).toList();
        run.results().forEach(r -> currentKeys.add(RowKey.of(r)));
        for (int b = 0; b < baselines.size(); b++) {
            for (JmhResult result : baselines.get(b).results()) {
                if (!currentKeys.contains(RowKey.of(result))) {
                    onlyInBaselines.computeIfAbsent(result.benchmark(), k -> new ArrayList<>()).add("only in `"
                            + baselineLabels.get(b) + "`: " + result.paramsText() + " ("
                            + Quantities.duration(ResultSummary.of(result).medianSecondsPerCall()) + " per call)");
                }
            }
        }
    }

    static String render(BenchmarkRun run, List<BenchmarkRun> baselines) {
        return new MarkdownReport(run, baselines).render();
    }

    private String render() {
        md.append("# Benchmark report: `").append(run.name()).append("`\n\n");
        md.append("## Machine\n\n");
        machine(run);
        md.append("\n## Run\n\n");
        settings(run.results());
        for (int b = 0; b < baselines.size(); b++) {
            md.append("\n## Baseline `").append(baselineLabels.get(b)).append("`\n\n");
            machine(baselines.get(b));
            settings(baselines.get(b).results());
        }
        md.append("\n## Results\n");
        tables();
        if (!onlyInBaselines.isEmpty()) {
            md.append("\n### Benchmarks only in the baselines\n\n");
            onlyInBaselines.forEach((benchmark, rows) -> {
                if (rows.size() > MAX_LISTED_ROWS) {
                    // A whole benchmark left out of this run: one line, not one per parameter combination.
                    md.append("- `").append(JmhResult.shortName(benchmark)).append("`: ").append(rows.size())
                            .append(" rows, not in this run\n");
                } else {
                    rows.forEach(row -> md.append("- `").append(JmhResult.shortName(benchmark)).append("` ")
                            .append(row).append('\n'));
                }
            });
        }
        legend();
        return md.toString();
    }

    private void machine(BenchmarkRun of) {
        if (of.machine().isPresent()) {
            md.append(of.machine().get().toMarkdown());
        } else {
            md.append("- **Machine:** unknown (no `").append(MachineDescription.sidecarOf(of.file()).getFileName())
                    .append("` beside the results)\n");
        }
    }

    /** The JMH settings; where results differ in one, all its values, in order of first use. */
    private void settings(List<JmhResult> results) {
        md.append("- **JMH** ").append(distinct(results, r -> r.settings().jmhVersion())).append(", **JDK** ")
                .append(distinct(results, r -> r.settings().jdkVersion())).append(" (")
                .append(distinct(results, r -> (r.settings().vmName() + " " + r.settings().vmVersion()).strip()))
                .append(")\n");
        md.append("- **JVM arguments:** ")
                .append(distinct(results, r -> r.settings().jvmArgs().isEmpty() ? "none"
                        : "`" + String.join(" ", r.settings().jvmArgs()) + "`"))
                .append('\n');
        md.append("- **Forks** ").append(distinct(results, r -> String.valueOf(r.settings().forks())))
                .append(", **threads** ").append(distinct(results, r -> String.valueOf(r.settings().threads())))
                .append(", **warmup** ").append(distinct(results, r -> r.settings().warmupIterations() + " × "
                        + r.settings().warmupTime()))
                .append(", **measurement** ").append(distinct(results, r -> r.settings().measurementIterations()
                        + " × " + r.settings().measurementTime()))
                .append(" per fork; **mode** ").append(distinct(results, JmhResult::mode)).append('\n');
    }

    private static String distinct(List<JmhResult> results, Function<JmhResult, String> setting) {
        Set<String> values = new LinkedHashSet<>();
        results.forEach(r -> values.add(setting.apply(r).isBlank() ? "unknown" : setting.apply(r)));
        return String.join(" / ", values);
    }

    /** One table per benchmark method and mode, in the order the results came. */
    private void tables() {
        Map<String, List<JmhResult>> groups = new LinkedHashMap<>();
        for (JmhResult result : run.results()) {
            groups.computeIfAbsent(result.benchmark() + " " + result.mode(), k -> new ArrayList<>()).add(result);
        }
        for (List<JmhResult> group : groups.values()) {
            JmhResult first = group.get(0);
            md.append("\n### `").append(first.shortName()).append("` (").append(first.mode()).append(", ")
                    .append(first.primary().unit()).append(")\n\n");
            md.append(table(group.stream().map(ResultSummary::of).toList()));
            List<String> missing = onlyInBaselines.remove(first.benchmark());
            if (missing != null) {
                md.append('\n');
                missing.forEach(row -> md.append("- ").append(row).append('\n'));
            }
        }
    }

    private String table(List<ResultSummary> rows) {
        List<String> params = new ArrayList<>(new LinkedHashSet<>(rows.stream()
                .flatMap(r -> r.result().params().keySet().stream()).toList()));
        boolean device = rows.stream().anyMatch(r -> !Double.isNaN(r.deviceSecondsPerCall()));
        List<String> derived = ResultSummary.derivedColumns(rows);
        deviceColumnShown |= device;
        derivedColumnsShown |= !derived.isEmpty();

        List<String> header = new ArrayList<>(params);
        header.add("time per call");
        header.add("min–max");
        if (device) {
            header.add("device time per call");
        }
        header.addAll(derived);
        baselineLabels.forEach(label -> header.add("× vs " + label));
        boolean[] numeric = new boolean[header.size()];
        for (int c = params.size(); c < numeric.length; c++) {
            numeric[c] = true;
        }

        MarkdownTable table = new MarkdownTable(header, numeric);
        for (ResultSummary row : rows) {
            List<String> cells = new ArrayList<>();
            params.forEach(p -> cells.add(row.result().params().getOrDefault(p, Quantities.NONE)));
            cells.add(Quantities.duration(row.medianSecondsPerCall()));
            cells.add(Quantities.durationRange(row.secondsPerCall().min(), row.secondsPerCall().max()));
            if (device) {
                cells.add(Quantities.duration(row.deviceSecondsPerCall()));
            }
            derived.forEach(column -> cells.add(Quantities.number(row.derived().getOrDefault(column, Double.NaN))));
            for (BenchmarkRun baseline : baselines) {
                cells.add(Quantities.ratio(ratio(row, baseline)));
            }
            table.addRow(cells);
        }
        return table.render();
    }

    /** The baseline's median time per call over this one's; NaN where the baseline has no such row. */
    private static double ratio(ResultSummary row, BenchmarkRun baseline) {
        RowKey key = RowKey.of(row.result());
        JmhResult match = null;
        for (JmhResult candidate : baseline.results()) {
            if (RowKey.of(candidate).equals(key) && (match == null || candidate.mode().equals(row.result().mode()))) {
                match = candidate; // any mode compares, as time per call; the same mode is preferred
            }
        }
        return match == null ? Double.NaN
                : ResultSummary.of(match).medianSecondsPerCall() / row.medianSecondsPerCall();
    }

    private void legend() {
        md.append("\n## How to read this\n\n");
        md.append("- **time per call**: the median over every measured iteration of every fork (in sample mode, "
                + "every sampled call), each score turned into time per call, so throughput and time modes read "
                + "alike; **min–max**: the fastest and the slowest iteration.\n");
        if (deviceColumnShown) {
            md.append("- **device time per call**: GPU work timed with CUDA events (the `deviceSeconds` counter) per "
                    + "call; the rest of the wall time is launch and host overhead.\n");
        }
        if (derivedColumnsShown) {
            md.append("- **GFLOP/s, GB/s, images/s**: medians of the per-iteration rates of the `gflop`, `gbyte` and "
                    + "`images` counters; other columns are further secondary metrics, median in their own unit. "
                    + "Counters that stayed zero are left out.\n");
        }
        if (!baselines.isEmpty()) {
            md.append("- **× vs FILE**: FILE's median time per call divided by this run's, for the same benchmark "
                    + "and parameters: above 1 is faster now, below 1 slower; " + Quantities.NONE + " where FILE has "
                    + "no such row. The ratios compare medians of runs that may come from different machines, JDKs "
                    + "or settings: check both machine descriptions above before reading a ratio as the effect of a "
                    + "code change.\n");
        }
        md.append("- Benchmarks that failed are absent: JMH writes no result for them.\n");
    }

    /** The file name, or the path as given where two baselines share a name. */
    private static String label(BenchmarkRun run, List<BenchmarkRun> all) {
        long sameName = all.stream().filter(other -> other.name().equals(run.name())).count();
        return sameName > 1 ? run.file().toString() : run.name();
    }

}
