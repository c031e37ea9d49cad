package io.jcnn.cli;

import io.jcnn.model.AtomicFiles;

import io.jcnn.model.EpochMetrics;
import io.jcnn.model.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a run's per-epoch metrics in {@value #CSV_FILE} and {@value #JSON_FILE}, rewritten (atomically) after every
 * epoch so that an interrupted run leaves complete files. Accuracies are fractions in [0, 1]; a value that was not
 * measured (test metrics without a test set) is an empty CSV field and a JSON {@code null}.
 *
 * <p>CSV columns, in order: {@value #CSV_HEADER}. The JSON holds the same values:
 * <pre>{"epochs": [{"epoch": 1, "trainLoss": 0.41, "trainAccuracy": 0.88, "testLoss": 0.12, ...}, ...]}</pre>
 */
public final class MetricsWriter implements TrainingListener {
    /** Name of the CSV file in the run directory. */
    public static final String CSV_FILE = "metrics.csv";
    /** Name of the JSON file in the run directory. */
    public static final String JSON_FILE = "metrics.json";
    static final String CSV_HEADER = "epoch,train_loss,train_accuracy,test_loss,test_accuracy,images_per_second,"
            + "wall_seconds,learning_rate";
    private static final int COLUMNS = 8;

    private final Path directory;
    private final List<EpochMetrics> history;

    /**
     * @param directory where the files go (created when missing)
     * @param earlier   epochs completed before this run resumed, oldest first; empty for a new run
     */
    public MetricsWriter(Path directory, List<EpochMetrics> earlier) {
        this.directory = directory;
        this.history = new ArrayList<>(earlier);
    }

    /** Every epoch so far, oldest first, including those from before a resume. */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    @Override
    public void onEpoch(EpochMetrics metrics) {
        history.add(metrics);
        try {
            write(directory, history);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@value #CSV_FILE} and {@value #JSON_FILE} into {@code directory}. */
    public static void write(Path directory, List<EpochMetrics> history) throws IOException {
        AtomicFiles.write(directory.resolve(CSV_FILE), csv(history).getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(directory.resolve(JSON_FILE), json(history).getBytes(StandardCharsets.UTF_8));
    }

    /** The CSV text: a header line, then one line per epoch. */
    public static String csv(List<EpochMetrics> history) {
        StringBuilder text = new StringBuilder(CSV_HEADER).append('\n');
        for (EpochMetrics m : history) {
            text.append(m.epoch());
            for (double value : values(m)) {
                text.append(',');
                if (!Double.isNaN(value)) {
                    text.append(number(value));
                }
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** The JSON text: an object whose {@code epochs} array holds one object per epoch. */
    public static String json(List<EpochMetrics> history) {
        String[] names = {"trainLoss", "trainAccuracy", "testLoss", "testAccuracy", "imagesPerSecond", "wallSeconds",
                "learningRate"};
        StringBuilder text = new StringBuilder("{\n  \"epochs\": [");
        for (int i = 0; i < history.size(); i++) {
            EpochMetrics m = history.get(i);
            text.append(i == 0 ? "\n" : ",\n").append("    {\"epoch\": ").append(m.epoch());
            double[] values = values(m);
            for (int v = 0; v < values.length; v++) {
                text.append(", \"").append(names[v]).append("\": ").append(jsonNumber(values[v]));
            }
            text.append('}');
        }
        return text.append(history.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    /**
     * Reads back what {@link #csv} wrote (to continue a run's history).
     *
     * @param source names the text in error messages, such as its file name
     * @throws IllegalArgumentException naming the source and line when the text is not such a file
     */
    public static List<EpochMetrics> parseCsv(String text, String source) {
        List<String> lines = text.lines().toList();
        if (lines.isEmpty() || !lines.get(0).equals(CSV_HEADER)) {
            throw new IllegalArgumentException(source + " is not a jcnn metrics file: expected the header '"
                    + CSV_HEADER + "', got '" + (lines.isEmpty() ? "" : lines.get(0)) + "'");
        }
        List<EpochMetrics> history = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                history.add(parseRow(lines.get(i), source + " line " + (i + 1)));
            }
        }
        return List.copyOf(history);
    }

    private static EpochMetrics parseRow(String line, String where) {
        String[] fields = line.split(",", -1);
        if (fields.length != COLUMNS) {
            throw new IllegalArgumentException(where + ": expected " + COLUMNS + " fields, got " + fields.length);
        }
        int epoch;
        double[] v = new double[COLUMNS - 1];
        try {
            epoch = Integer.parseInt(fields[0].strip());
            for (int i = 1; i < COLUMNS; i++) {
                String field = fields[i].strip();
                v[i - 1] = field.isEmpty() ? Double.NaN : Double.parseDouble(field);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": not a number (" + e.getMessage() + ")");
        }
        try {
            return new EpochMetrics(epoch, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static double[] values(EpochMetrics m) {
        return new double[] {m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy(), m.imagesPerSecond(),
                m.wallSeconds(), m.learningRate()};
    }

    private static String jsonNumber(double value) {
        // JSON has no NaN or infinity.
        return Double.isFinite(value) ? number(value) : "null";
    }

    /** Shortest text that reads back as the same double, in the JVM's locale-independent format. */
    private static String number(double value) {
        return Double.toString(value);
    }
}
