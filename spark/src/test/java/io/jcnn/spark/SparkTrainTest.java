package io.jcnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.model.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit main class, in local mode: MNIST IDX files read through Hadoop, a checkpoint, a resume. */
class SparkTrainTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SparkTrain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trainsFromIdxFilesAtAHadoopPathAndResumes() throws IOException {
        Path data = Files.createDirectories(dir.resolve("mnist"));
        write(data, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, Mnist.sample().train().subset(0, 512));
        write(data, Mnist.TEST_IMAGES, Mnist.TEST_LABELS, Mnist.sample().test().subset(0, 128));
        Path out = dir.resolve("run");
        String[] common = {"--data", data.toUri().toString(), "--partitions", "2", "--batch-size", "32",
            "--local-steps", "2", "--out", out.toString()};
        Run first = run(concat(common, "--epochs", "1"));
        assertEquals(0, first.status(), first.toString());
        assertTrue(Files.exists(out.resolve("checkpoint.jcnn")), first.toString());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size(), "a header and one epoch");
        Run resumed = run(concat(common, "--epochs", "2", "--resume"));
        assertEquals(0, resumed.status(), resumed.toString());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "the earlier epoch is kept");
        assertEquals(3, Checkpoint.readHeader(out.resolve("checkpoint.jcnn")).state().epoch(), "two epochs done");
        Run other = run("--data", data.toUri().toString(), "--partitions", "4", "--batch-size", "32", "--local-steps",
                "2", "--out", out.toString(), "--epochs", "3", "--resume");
        assertEquals(1, other.status(), other.toString());
        assertTrue(other.err().contains("was trained with spark.partitions 2, not 4; resume with the same batch size,"
                + " partitions and local steps"), other.toString());
    }

    @Test
    void badInputEndsWithOneLine() {
        Run missing = run("--data", dir.resolve("nowhere").toUri().toString(), "--epochs", "1");
        assertEquals(1, missing.status(), missing.toString());
        assertTrue(missing.err().startsWith("jcnn-spark-train: --data ") && missing.err().contains("is not a directory")
                && missing.err().strip().lines().count() == 1, missing.toString());
        Run uneven = run("--batch-size", "33", "--partitions", "2", "--epochs", "1");
        assertEquals(1, uneven.status(), uneven.toString());
        assertTrue(uneven.err().contains("the batch of 33 images does not split evenly over 2 partitions"),
                uneven.toString());
        Run model = run("--model", "resnet");
        assertEquals(1, model.status(), model.toString());
        assertTrue(model.err().contains("unknown model 'resnet'"), model.toString());
        assertEquals(2, run("--no-such-option").status());
        Run cpuAllReduce = run("--all-reduce", "--epochs", "1");
        assertEquals(1, cpuAllReduce.status(), cpuAllReduce.toString());
        assertEquals("jcnn-spark-train: --all-reduce averages gradients through NCCL between GPUs; use it with"
                + " --device gpu", cpuAllReduce.err().strip(), cpuAllReduce.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** {@code data} as the two IDX files MNIST comes in. */
    private static void write(Path dir, String images, String labels, Dataset data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16).putInt(0x803).putInt(data.size()).putInt(data.height())
                .putInt(data.width());
        byte[] imageFile = new byte[16 + data.pixels().length];
        System.arraycopy(header.array(), 0, imageFile, 0, 16);
        System.arraycopy(data.pixels(), 0, imageFile, 16, data.pixels().length);
        Files.write(dir.resolve(images), imageFile);
        byte[] labelFile = new byte[8 + data.size()];
        System.arraycopy(ByteBuffer.allocate(8).putInt(0x801).putInt(data.size()).array(), 0, labelFile, 0, 8);
        for (int i = 0; i < data.size(); i++) {
            labelFile[8 + i] = (byte) data.label(i);
        }
        Files.write(dir.resolve(labels), labelFile);
    }
}
