package io.jcnn.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The GPUs as {@code nvidia-smi} reports them: name, driver, current and maximum clocks, memory. Absent or failing,
 * it yields no GPUs and a note saying why, never an exception: a machine without a GPU is an answer, not an error.
 */
final class NvidiaSmi {
    static final String QUERY = "name,driver_version,clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem,memory.total";
    static final List<String> COMMAND = List.of("nvidia-smi", "--query-gpu=" + QUERY, "--format=csv,noheader");
    static final String NOT_FOUND = "no GPU (nvidia-smi not found)";

    private static final int FIELDS = QUERY.split(",").length;
    private static final long TIMEOUT_SECONDS = 20;

    /** What a query found: the GPUs, or none and why. */
    record Answer(List<MachineDescription.Gpu> gpus, String note) {
    }

    private NvidiaSmi() {
    }

    static Answer query() {
        return query(COMMAND);
    }

    /** Runs {@code command} (nvidia-smi, or a stand-in in tests) and parses its CSV answer. */
    static Answer query(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Answer(List.of(), NOT_FOUND);
        }
        try {
            process.getOutputStream().close();
            // The answer is a line per GPU, far below a pipe's buffer, so waiting before reading cannot block it.
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Answer(List.of(), "GPU unknown (nvidia-smi did not answer within " + TIMEOUT_SECONDS
                        + " s)");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                return new Answer(List.of(), "no GPU (nvidia-smi failed with exit status " + process.exitValue()
                        + ": " + output.lines().findFirst().orElse("no message") + ")");
            }
            return parse(output);
        } catch (IOException e) {
            return new Answer(List.of(), "GPU unknown (reading nvidia-smi's answer failed: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return new Answer(List.of(), "GPU unknown (interrupted while waiting for nvidia-smi)");
        }
    }

    /** The answer to {@link #QUERY} in {@code csv,noheader} format: a line per GPU. */
    static Answer parse(String csv) {
        List<MachineDescription.Gpu> gpus = new ArrayList<>();
        for (String line : csv.strip().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",");
            if (fields.length < FIELDS) {
                return new Answer(List.of(), "GPU unknown (nvidia-smi answered \"" + line.strip() + "\"; expected "
                        + FIELDS + " fields: " + QUERY + ")");
            }
            // Only the name could hold a comma: whatever precedes the last six fields is the name.
            int extra = fields.length - FIELDS;
            String name = String.join(",", Arrays.copyOfRange(fields, 0, extra + 1)).strip();
            String[] rest = Arrays.stream(fields, extra + 1, fields.length).map(String::strip).toArray(String[]::new);
            gpus.add(new MachineDescription.Gpu(name, rest[0], rest[1], rest[2], rest[3], rest[4], rest[5]));
        }
        return gpus.isEmpty() ? new Answer(List.of(), "no GPU (nvidia-smi lists none)")
                : new Answer(List.copyOf(gpus), "");
    }
}
