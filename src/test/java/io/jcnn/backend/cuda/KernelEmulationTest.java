package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The CUDA kernels' own sources, compiled for the host with native-kernels/emulation/cuda_emulation.h and checked by
 * kernels_test.cpp against reference loops (indexing, reductions, padding and stride, ties, the dropout mask against
 * CounterRandom), so their logic is tested on machines without a GPU. Needs g++ with C++20; skipped without it.
 */
class KernelEmulationTest {
    private static final Path EMULATION = Path.of(System.getProperty("basedir", "."))
            .resolve("../native-kernels/emulation").normalize();

    @Test
    void kernelsComputeWhatTheReferenceLoopsCompute() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isDirectory(EMULATION), "the kernel sources are not here (" + EMULATION
                + "): running outside the repository");
        Path compiler = PtxKernelsTest.onPath("g++");
        Assumptions.assumeTrue(compiler != null, "g++ is not on the PATH; the kernels were not emulated");
        Path dir = Files.createTempDirectory("jcnn-kernels");
        Path binary = dir.resolve("kernels_test");
        try {
            String build = run(dir, compiler.toString(), "-std=c++20", "-O1", "-pthread", "-I..", "-include",
                    "cuda_emulation.h", "kernels_test.cpp", "-o", binary.toString());
            assertTrue(Files.isExecutable(binary), "g++ could not build the kernel emulation:\n" + build);
            String output = run(dir, binary.toString());
            assertEquals("all kernel checks passed", output.strip(), output);
        } finally {
            Files.deleteIfExists(binary);
            Files.deleteIfExists(dir.resolve("log"));
            Files.delete(dir);
        }
    }

    /** Runs a command in the emulation folder; returns its output (stdout and stderr). */
    private static String run(Path scratch, String... command) throws IOException, InterruptedException {
        Path log = scratch.resolve("log");
        Process process = new ProcessBuilder(command).directory(EMULATION.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
        return Files.readString(log);
    }
}
