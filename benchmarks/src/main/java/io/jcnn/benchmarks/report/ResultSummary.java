package io.jcnn.benchmarks.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a report row shows for one result, in units independent of JMH's mode and output time unit: the time per
 * call over all measured iterations of all forks, the device time per call where the benchmark timed it, and the
 * medians of its other non-zero secondary metrics.
 *
 * <p>jcnn's benchmarks count their work in {@code @AuxCounters(OPERATIONS)} fields, which JMH reports in the
 * primary score's unit: in throughput mode as rates ({@code gflop} in ops/s is GFLOP/s), in time modes as time per
 * counted unit. Both convert to per-second rates here.
 *
 * @param secondsPerCall       each iteration's score as seconds per call (a histogram in sample mode)
 * @param deviceSecondsPerCall seconds of CUDA-event-timed device work per call; NaN when not counted
 * @param derived              medians by column title: the known counters as rates per second, any other metric in
 *                             its own unit
 */
record ResultSummary(JmhResult result, Samples secondsPerCall, double deviceSecondsPerCall,
                     Map<String, Double> derived) {

    /** Column titles of the counters jcnn's benchmarks keep, by counter name, in the order tables show them. */
    static final Map<String, String> COUNTER_COLUMNS = orderedMap("gflop", "GFLOP/s", "gbyte", "GB/s", "images",
            "images/s");
    static final String DEVICE_SECONDS = "deviceSeconds";

    static ResultSummary of(JmhResult result) {
        JmhResult.Metric primary = result.primary();
        ScoreUnit unit = ScoreUnit.parse(primary.unit()).orElseThrow(() -> new IllegalArgumentException(
                result.benchmark() + ": score unit " + primary.unit() + " is neither ops/<time> nor <time>/op"));
        Samples secondsPerCall = primary.samples().map(unit::secondsPerOperation);
        double deviceSecondsPerCall = Double.NaN;
        Map<String, Double> derived = new LinkedHashMap<>();
        for (Map.Entry<String, JmhResult.Metric> entry : result.secondary().entrySet()) {
            String name = entry.getKey();
            JmhResult.Metric metric = entry.getValue();
            if (metric.samples().allZero()) {
                continue; // a counter this benchmark does not use (the CPU backend counts no device time)
            }
            Optional<Samples> perSecond = ScoreUnit.parse(metric.unit()).map(u -> metric.samples().map(u::perSecond));
            if (name.equals(DEVICE_SECONDS) && perSecond.isPresent()) {
                deviceSecondsPerCall = perCall(perSecond.get(), secondsPerCall);
            } else if (COUNTER_COLUMNS.containsKey(name) && perSecond.isPresent()) {
                derived.put(COUNTER_COLUMNS.get(name), perSecond.get().median());
            } else {
                derived.put(name + " (" + metric.unit() + ")", metric.samples().median());
            }
        }
        return new ResultSummary(result, secondsPerCall, deviceSecondsPerCall, Collections.unmodifiableMap(derived));
    }

    /**
     * Device seconds per wall second times wall seconds per call. Iteration by iteration where both line up, since
     * an iteration's device time belongs to that iteration's calls; else the product of the medians.
     */
    private static double perCall(Samples devicePerSecond, Samples secondsPerCall) {
        int n = devicePerSecond.size();
        if (n != secondsPerCall.size() || !devicePerSecond.isPerIteration() || !secondsPerCall.isPerIteration()) {
            return devicePerSecond.median() * secondsPerCall.median();
        }
        double[] perCall = new double[n];
        for (int i = 0; i < n; i++) {
            perCall[i] = devicePerSecond.value(i) * secondsPerCall.value(i);
        }
        return Samples.of(perCall).median();
    }

    double medianSecondsPerCall() {
        return secondsPerCall.median();
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** The column titles of {@code summaries}' derived figures: the known counters first, then others as met. */
    static List<String> derivedColumns(List<ResultSummary> summaries) {
        Set<String> columns = new LinkedHashSet<>();
        for (String known : COUNTER_COLUMNS.values()) {
            if (summaries.stream().anyMatch(s -> s.derived().containsKey(known))) {
                columns.add(known);
            }
        }
        summaries.forEach(s -> columns.addAll(s.derived().keySet()));
        return List.copyOf(columns);
    }
}
