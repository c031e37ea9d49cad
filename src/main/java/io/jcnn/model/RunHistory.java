package io.jcnn.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a training run has measured so far: every completed epoch's metrics, and the running sums of the epoch in
 * progress. The trainer keeps it in each checkpoint's metadata, written before the checkpoint is renamed into place,
 * so a run killed at any moment and resumed reports exactly what an uninterrupted run would (the metrics files are
 * rebuilt from it). Numbers are written so that they read back bit for bit.
 *
 * @param epochs  the completed epochs' metrics, in order
 * @param current the sums of the epoch in progress (zeros at an epoch boundary)
 */
public record RunHistory(List<EpochMetrics> epochs, EpochSums current) {
    /** Metadata key of the completed epochs: one line per epoch, its eight metrics comma-separated. */
    public static final String EPOCHS_KEY = "history.epochs";
    /** Metadata key of the epoch in progress: loss sum, samples right, samples seen, training seconds. */
    public static final String CURRENT_KEY = "history.current";

    /** The running sums of an epoch: per-sample loss summed, samples classified right and seen, training seconds. */
    public record EpochSums(double lossSum, long correct, long seen, double trainSeconds) {
        /** Nothing measured yet. */
        public static final EpochSums NONE = new EpochSums(0, 0, 0, 0);
    }

    /**
     * Copies the list.
     *
     * @throws NullPointerException if either argument is null
     */
    public RunHistory {
        epochs = List.copyOf(epochs);
        Objects.requireNonNull(current, "current");
    }

    /** Nothing measured yet. */
    public static final RunHistory EMPTY = new RunHistory(List.of(), EpochSums.NONE);

    /** The two metadata entries that hold this history. */
    public Map<String, String> toMetadata() {
        StringBuilder lines = new StringBuilder();
        for (EpochMetrics m : epochs) {
            lines.append(m.epoch()).append(',').append(m.trainLoss()).append(',').append(m.trainAccuracy())
                    .append(',').append(m.testLoss()).append(',').append(m.testAccuracy()).append(',')
                    .append(m.imagesPerSecond()).append(',').append(m.wallSeconds()).append(',')
                    .append(m.learningRate()).append('\n');
        }
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(EPOCHS_KEY, lines.toString());
        entries.put(CURRENT_KEY, current.lossSum() + "," + current.correct() + "," + current.seen() + ","
                + current.trainSeconds());
        return entries;
    }

    /**
     * The history a checkpoint's metadata holds, or null for a checkpoint written before histories were kept.
     *
     * @param source names the checkpoint in errors
     * @throws IllegalArgumentException naming {@code source} if an entry is malformed
     */
    public static RunHistory fromMetadata(Map<String, String> metadata, String source) {
        String epochs = metadata.get(EPOCHS_KEY);
        String current = metadata.get(CURRENT_KEY);
        if (epochs == null || current == null) {
            return null;
        }
        List<EpochMetrics> parsed = new ArrayList<>();
        for (String line : epochs.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            double[] v = numbers(line, 8, source, EPOCHS_KEY);
            if (v[0] != parsed.size() + 1) {
                throw new IllegalArgumentException(source + ": metadata " + EPOCHS_KEY + " lists epoch " + line.split(",")[0]
                        + " where epoch " + (parsed.size() + 1) + " was expected");
            }
            parsed.add(new EpochMetrics((int) v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
        }
        double[] c = numbers(current, 4, source, CURRENT_KEY);
        if (c[1] < 0 || c[2] < c[1] || c[3] < 0 || c[1] != Math.rint(c[1]) || c[2] != Math.rint(c[2])) {
            throw new IllegalArgumentException(source + ": metadata " + CURRENT_KEY + " is '" + current
                    + "'; expected a loss sum, 0 <= samples right <= samples seen, and seconds >= 0");
        }
        return new RunHistory(parsed, new EpochSums(c[0], (long) c[1], (long) c[2], c[3]));
    }

    private static double[] numbers(String text, int count, String source, String key) {
        String[] parts = text.split(",", -1);
        if (parts.length != count) {
            throw new IllegalArgumentException(source + ": metadata " + key + " has '" + text + "'; expected "
                    + count + " comma-separated numbers");
        }
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            try {
                values[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": metadata " + key + " has '" + parts[i]
                        + "' where a number was expected", e);
            }
        }
        return values;
    }
}
