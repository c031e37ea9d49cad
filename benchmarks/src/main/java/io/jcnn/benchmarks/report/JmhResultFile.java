package io.jcnn.benchmarks.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JMH's JSON results ({@code -rf json}): an array with one object per benchmark and parameter combination.
 * Bad input fails with one line naming the file, the entry and what was expected, never with a parser's stack.
 */
final class JmhResultFile {
    static final String EXPECTED = "expected JMH results written with -rf json";

    private final Path file;

    private JmhResultFile(Path file) {
        this.file = file;
    }

    /** The results in the file's order; never empty. */
    static List<JmhResult> read(Path file) {
        return new JmhResultFile(file).read();
    }

    private List<JmhResult> read() {
        JsonElement root = parse(text());
        if (!root.isJsonArray()) {
            throw bad("holds " + describe(root) + ", not an array; " + EXPECTED);
        }
        JsonArray entries = root.getAsJsonArray();
        if (entries.isEmpty()) {
            throw bad("holds an empty array, no benchmark results; " + EXPECTED
                    + " by a run in which at least one benchmark completed");
        }
        List<JmhResult> results = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            results.add(entry(entries.get(i), "result " + (i + 1)));
        }
        return List.copyOf(results);
    }

    private String text() {
        if (Files.isDirectory(file)) {
            throw bad("is a directory; " + EXPECTED);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw bad("no such file; " + EXPECTED);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read (" + e + ")", e);
        }
    }

    private JsonElement parse(String text) {
        if (text.isBlank()) {
            throw bad("is empty; " + EXPECTED);
        }
        try {
            return JsonParser.parseString(text);
        } catch (JsonParseException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw bad("is not JSON (" + where(cause.getMessage()) + "); " + EXPECTED);
        }
    }

    /** The parser's first line, less its advice on leniency and its JSON path: what went wrong, at which line. */
    private static String where(String parserMessage) {
        return String.valueOf(parserMessage).lines().findFirst().orElse("")
                .replaceFirst("^Use JsonReader\\.setStrictness\\(.*?\\) to accept ", "")
                .replaceFirst(" path \\$.*$", "");
    }

    private JmhResult entry(JsonElement element, String where) {
        JsonObject entry = object(element, where);
        String benchmark = string(entry, "benchmark", where, true);
        where = where + " (" + benchmark + ")";
        String mode = string(entry, "mode", where, true);
        JsonObject secondary = entry.has("secondaryMetrics")
                ? object(entry.get("secondaryMetrics"), where + " secondaryMetrics") : new JsonObject();
        Map<String, JmhResult.Metric> secondaries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> metric : secondary.entrySet()) {
            secondaries.put(metric.getKey(), metric(metric.getValue(), where + " secondary metric " + metric.getKey()));
        }
        JmhResult.Metric primary = metric(field(entry, "primaryMetric", where), where + " primaryMetric");
        if (ScoreUnit.parse(primary.unit()).isEmpty()) {
            throw bad(where + " primaryMetric scoreUnit is \"" + primary.unit()
                    + "\"; expected ops/<time> or <time>/op with a time unit of ns, us, ms, s, min, hr or day");
        }
        return new JmhResult(benchmark, mode, params(entry, where), primary, secondaries, settings(entry, where));
    }

    private JmhResult.Settings settings(JsonObject entry, String where) {
        List<String> jvmArgs = new ArrayList<>();
        if (entry.has("jvmArgs")) {
            for (JsonElement arg : array(entry.get("jvmArgs"), where + " jvmArgs")) {
                jvmArgs.add(arg.isJsonPrimitive() ? arg.getAsString() : arg.toString());
            }
        }
        return new JmhResult.Settings(string(entry, "jmhVersion", where, false),
                string(entry, "jdkVersion", where, false), string(entry, "vmName", where, false),
                string(entry, "vmVersion", where, false), List.copyOf(jvmArgs), count(entry, "forks", where),
                count(entry, "threads", where), count(entry, "warmupIterations", where),
                string(entry, "warmupTime", where, false), count(entry, "measurementIterations", where),
                string(entry, "measurementTime", where, false));
    }

    private Map<String, String> params(JsonObject entry, String where) {
        Map<String, String> params = new LinkedHashMap<>();
        if (entry.has("params")) {
            for (Map.Entry<String, JsonElement> param : object(entry.get("params"), where + " params").entrySet()) {
                JsonElement value = param.getValue();
                params.put(param.getKey(), value.isJsonPrimitive() ? value.getAsString() : value.toString());
            }
        }
        return params;
    }

    private JmhResult.Metric metric(JsonElement element, String where) {
        JsonObject metric = object(element, where);
        double score = number(field(metric, "score", where), where + " score");
        String unit = string(metric, "scoreUnit", where, true);
        Samples samples;
        if (metric.has("rawDataHistogram")) {
            samples = histogram(metric.get("rawDataHistogram"), where + " rawDataHistogram");
        } else if (metric.has("rawData")) {
            samples = rawData(metric.get("rawData"), where + " rawData");
        } else {
            samples = Samples.of(score); // JMH leaves raw data out when run with -Djmh.json.rawData=false
        }
        return new JmhResult.Metric(score, unit, samples.isEmpty() ? Samples.of(score) : samples);
    }

    /** {@code rawData}: per fork, the score of each measurement iteration. */
    private Samples rawData(JsonElement element, String where) {
        List<Double> values = new ArrayList<>();
        for (JsonElement fork : array(element, where)) {
            for (JsonElement iteration : array(fork, where)) {
                values.add(number(iteration, where));
            }
        }
        return Samples.of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** {@code rawDataHistogram} (sample mode): per fork, per iteration, {@code [value, count]} pairs. */
    private Samples histogram(JsonElement element, String where) {
        List<double[]> buckets = new ArrayList<>();
        for (JsonElement fork : array(element, where)) {
            for (JsonElement iteration : array(fork, where)) {
                for (JsonElement bucket : array(iteration, where)) {
                    JsonArray pair = array(bucket, where);
                    if (pair.size() != 2) {
                        throw bad(where + " has " + pair + "; expected [value, count] pairs");
                    }
                    buckets.add(new double[] {number(pair.get(0), where), number(pair.get(1), where)});
                }
            }
        }
        return Samples.weighted(buckets.stream().mapToDouble(b -> b[0]).toArray(),
                buckets.stream().mapToLong(b -> (long) b[1]).toArray());
    }

    // ---- typed access with errors that say where and what was expected ----

    private JsonElement field(JsonObject object, String name, String where) {
        if (!object.has(name) || object.get(name).isJsonNull()) {
            throw bad(where + " has no \"" + name + "\"; " + EXPECTED);
        }
        return object.get(name);
    }

    private String string(JsonObject object, String name, String where, boolean required) {
        if (!required && !object.has(name)) {
            return "";
        }
        JsonElement value = field(object, name, where);
        if (!value.isJsonPrimitive()) {
            throw bad(where + " \"" + name + "\" is " + describe(value) + "; expected a string");
        }
        return value.getAsString();
    }

    private int count(JsonObject object, String name, String where) {
        return object.has(name) ? (int) number(object.get(name), where + " " + name) : 0;
    }

    /** A number; JMH writes NaN and infinities as the strings "NaN", "+INF" and "-INF". */
    private double number(JsonElement element, String where) {
        if (element.isJsonPrimitive()) {
            if (element.getAsJsonPrimitive().isNumber()) {
                return element.getAsDouble();
            }
            switch (element.getAsString()) {
                case "NaN":
                    return Double.NaN;
                case "+INF":
                    return Double.POSITIVE_INFINITY;
                case "-INF":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw bad(where + " is " + describe(element) + "; expected a number");
    }

    private JsonObject object(JsonElement element, String where) {
        if (!element.isJsonObject()) {
            throw bad(where + " is " + describe(element) + "; expected an object, as JMH writes with -rf json");
        }
        return element.getAsJsonObject();
    }

    private JsonArray array(JsonElement element, String where) {
        if (!element.isJsonArray()) {
            throw bad(where + " is " + describe(element) + "; expected an array");
        }
        return element.getAsJsonArray();
    }

    private static String describe(JsonElement element) {
        if (element.isJsonObject()) {
            return "an object";
        }
        if (element.isJsonArray()) {
            return "an array";
        }
        if (element.isJsonNull()) {
            return "null";
        }
        String text = element.toString();
        return (element.getAsJsonPrimitive().isNumber() ? "the number " : "the string ")
                + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
    }

    private IllegalArgumentException bad(String problem) {
        return new IllegalArgumentException(file + ": " + problem);
    }
}
