package io.jcnn.benchmarks.report;

import java.util.Map;
import java.util.Optional;

/**
 * A JMH score unit, either a rate ({@code ops/ms}: throughput mode, and the operation counters of a throughput
 * benchmark) or a time per operation ({@code ms/op}: average, sample and single-shot modes, and the operation
 * counters of such benchmarks). Both convert to seconds per operation and operations per second, which is what lets
 * results of any mode and output time unit be compared.
 *
 * @param text    the unit as JMH wrote it
 * @param isRate  true for {@code ops/<time>}, false for {@code <time>/op}
 * @param seconds the length of the unit's time part in seconds
 */
record ScoreUnit(String text, boolean isRate, double seconds) {

    // The abbreviations JMH writes for each TimeUnit; "µs" is accepted too.
    private static final Map<String, Double> TIME_UNITS = Map.of("ns", 1e-9, "us", 1e-6, "µs", 1e-6, "ms", 1e-3,
            "s", 1.0, "min", 60.0, "hr", 3600.0, "day", 86400.0);

    /** The unit, or empty when it is neither {@code ops/<time>} nor {@code <time>/op} (such as GC profiler units). */
    static Optional<ScoreUnit> parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String numerator = text.substring(0, slash).trim();
        String denominator = text.substring(slash + 1).trim();
        if (numerator.equals("ops") && TIME_UNITS.containsKey(denominator)) {
            return Optional.of(new ScoreUnit(text, true, TIME_UNITS.get(denominator)));
        }
        if (denominator.equals("op") && TIME_UNITS.containsKey(numerator)) {
            return Optional.of(new ScoreUnit(text, false, TIME_UNITS.get(numerator)));
        }
        return Optional.empty();
    }

    /** A score in this unit as seconds per operation. */
    double secondsPerOperation(double score) {
        return isRate ? seconds / score : score * seconds;
    }

    /** A score in this unit as operations per second. */
    double perSecond(double score) {
        return 1 / secondsPerOperation(score);
    }
}
