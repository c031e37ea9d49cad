package io.jcnn.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU as Linux's {@code /proc/cpuinfo} describes it: the model name and how many logical processors it lists
 * (which can exceed what a container lets the JVM use).
 *
 * @param processors the number of {@code processor} entries; 0 when unknown
 */
record CpuInfo(String model, int processors) {
    private static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

    /** This machine's; the model says why it is unknown where there is no readable {@code /proc/cpuinfo}. */
    static CpuInfo read() {
        try {
            return parse(Files.readString(PROC_CPUINFO, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return new CpuInfo("unknown (" + PROC_CPUINFO + " unreadable: " + e.getMessage() + ")", 0);
        }
    }

    static CpuInfo parse(String cpuinfo) {
        String model = null;
        int processors = 0;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            if (key.equals("processor")) {
                processors++;
            } else if (key.equals("model name") && model == null) {
                model = line.substring(colon + 1).trim();
            }
        }
        return new CpuInfo(model != null ? model : "unknown (no \"model name\" in /proc/cpuinfo)", processors);
    }
}
