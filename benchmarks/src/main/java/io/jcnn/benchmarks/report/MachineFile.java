package io.jcnn.benchmarks.report;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * The properties form of a {@link MachineDescription}: keys in a fixed order (Properties.store would shuffle them),
 * values escaped so that {@link Properties#load(java.io.Reader)} reads them back exactly, the file in UTF-8.
 */
final class MachineFile {
    private static final String HEADER = "# The machine that produced the benchmark results beside this file.\n";

    private MachineFile() {
    }

    static String format(MachineDescription machine) {
        StringBuilder out = new StringBuilder(HEADER);
        put(out, "collectedAt", machine.collectedAt());
        put(out, "cpu.model", machine.cpu().model());
        put(out, "cpu.availableProcessors", machine.cpu().availableProcessors());
        put(out, "cpu.cpuinfoProcessors", machine.cpu().cpuinfoProcessors());
        put(out, "memory.bytes", machine.memoryBytes());
        put(out, "os", machine.os());
        put(out, "jdk.vmName", machine.jdk().vmName());
        put(out, "jdk.runtimeVersion", machine.jdk().runtimeVersion());
        put(out, "jdk.vendor", machine.jdk().vendor());
        put(out, "gpu.note", machine.gpuNote());
        put(out, "gpu.count", machine.gpus().size());
        for (int i = 0; i < machine.gpus().size(); i++) {
            MachineDescription.Gpu gpu = machine.gpus().get(i);
            String prefix = "gpu." + i + ".";
            put(out, prefix + "name", gpu.name());
            put(out, prefix + "driver", gpu.driver());
            put(out, prefix + "clocks.sm", gpu.smClock());
            put(out, prefix + "clocks.mem", gpu.memoryClock());
            put(out, prefix + "clocks.max.sm", gpu.maxSmClock());
            put(out, prefix + "clocks.max.mem", gpu.maxMemoryClock());
            put(out, prefix + "memory.total", gpu.memoryTotal());
        }
        put(out, "cuda.count", machine.cuda().size());
        for (int i = 0; i < machine.cuda().size(); i++) {
            put(out, "cuda." + i, machine.cuda().get(i));
        }
        return out.toString();
    }

    /** @param source the file the text came from, named in errors */
    static MachineDescription parse(String text, Path source) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": not a properties file (" + e.getMessage()
                    + "); expected a machine description written by MachineDescription.write");
        }
        Values in = new Values(properties, source);
        List<MachineDescription.Gpu> gpus = new ArrayList<>();
        for (int i = 0, n = in.count("gpu.count"); i < n; i++) {
            String prefix = "gpu." + i + ".";
            gpus.add(new MachineDescription.Gpu(in.text(prefix + "name"), in.text(prefix + "driver"),
                    in.text(prefix + "clocks.sm"), in.text(prefix + "clocks.mem"), in.text(prefix + "clocks.max.sm"),
                    in.text(prefix + "clocks.max.mem"), in.text(prefix + "memory.total")));
        }
        List<String> cuda = new ArrayList<>();
        for (int i = 0, n = in.count("cuda.count"); i < n; i++) {
            cuda.add(in.text("cuda." + i));
        }
        return new MachineDescription(in.text("collectedAt"),
                new MachineDescription.Cpu(in.text("cpu.model"), in.count("cpu.availableProcessors"),
                        in.count("cpu.cpuinfoProcessors")),
                in.number("memory.bytes"), in.text("os"),
                new MachineDescription.Jdk(in.text("jdk.vmName"), in.text("jdk.runtimeVersion"),
                        in.text("jdk.vendor")),
                gpus, in.text("gpu.note"), cuda);
    }

    /** Typed access that names the file, the key and what was expected when a value is missing or malformed. */
    private record Values(Properties properties, Path source) {
        String text(String key) {
            String value = properties.getProperty(key);
            if (value == null) {
                throw new IllegalArgumentException(source + ": no " + key
                        + "; expected a machine description written by MachineDescription.write");
            }
            return value;
        }

        long number(String key) {
            String value = text(key);
            try {
                long number = Long.parseLong(value.strip());
                if (number >= 0) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // reported below, with the key
            }
            throw new IllegalArgumentException(source + ": " + key + " is \"" + value
                    + "\"; expected a whole number, 0 or more");
        }

        int count(String key) {
            long number = number(key);
            if (number > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(source + ": " + key + " is " + number + "; expected at most "
                        + Integer.MAX_VALUE);
            }
            return (int) number;
        }
    }

    private static void put(StringBuilder out, String key, long value) {
        put(out, key, Long.toString(value));
    }

    private static void put(StringBuilder out, String key, String value) {
        out.append(key).append('=').append(escape(value)).append('\n');
    }

    /** Escapes what Properties.load would otherwise reinterpret: backslashes, line breaks, leading blanks. */
    static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                case '\f' -> escaped.append("\\f");
                case ' ' -> escaped.append(i == 0 ? "\\ " : " ");
                default -> escaped.append(c < ' ' ? String.format(Locale.ROOT, "\\u%04x", (int) c) : c);
            }
        }
        return escaped.toString();
    }
}
