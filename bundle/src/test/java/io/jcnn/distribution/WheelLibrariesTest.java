package io.jcnn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bundle/wheel-libraries, as gpu-check sources it, on a fake Python site with NVIDIA's cuDNN, cuBLAS, NCCL and CUDA
 * runtime wheels and a loader that finds none of them: every wheel's library folder goes on LD_LIBRARY_PATH, so the
 * cuBLAS and cuDNN tiers and NCCL load from wheels. Needs python3; skipped without it.
 */
class WheelLibrariesTest {
    private static final Path SCRIPT = DockerfileTest.ROOT.resolve("bundle/wheel-libraries");

    @Test
    void everyWheelFolderGoesOnTheLibraryPathOnce(@TempDir Path site) throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "no python3");
        Path cudnn = wheel(site, "cudnn", "libcudnn.so.9");
        Path cublas = wheel(site, "cublas", "libcublas.so.12");
        Path nccl = wheel(site, "nccl", "libnccl.so.2");
        Path runtime = wheel(site, "cu13", "libcudart.so.13");
        // A loader cache that lists nothing, whatever this machine has installed.
        Path bin = Files.createDirectories(site.resolve("bin"));
        Path ldconfig = Files.writeString(bin.resolve("ldconfig"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(ldconfig, PosixFilePermissions.fromString("rwxr-xr-x"));
        String path = run(site, bin, "/existing", ". " + SCRIPT + "; . " + SCRIPT + "; echo \"$LD_LIBRARY_PATH\"");
        assertEquals(runtime + ":" + nccl + ":" + cublas + ":" + cudnn + ":/existing", path.strip());
    }

    @Test
    void withoutTheWheelsNothingChanges(@TempDir Path site) throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "no python3");
        Path bin = Files.createDirectories(site.resolve("bin"));
        String path = run(site, bin, "/existing", ". " + SCRIPT + "; echo \"$LD_LIBRARY_PATH\"");
        assertEquals("/existing", path.strip());
    }

    private static Path wheel(Path site, String name, String library) throws Exception {
        Path lib = Files.createDirectories(site.resolve("nvidia").resolve(name).resolve("lib"));
        Files.writeString(site.resolve("nvidia").resolve(name).resolve("__init__.py"), "");
        Files.writeString(lib.resolve(library), "");
        return lib;
    }

    private static String run(Path site, Path bin, String libraryPath, String script) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
        builder.environment().put("PYTHONPATH", site.toString());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("LD_LIBRARY_PATH", libraryPath);
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), script);
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
