package io.jcnn.benchmarks.report;

import io.jcnn.backend.cuda.CudaProbe;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The machine a benchmark ran on, as a reader of its numbers needs it: CPU, memory, OS, JDK, the GPUs with their
 * driver and clocks, and the CUDA stack as jcnn sees it. Collected where the benchmarks run and stored beside the
 * results file ({@link #sidecarOf}), since a number means little without the machine that produced it.
 *
 * <p>The stored form is a UTF-8 Java properties file, {@code <results name without extension>.machine.properties}
 * (for {@code gemm.json}: {@code gemm.machine.properties}): plain text that diffs well, and that a glob for
 * {@code *.json} results does not pick up.
 *
 * @param collectedAt when it was collected (UTC, ISO 8601)
 * @param memoryBytes the physical memory the JVM sees (a container's limit inside one); 0 when unknown
 * @param os          name, version (the kernel's on Linux) and architecture
 * @param gpus        the GPUs nvidia-smi lists; empty without one
 * @param gpuNote     why {@code gpus} is empty, such as "no GPU (nvidia-smi not found)"; empty when it is not
 * @param cuda        jcnn's CUDA probe: a line per component (driver, cuBLAS, cuDNN, kernels), then per device
 */
public record MachineDescription(String collectedAt, Cpu cpu, long memoryBytes, String os, Jdk jdk, List<Gpu> gpus,
                                 String gpuNote, List<String> cuda) {

    /**
     * @param availableProcessors logical cores the JVM may use ({@code Runtime.availableProcessors()})
     * @param cpuinfoProcessors   logical cores {@code /proc/cpuinfo} lists; 0 when unknown
     */
    public record Cpu(String model, int availableProcessors, int cpuinfoProcessors) {
    }

    /** {@code java.vm.name}, {@code java.runtime.version} and {@code java.vendor}. */
    public record Jdk(String vmName, String runtimeVersion, String vendor) {
    }

    /** A GPU as nvidia-smi reports it; clocks and memory with their units, such as "1980 MHz" and "81559 MiB". */
    public record Gpu(String name, String driver, String smClock, String memoryClock, String maxSmClock,
                      String maxMemoryClock, String memoryTotal) {
    }

    public MachineDescription {
        gpus = List.copyOf(gpus);
        cuda = List.copyOf(cuda);
    }

    /** This machine, now. Never fails: what cannot be found is described as unknown, with the reason. */
    public static MachineDescription collect() {
        CpuInfo cpuinfo = CpuInfo.read();
        Cpu cpu = new Cpu(cpuinfo.model(), Runtime.getRuntime().availableProcessors(), cpuinfo.processors());
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                + System.getProperty("os.arch") + ")";
        Jdk jdk = new Jdk(System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vendor"));
        NvidiaSmi.Answer gpus = NvidiaSmi.query();
        return new MachineDescription(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), cpu,
                physicalMemoryBytes(), os, jdk, gpus.gpus(), gpus.note(), cudaStack());
    }

    /** Where the description of the machine that produced {@code resultsFile} is stored. */
    public static Path sidecarOf(Path resultsFile) {
        String name = resultsFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return resultsFile.resolveSibling(base + ".machine.properties");
    }

    /** Stores this description beside {@code resultsFile}, replacing any earlier one; returns the file written. */
    public Path writeNextTo(Path resultsFile) throws IOException {
        Path sidecar = sidecarOf(resultsFile);
        write(sidecar);
        return sidecar;
    }

    /** The description stored beside {@code resultsFile}, or empty when there is none. */
    public static Optional<MachineDescription> readNextTo(Path resultsFile) throws IOException {
        Path sidecar = sidecarOf(resultsFile);
        return Files.isRegularFile(sidecar) ? Optional.of(read(sidecar)) : Optional.empty();
    }

    /** Writes this description to {@code file} (atomically) in the properties form. */
    public void write(Path file) throws IOException {
        TextFiles.writeAtomically(file, MachineFile.format(this));
    }

    /**
     * Reads a description written by {@link #write}.
     *
     * @throws IllegalArgumentException naming the file and the key when it is not such a description
     */
    public static MachineDescription read(Path file) throws IOException {
        return MachineFile.parse(Files.readString(file), file);
    }

    /** A Markdown bullet list, one line per part of the machine. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("- **CPU:** ").append(cpu.model()).append(", ").append(cores()).append('\n');
        md.append("- **Memory:** ").append(memoryBytes > 0 ? Quantities.gibibytes(memoryBytes) : "unknown")
                .append('\n');
        md.append("- **OS:** ").append(os).append('\n');
        md.append("- **JDK:** ").append(jdk.vmName()).append(' ').append(jdk.runtimeVersion()).append(" (")
                .append(jdk.vendor()).append(")\n");
        if (gpus.isEmpty()) {
            md.append("- **GPU:** ").append(gpuNote).append('\n');
        }
        for (int i = 0; i < gpus.size(); i++) {
            Gpu gpu = gpus.get(i);
            md.append("- **GPU").append(gpus.size() > 1 ? " " + i : "").append(":** ").append(gpu.name())
                    .append(", driver ").append(gpu.driver()).append(", SM clock ").append(gpu.smClock())
                    .append(" (max ").append(gpu.maxSmClock()).append("), memory clock ").append(gpu.memoryClock())
                    .append(" (max ").append(gpu.maxMemoryClock()).append("), ").append(gpu.memoryTotal())
                    .append('\n');
        }
        md.append("- **CUDA stack (jcnn's probe):**").append(cuda.isEmpty() ? " not probed\n" : "\n");
        cuda.forEach(line -> md.append("  - ").append(line).append('\n'));
        md.append("- **Collected:** ").append(collectedAt).append('\n');
        return md.toString();
    }

    private String cores() {
        int jvm = cpu.availableProcessors();
        int listed = cpu.cpuinfoProcessors();
        if (listed == 0 || listed == jvm) {
            return jvm + " logical cores" + (listed == 0 ? " for the JVM" : "");
        }
        return jvm + " logical cores for the JVM, " + listed + " in /proc/cpuinfo";
    }

    /**
     * The physical memory; the com.sun.management bean is container-aware, and absent from some JVMs (a trimmed
     * runtime without the jdk.management module), where this is 0.
     */
    private static long physicalMemoryBytes() {
        try {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            return os instanceof com.sun.management.OperatingSystemMXBean bean ? bean.getTotalMemorySize() : 0;
        } catch (LinkageError missingModule) {
            return 0;
        }
    }

    /** jcnn's view of the CUDA stack; the probe handles a machine without a GPU, this guards a broken binding. */
    private static List<String> cudaStack() {
        try {
            CudaProbe probe = CudaProbe.get();
            List<String> lines = new ArrayList<>();
            for (CudaProbe.Component c : List.of(probe.driver(), probe.cublas(), probe.cudnn(), probe.kernels())) {
                lines.add(c.name() + ": " + (c.loaded() ? "loaded" : "missing") + ", " + c.detail());
            }
            probe.devices().forEach(device -> lines.add("device " + device));
            return lines;
        } catch (RuntimeException | LinkageError e) {
            return List.of("probe failed: " + e);
        }
    }

    /**
     * {@code machine [RESULTS.json]}: prints this machine's description as Markdown; given a results file, also
     * stores it beside that file.
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** What {@link #main} does, returning the exit status instead of exiting. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 1 || (args.length == 1 && args[0].startsWith("-"))) {
            err.println("usage: machine [RESULTS.json]  (prints this machine's description; with a results file,"
                    + " also writes it beside that file)");
            return 2;
        }
        MachineDescription machine = collect();
        out.print(machine.toMarkdown());
        if (args.length == 1) {
            try {
                out.println("written to " + machine.writeNextTo(Path.of(args[0])));
            } catch (IOException e) {
                err.println("machine: cannot write beside " + args[0] + ": " + e);
                return 1;
            }
        }
        return 0;
    }
}
