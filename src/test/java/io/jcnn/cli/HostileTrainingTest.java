package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcnn train} as a hostile or unlucky user runs it: options the data cannot satisfy, a read-only checkpoint,
 * files left by a killed save, a resume with other settings, metrics lost to a kill. Each ends in one line naming
 * the option or file, before anything large is built or any epoch is spent, or recovers what was lost.
 */
class HostileTrainingTest {
    @TempDir
    Path dir;

    private static void assertUsage(String line, CliRun run) {
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals(List.of("jcnn: " + line), run.errLines());
    }

    @Test
    void aBatchLargerThanTheDataIsRefusedBeforeTheModelIsBuilt() {
        // The model used to be compiled for 100,000 images first: out of heap, as a raw stack trace.
        assertUsage("--batch-size 100000 is more than the 8000 training images of sample; one batch needs 100000:"
                + " lower --batch-size", CliRun.jcnn("train", "--batch-size", "100000", "--out", dir.toString()));
        // These used to fail with "CosineSchedule: horizon must be >= 1, got 0".
        assertUsage("--batch-size 64 is more than the 1 training images of sample (--limit 1); one batch needs 64:"
                + " lower --batch-size or raise --limit", CliRun.jcnn("train", "--limit", "1", "--out",
                dir.toString()));
        assertUsage("--batch-size 512 is more than the 256 training images of sample (--limit 256); one batch needs"
                + " 512: lower --batch-size or raise --limit", CliRun.jcnn("train", "--batch-size", "512", "--limit",
                "256", "--out", dir.toString()));
    }

    @Test
    void aShiftThatBlanksEveryImageIsRefused() {
        assertUsage("--shift 1000 moves the 28×28 images entirely out of view; use at most 27 pixels",
                CliRun.jcnn("train", "--shift", "1000", "--out", dir.toString()));
    }

    private CliRun train(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--limit", "256", "--batch-size", "64",
                "--threads", "2", "--out", out.toString()));
        args.addAll(List.of(more));
        return CliRun.jcnn(args.toArray(String[]::new));
    }

    @Test
    void aReadOnlyCheckpointIsRefusedBeforeAnEpochIsSpent() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, train(out, "--epochs", "1").exitCode());
        Path checkpoint = out.resolve("checkpoint.jcnn");
        Files.setPosixFilePermissions(checkpoint, PosixFilePermissions.fromString("r--r--r--"));
        CliRun resumed = train(out, "--epochs", "2", "--resume");
        assertEquals(1, resumed.exitCode(), resumed.toString());
        assertEquals(List.of("jcnn: checkpoint " + checkpoint + " is read-only, and training replaces it after every"
                + " epoch: make it writable (chmod u+w) or write this run elsewhere with --out"), resumed.errLines());
        assertFalse(resumed.out().contains("epoch 2/2"), resumed.out());
    }

    @Test
    void temporaryFilesOfAKilledSaveAreRemoved() throws IOException {
        Path out = Files.createDirectories(dir.resolve("run"));
        Files.writeString(out.resolve(".checkpoint.jcnn4183.tmp"), "what kill -9 left during a save");
        CliRun run = train(out, "--epochs", "1");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("removed 1 temporary checkpoint file left in " + out + " by an interrupted"
                + " save"), run.out());
        assertFalse(Files.exists(out.resolve(".checkpoint.jcnn4183.tmp")));
    }

    @Test
    void resumingWithSettingsThatChangeTheScheduleIsRefused() {
        Path out = dir.resolve("run");
        assertEquals(0, train(out, "--epochs", "1").exitCode());
        CliRun other = CliRun.jcnn("train", "--limit", "128", "--batch-size", "64", "--lr", "0.05", "--epochs",
                "2", "--out", out.toString(), "--resume");
        assertEquals(1, other.exitCode(), other.toString());
        assertEquals(List.of("jcnn: --resume: checkpoint " + out.resolve("checkpoint.jcnn") + " was trained with other"
                + " settings (--limit (training images) was 256, now 128; --lr was 0.02, now 0.05); resume with the"
                + " same ones, or start a new run with --out"), other.errLines());
    }

    /** A kill between the checkpoint's rename and the metrics write used to lose those epochs' rows for good. */
    @Test
    void metricsLostToAKillAreRebuiltFromTheCheckpoint() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, train(out, "--epochs", "2").exitCode());
        List<String> rows = Files.readAllLines(out.resolve(MetricsWriter.CSV_FILE));
        Files.delete(out.resolve(MetricsWriter.CSV_FILE));
        Files.delete(out.resolve(MetricsWriter.JSON_FILE));
        CliRun resumed = train(out, "--epochs", "3", "--resume");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        List<String> after = Files.readAllLines(out.resolve(MetricsWriter.CSV_FILE));
        assertEquals(4, after.size(), "a header and three epochs: " + after);
        assertEquals(rows, after.subList(0, 3), "the first two epochs as the first run wrote them");
    }

    @Test
    void moreThreadsThanCoresGetANote() {
        int cores = Runtime.getRuntime().availableProcessors();
        CliRun accepted = CliRun.jcnn("train", "--limit", "64", "--epochs", "1", "--threads",
                Integer.toString(cores + 1), "--out", dir.resolve("threads").toString());
        assertEquals(0, accepted.exitCode(), accepted.toString());
        assertTrue(accepted.out().contains("note: --threads " + (cores + 1) + " is more than the " + cores
                + " cores here"), accepted.out());
    }
}
