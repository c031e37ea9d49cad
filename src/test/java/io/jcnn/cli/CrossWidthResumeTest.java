package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint written with one vector width resumes with the other: the width is fixed once per JVM, so each half
 * runs {@code jcnn train} in a JVM of its own ({@code -Djcnn.cpu.vectorBits}). Needs a CPU with 512-bit vectors;
 * elsewhere only one width exists and the test is skipped with that reason.
 */
class CrossWidthResumeTest {
    @TempDir
    Path dir;

    @Test
    void aCheckpointResumesAtTheOtherWidth() throws Exception {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        Assumptions.assumeTrue(preferred >= 512,
                () -> "this CPU's widest float vector is " + preferred + " bits: there is no other width to resume at");
        List<String> upward = trainThenResume(256, 512);
        List<String> downward = trainThenResume(512, 256);
        // Each epoch's figures agree across the two orders to rounding: the widths differ only in summation order.
        for (int epoch = 1; epoch <= 3; epoch++) {
            double a = testLoss(upward, epoch);
            double b = testLoss(downward, epoch);
            assertEquals(a, b, 1e-3 * a, "test loss of epoch " + epoch + ": " + upward + " vs " + downward);
        }
    }

    /** Trains two epochs at one width, resumes for a third at the other; returns metrics.csv's lines. */
    private List<String> trainThenResume(int trainedBits, int resumedBits) throws Exception {
        Path out = dir.resolve(trainedBits + "-then-" + resumedBits);
        String first = jcnnInJvm(trainedBits, "train", "--epochs", "2", "--limit", "512", "--threads", "2",
                "--out", out.toString());
        assertTrue(first.contains("vector API (" + trainedBits + "-bit"), first);
        List<String> before = Files.readAllLines(out.resolve("metrics.csv"));

        String resumed = jcnnInJvm(resumedBits, "train", "--epochs", "3", "--limit", "512", "--threads", "2",
                "--out", out.toString(), "--resume");
        assertTrue(resumed.contains("vector API (" + resumedBits + "-bit"), resumed);
        assertTrue(resumed.contains("resuming from " + out.resolve("checkpoint.jcnn") + " at epoch 3, batch 0"),
                resumed);
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(4, rows.size(), "a header and three epochs:\n" + rows);
        assertEquals(before, rows.subList(0, 3), "the first width's epochs are kept");
        assertTrue(testLoss(rows, 3) < testLoss(rows, 1), "training goes on after resuming: " + rows);
        return rows;
    }

    private static double testLoss(List<String> rows, int epoch) {
        return Double.parseDouble(rows.get(epoch).split(",")[3]);
    }

    /** Runs jcnn's main in a fresh JVM with the given vector width; returns what it printed; fails on a non-zero exit. */
    private String jcnnInJvm(int vectorBits, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Djcnn.cpu.vectorBits=" + vectorBits, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "jcnn", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("jcnn " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "jcnn " + String.join(" ", args) + ":\n" + output);
        return output;
    }
}
