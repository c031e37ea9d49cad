package io.jcnn.benchmarks.report;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * Measured values, each with how often it was seen: JMH's per-iteration scores (each seen once, in fork and
 * iteration order) or a sample-mode histogram (a value per bucket with its count). NaN values, JMH's mark for a
 * missing score, are dropped.
 */
final class Samples {
    private final double[] values;
    private final long[] counts;

    private Samples(double[] values, long[] counts) {
        this.values = values;
        this.counts = counts;
    }

    /** Values seen once each, in the order given. */
    static Samples of(double... values) {
        long[] ones = new long[values.length];
        Arrays.fill(ones, 1);
        return weighted(values, ones);
    }

    /** {@code values[i]} seen {@code counts[i]} times; values with a count below one are dropped. */
    static Samples weighted(double[] values, long[] counts) {
        if (values.length != counts.length) {
            throw new IllegalArgumentException(values.length + " values but " + counts.length + " counts");
        }
        int kept = 0;
        double[] keptValues = new double[values.length];
        long[] keptCounts = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i]) && counts[i] > 0) {
                keptValues[kept] = values[i];
                keptCounts[kept++] = counts[i];
            }
        }
        return new Samples(Arrays.copyOf(keptValues, kept), Arrays.copyOf(keptCounts, kept));
    }

    boolean isEmpty() {
        return values.length == 0;
    }

    /** Number of distinct entries (iterations, or histogram buckets). */
    int size() {
        return values.length;
    }

    /** True when every value was seen once: then entry {@code i} is one iteration and lines up with other metrics. */
    boolean isPerIteration() {
        return Arrays.stream(counts).allMatch(c -> c == 1);
    }

    double value(int i) {
        return values[i];
    }

    /** The same samples with {@code f} applied to each value (a unit conversion). */
    Samples map(DoubleUnaryOperator f) {
        return weighted(Arrays.stream(values).map(f).toArray(), counts.clone());
    }

    /** True when there are no values or all are zero: a counter the benchmark never incremented. */
    boolean allZero() {
        return Arrays.stream(values).allMatch(v -> v == 0);
    }

    /** The middle value by count; with an even total, the mean of the two middle ones. NaN when empty. */
    double median() {
        long total = Arrays.stream(counts).sum();
        if (total == 0) {
            return Double.NaN;
        }
        Integer[] order = sortedOrder();
        double lower = valueAtRank(order, (total - 1) / 2);
        double upper = valueAtRank(order, total / 2);
        return (lower + upper) / 2;
    }

    double min() {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    double max() {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private Integer[] sortedOrder() {
        Integer[] order = new Integer[values.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        return order;
    }

    /** The value at 0-based position {@code rank} of all samples in ascending order, counting repeats. */
    private double valueAtRank(Integer[] order, long rank) {
        long seen = 0;
        for (int i : order) {
            seen += counts[i];
            if (rank < seen) {
                return values[i];
            }
        }
        throw new IllegalStateException("rank " + rank + " beyond " + seen + " samples");
    }

    @Override
    public String toString() {
        return isPerIteration() ? Arrays.toString(values) : "histogram of " + values.length + " buckets";
    }
}
