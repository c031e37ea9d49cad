package io.jcnn.cli;

import io.jcnn.backend.BackendChoice;
import io.jcnn.backend.BackendStatus;
import io.jcnn.backend.cuda.CudaProbe;
import io.jcnn.backend.Backends;
import io.jcnn.backend.Collectives;
import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.ModelSpec;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jcnn info}: the Java runtime, the machine, and which backends can run here and why not; with {@code --model},
 * how the chosen backend computes each convolution of that model.
 */
@Command(name = "info",
        mixinStandardHelpOptions = true,
        description = "Show the Java runtime, the machine, and which backends can run here (and why not); with"
                + " --model, how each convolution of that model is computed.")
final class InfoCommand implements Callable<Integer> {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    @Spec
    private CommandSpec spec;

    @Mixin
    private DeviceOptions device;

    @Option(names = "--model", paramLabel = "NAME", completionCandidates = ModelNames.class,
            description = "Also show the plan of this model's convolutions: ${COMPLETION-CANDIDATES}.")
    private String model;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Batch size the --model plan is made for. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

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
        field(out, "cpu vectors", CpuBackend.vectorWidth());
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
        field(out, "nccl", Collectives.ncclReport());
        out.println("cuda testing:");
        for (String line : CudaProbe.TEST_COVERAGE) {
            out.println("  " + line);
        }
        BackendChoice auto = Backends.choose("auto");
        field(out, "device auto", auto.backend() + " (" + auto.reason() + ")");
        if (model != null) {
            printPlan(out);
        }
        return 0;
    }

    /** Compiles the model for one batch on the chosen device and lists how each convolution runs there. */
    private void printPlan(PrintWriter out) {
        ModelSpec modelSpec;
        try {
            modelSpec = Models.spec(model);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--model: " + e.getMessage());
        }
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, got " + batchSize);
        }
        Shape input = Shape.nchw(batchSize, modelSpec.channels(), modelSpec.height(), modelSpec.width());
        try (Backend backend = device.createBackend(); Sequential network = modelSpec.create()) {
            network.compile(backend, input, 1);
            out.printf(Locale.ROOT, "model %s, input %s, on %s:%n", modelSpec.name(), input, backend.description());
            for (String line : ConvolutionAlgorithms.lines(network)) {
                out.println("  " + line);
            }
        }
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
