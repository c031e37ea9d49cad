package io.jcnn.cli;

import io.jcnn.backend.BackendChoice;
import io.jcnn.backend.BackendStatus;
import io.jcnn.backend.cuda.CudaProbe;
import io.jcnn.backend.Backends;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jcnn info}: the Java runtime, the machine, and which backends can run here and why not. */
@Command(name = "info",
        mixinStandardHelpOptions = true,
        description = "Show the Java runtime, the machine, and which backends can run here (and why not).")
final class InfoCommand implements Callable<Integer> {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime runtime = Runtime.getRuntime();
        int cores = runtime.availableProcessors();
        out.println("jcnn " + VersionProvider.version());
        field(out, "java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        field(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                + System.getProperty("os.arch") + ")");
        field(out, "cpu cores", Integer.toString(cores));
        field(out, "max heap", bytes(runtime.maxMemory()));
        field(out, "vector api", ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent() ? "loaded"
                : "not loaded (the jcnn launcher adds --add-modules " + VECTOR_MODULE + ")");
        out.println("backends:");
        List<BackendStatus> report = Backends.report(cores);
        for (BackendStatus status : report) {
            out.printf(Locale.ROOT, "  %-6s %-12s %s%n", status.name(),
                    status.available() ? "available" : "unavailable", status.detail());
        }
        out.println("cuda stack:");
        for (String line : CudaProbe.get().lines()) {
            out.println("  " + line);
        }
        BackendChoice auto = Backends.choose("auto");
        field(out, "device auto", auto.backend() + " (" + auto.reason() + ")");
        return 0;
    }

    private static void field(PrintWriter out, String name, String value) {
        out.printf(Locale.ROOT, "%-13s%s%n", name + ":", value);
    }

    /** Bytes in binary units with one decimal, such as {@code 1.9 GiB}. */
    static String bytes(long count) {
        if (count == Long.MAX_VALUE) {
            return "unlimited";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? count + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
