package io.jcnn.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bundle/install.sh, run as the Docker image's build stage runs it, and the launcher it installs, run as the image
 * runs it: {@code jcnn info} (the image's default command) and {@code jcnn train} with the image's environment. The
 * runtime is jlink's, so this also checks that it has every module the command line needs.
 */
class InstallTest {
    private static final Path JAR = Path.of(System.getProperty("jcnn.jar", "../src/target/jcnn-all.jar"));
    private static final String INSTALLER = DockerfileTest.ROOT.resolve("bundle/install.sh").toString();

    @TempDir
    static Path shared;
    private static Path prefix;

    /** What a finished process printed and its exit status. */
    record Run(int status, String output) {
    }

    @BeforeAll
    static void install() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the library module's package phase builds it");
        prefix = shared.resolve("opt/jcnn");
        Run run = run(shared, Map.of(), "bash", INSTALLER, prefix.toString(), JAR.toString());
        assertEquals(0, run.status(), run.output());
    }

    @Test
    void theTreeHoldsARuntimeTheJarAndTheLauncher() {
        assertTrue(Files.isExecutable(prefix.resolve("runtime/bin/java")));
        assertTrue(Files.isRegularFile(prefix.resolve("lib/jcnn.jar")));
        assertTrue(Files.isExecutable(prefix.resolve("jcnn")));
    }

    @Test
    void theImagesDefaultCommandReportsTheBackends() throws Exception {
        Run info = run(shared, Map.of("JCNN_CUDA_AUTO", "true"), prefix.resolve("jcnn").toString(), "info");
        assertEquals(0, info.status(), info.output());
        assertTrue(info.output().contains("backends:") && info.output().contains("cuda stack:"), info.output());
        assertTrue(info.output().contains("vector api:  loaded"), "the launcher adds the Vector API: " + info.output());
    }

    @Test
    void trainRunsWhereTheImageRunsIt(@TempDir Path work) throws Exception {
        Run train = run(work, Map.of("JCNN_CUDA_AUTO", "true"), prefix.resolve("jcnn").toString(), "train",
                "--epochs", "1", "--limit", "256");
        assertEquals(0, train.status(), train.output());
        assertTrue(train.output().contains("epoch 1/1"), train.output());
        Path out = work.resolve("runs/lenet");
        assertTrue(Files.size(out.resolve("checkpoint.jcnn")) > 100_000, "LeNet's checkpoint");
        // The chart needs java.desktop and fonts in the runtime.
        byte[] png = Files.readAllBytes(out.resolve("training-curves.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    }

    @Test
    void aLinkToTheLauncherFindsItsRuntime(@TempDir Path bin) throws Exception {
        Path link = Files.createSymbolicLink(bin.resolve("jcnn"), prefix.resolve("jcnn"));
        Run version = run(bin, Map.of(), link.toString(), "--version");
        assertEquals(0, version.status(), version.output());
        assertTrue(version.output().startsWith("jcnn "), version.output());
    }

    @Test
    void installingOverAnInstallationOrWithoutAJarFailsWithTheReason(@TempDir Path other) throws Exception {
        Run again = run(shared, Map.of(), "bash", INSTALLER, prefix.toString(), JAR.toString());
        assertEquals(1, again.status());
        assertEquals("install: " + prefix + "/runtime already exists: install into a new or empty folder\n",
                again.output());
        Path missing = other.resolve("no.jar");
        Run noJar = run(shared, Map.of(), "bash", INSTALLER, other.resolve("x").toString(), missing.toString());
        assertEquals(1, noJar.status());
        assertEquals("install: no jcnn jar " + missing
                + ": build it first (mvn -B -DskipTests package -pl src -am)\n", noJar.output());
    }

    private static Run run(Path dir, Map<String, String> environment, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 5 minutes: " + output);
        }
        // The JVM's one-line notice about the incubating Vector API module is not part of jcnn's output.
        output = output.replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "");
        return new Run(process.exitValue(), output);
    }
}
