package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineDescriptionTest {
    static final MachineDescription GPU_MACHINE = new MachineDescription("2025-01-02T03:04:05Z",
            new MachineDescription.Cpu("Intel(R) Xeon(R) Platinum 8480+", 16, 224), 137_438_953_472L,
            "Linux 5.15.0-105-generic (amd64)",
            new MachineDescription.Jdk("OpenJDK 64-Bit Server VM", "17.0.15+6-Debian-1deb12u1", "Debian"),
            List.of(new MachineDescription.Gpu("NVIDIA H100 80GB HBM3", "550.54.15", "1980 MHz", "2619 MHz",
                    "1980 MHz", "2619 MHz", "81559 MiB")),
            "", List.of("driver: loaded, driver for CUDA 12.4", "cuBLAS: loaded, cuBLAS 12.4.5",
                    "device 0: NVIDIA H100 80GB HBM3, compute capability 9.0, 79.1 GiB"));

    @TempDir
    Path dir;

    @Test
    void theSidecarReplacesTheResultsExtension() {
        assertEquals(Path.of("results", "gemm.machine.properties"),
                MachineDescription.sidecarOf(Path.of("results", "gemm.json")));
        assertEquals(Path.of("run.1.machine.properties"), MachineDescription.sidecarOf(Path.of("run.1.json")));
        assertEquals(Path.of("results.machine.properties"), MachineDescription.sidecarOf(Path.of("results")));
    }

    @Test
    void roundTripsBesideTheResults() throws IOException {
        Path results = dir.resolve("gemm.json");
        Path written = GPU_MACHINE.writeNextTo(results);
        assertEquals(dir.resolve("gemm.machine.properties"), written);
        assertEquals(Optional.of(GPU_MACHINE), MachineDescription.readNextTo(results));
        assertEquals(List.of(written), listDirectory(), "no temporary file left behind");
    }

    @Test
    void roundTripsValuesThatPropertiesWouldReinterpret() throws IOException {
        MachineDescription odd = new MachineDescription("now", new MachineDescription.Cpu(" lead\\ing = x: #1 !",
                1, 0), 0, "line\nbreak\r\tand\f control \u0001", new MachineDescription.Jdk("µ VM ✓", "", "a=b"),
                List.of(), "no GPU (nvidia-smi not found)", List.of());
        Path file = dir.resolve("odd.machine.properties");
        odd.write(file);
        assertEquals(odd, MachineDescription.read(file));
    }

    @Test
    void withoutASidecarThereIsNoDescription() throws IOException {
        assertEquals(Optional.empty(), MachineDescription.readNextTo(dir.resolve("gemm.json")));
    }

    @Test
    void aMissingKeyIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("m.machine.properties"), "collectedAt=now\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineDescription.read(file));
        assertEquals(file + ": no gpu.count; expected a machine description written by MachineDescription.write",
                e.getMessage());
    }

    @Test
    void aMalformedNumberIsNamed() throws IOException {
        Path file = dir.resolve("m.machine.properties");
        GPU_MACHINE.write(file);
        Files.writeString(file, Files.readString(file).replace("cpu.availableProcessors=16",
                "cpu.availableProcessors=sixteen"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineDescription.read(file));
        assertEquals(file + ": cpu.availableProcessors is \"sixteen\"; expected a whole number, 0 or more",
                e.getMessage());
    }

    @Test
    void markdownShowsEveryPart() {
        assertEquals("""
                - **CPU:** Intel(R) Xeon(R) Platinum 8480+, 16 logical cores for the JVM, 224 in /proc/cpuinfo
                - **Memory:** 128.0 GiB
                - **OS:** Linux 5.15.0-105-generic (amd64)
                - **JDK:** OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1 (Debian)
                - **GPU:** NVIDIA H100 80GB HBM3, driver 550.54.15, SM clock 1980 MHz (max 1980 MHz), memory clock \
                2619 MHz (max 2619 MHz), 81559 MiB
                - **CUDA stack (jcnn's probe):**
                  - driver: loaded, driver for CUDA 12.4
                  - cuBLAS: loaded, cuBLAS 12.4.5
                  - device 0: NVIDIA H100 80GB HBM3, compute capability 9.0, 79.1 GiB
                - **Collected:** 2025-01-02T03:04:05Z
                """, GPU_MACHINE.toMarkdown());
    }

    @Test
    void collectsThisMachineWithoutFailing() {
        MachineDescription here = MachineDescription.collect();
        assertEquals(Runtime.getRuntime().availableProcessors(), here.cpu().availableProcessors());
        assertEquals(System.getProperty("java.runtime.version"), here.jdk().runtimeVersion());
        assertTrue(here.gpus().isEmpty() != here.gpuNote().isEmpty(), "GPUs, or a note saying why there are none");
        assertFalse(here.cuda().isEmpty(), "jcnn's CUDA probe answers without a GPU too");
        assertTrue(here.cuda().get(0).startsWith("driver: "), here.cuda().get(0));
        assertTrue(here.toMarkdown().startsWith("- **CPU:** "), here.toMarkdown());
    }

    @Test
    void commandPrintsAndWritesBesideTheResults() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path results = dir.resolve("run.json");
        int status = MachineDescription.run(new String[] {results.toString()}, new PrintStream(out, true,
                StandardCharsets.UTF_8), System.err);
        assertEquals(0, status);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("written to " + dir.resolve(
                "run.machine.properties")), out.toString(StandardCharsets.UTF_8));
        assertTrue(MachineDescription.readNextTo(results).isPresent());
    }

    @Test
    void commandRefusesUnknownArguments() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MachineDescription.run(new String[] {"--gpu"}, System.out, new PrintStream(err, true,
                StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: machine [RESULTS.json]"));
    }

    private List<Path> listDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }
}
