package io.jcnn.cli;

import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train, eval, predict and download, run in-process as a user would type them. */
class TrainingCommandsTest {
    @TempDir
    Path dir;

    private Path trainQuickly(Path out) {
        CliRun run = CliRun.jcnn("train", "--epochs", "2", "--limit", "512", "--out", out.toString(), "--threads",
                "2");
        assertEquals(0, run.exitCode(), run.toString());
        return out.resolve("checkpoint.jcnn");
    }

    @Test
    void trainLeavesACheckpointMetricsAndAPlotThatEvalAndResumeUse() throws IOException {
        Path out = dir.resolve("run");
        Path checkpoint = trainQuickly(out);
        for (String file : new String[]{"checkpoint.jcnn", "metrics.csv", "metrics.json", "training-curves.png"}) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "a header and two epochs");

        CliRun eval = CliRun.jcnn("eval", checkpoint.toString());
        assertEquals(0, eval.exitCode(), eval.toString());
        assertTrue(eval.out().startsWith("lenet on sample (test split): accuracy "), eval.out());
        assertEquals(12, eval.outLines().size(), "a summary, a header and ten rows:\n" + eval.out());

        CliRun resumed = CliRun.jcnn("train", "--epochs", "3", "--limit", "512", "--out", out.toString(),
                "--resume");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("resuming from " + checkpoint + " at epoch 3, batch 0"), resumed.out());
        assertTrue(resumed.out().contains("note: the run began with --epochs 2"), resumed.out());
        assertEquals(4, Files.readAllLines(out.resolve("metrics.csv")).size(), "earlier epochs are kept");
    }

    @Test
    void devicesTrainsDataParallelReplicasThatMatchOneDevice() throws IOException {
        Path parallel = dir.resolve("parallel");
        CliRun run = CliRun.jcnn("train", "--devices", "cpu,cpu", "--epochs", "1", "--limit", "512", "--out",
                parallel.toString(), "--threads", "2");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("on 2 replicas (cpu,cpu), gradients averaged through host memory; rank 0: cpu:"
                + " pure Java, 1 threads"), run.out());
        assertTrue(!run.out().contains("device auto"), run.out());
        CliRun single = CliRun.jcnn("train", "--device", "cpu", "--epochs", "1", "--limit", "512", "--out",
                dir.resolve("single").toString(), "--threads", "2");
        assertEquals(0, single.exitCode(), single.toString());
        // One epoch of 8 batches: the two runs differ by float rounding only.
        String[] one = Files.readAllLines(dir.resolve("single").resolve("metrics.csv")).get(1).split(",");
        String[] two = Files.readAllLines(parallel.resolve("metrics.csv")).get(1).split(",");
        for (int column = 1; column <= 4; column++) {
            assertEquals(Double.parseDouble(one[column]), Double.parseDouble(two[column]), 1e-4,
                    "metrics.csv column " + column);
        }
        CliRun resumed = CliRun.jcnn("train", "--devices", "cpu,cpu", "--epochs", "2", "--limit", "512", "--out",
                parallel.toString(), "--threads", "2", "--resume");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertEquals(3, Files.readAllLines(parallel.resolve("metrics.csv")).size(), "a header and two epochs");
    }

    @Test
    void checkAgainstCpuReportsTheLargestDifferencePerOp() {
        CliRun run = CliRun.jcnn("train", "--check-against-cpu", "--epochs", "1", "--limit", "128", "--out",
                dir.resolve("checked").toString(), "--threads", "2");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("(every op checked against cpu)"), run.out());
        int report = run.outLines().indexOf("largest differences from the CPU backend, per op:");
        assertTrue(report > 0, run.out());
        // The same backend on both sides, with the same thread count: no op differs.
        assertTrue(run.outLines().stream().skip(report + 1).anyMatch(l -> l.matches(
                "  conv2dForwardBias +\\d+ calls  max abs 0\\.00  max rel 0\\.00")), run.out());
    }

    @Test
    void predictReadsDarkOnLightDrawingsByInvertingThem() throws IOException {
        Path checkpoint = trainQuickly(dir.resolve("run"));
        Dataset test = Mnist.sample().test();
        int index = 0;
        while (test.label(index) != 1) {
            index++;
        }
        // The digit as black ink on white paper, twice the size: predict must shrink and invert it.
        BufferedImage image = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                int v = 255 - (test.pixels()[index * 784 + (y / 2) * 28 + x / 2] & 0xFF);
                image.getRaster().setSample(x, y, 0, v);
            }
        }
        Path png = dir.resolve("one.png");
        ImageIO.write(image, "png", png.toFile());
        CliRun run = CliRun.jcnn("predict", checkpoint.toString(), png.toString(), "--top", "2");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith(png + ": 1 ("), run.out());

        CliRun notAnImage = CliRun.jcnn("predict", checkpoint.toString(), dir.resolve("run").resolve("metrics.csv")
                .toString());
        assertEquals(1, notAnImage.exitCode());
        assertEquals(1, notAnImage.errLines().size(), notAnImage.toString());
    }

    @Test
    void exportWritesTheCheckpointsModelAsOnnxThatOnnxRuntimeRuns() throws Exception {
        Path checkpoint = trainQuickly(dir.resolve("run"));
        Path onnx = dir.resolve("out").resolve("lenet.onnx");
        CliRun run = CliRun.jcnn("export", checkpoint.toString(), "--out", onnx.toString(), "--batch-size", "3");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("exported " + checkpoint + " (lenet, 431,080 parameters) to " + onnx
                + ": input 3×1×28×28 'input', output 3×10 'output'"), run.out());
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession session = env.createSession(onnx.toString())) {
            assertEquals("lenet", session.getMetadata().getCustomMetadata().get("jcnn.model"));
            assertTrue(session.getMetadata().getCustomMetadata().containsKey("jcnn.normalization.mean"));
            assertEquals(java.util.Set.of("input"), session.getInputNames());
        }
        expectFailure(2, "--format must be onnx, got 'tflite'", "export", checkpoint.toString(), "--out",
                onnx.toString(), "--format", "tflite");
        expectFailure(2, "--batch-size must be at least 1, got 0", "export", checkpoint.toString(), "--out",
                onnx.toString(), "--batch-size", "0");
        expectFailure(1, "no such file", "export", dir.resolve("none.jcnn").toString(), "--out", onnx.toString());
    }

    @Test
    void badInputGetsOneLineAndANonZeroExit() throws IOException {
        Path checkpoint = trainQuickly(dir.resolve("run"));
        byte[] bytes = Files.readAllBytes(checkpoint);
        bytes[bytes.length / 3] ^= 1;
        Path corrupt = Files.write(dir.resolve("corrupt.jcnn"), bytes);
        expectFailure(1, "is corrupted: checksum mismatch", "eval", corrupt.toString());
        expectFailure(1, "holds model 'lenet' but --model is 'mlp'", "train", "--model", "mlp", "--out",
                dir.resolve("run").toString(), "--resume");
        expectFailure(1, "no such file", "train", "--out", dir.resolve("fresh").toString(), "--resume");
        expectFailure(1, "was trained with --batch-size 64; resume with the same batch size, not 32", "train",
                "--batch-size", "32", "--out", dir.resolve("run").toString(), "--resume");
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        expectFailure(1, "is a file, expected a directory", "train", "--out", file.toString());
        expectFailure(1, "is not a directory", "train", "--data", dir.resolve("nowhere").toString(), "--out",
                dir.resolve("o").toString());
        expectFailure(1, "strict mode: device auto would fall back to cpu (cuda ", "train", "--strict", "--out",
                dir.resolve("strict").toString());
        expectFailure(2, "--model: unknown model 'resnet'", "train", "--model", "resnet");
        expectFailure(2, "--devices: device list 'cuda:0,cuda:0' names cuda:0 twice", "train", "--devices",
                "cuda:0,cuda:0");
        expectFailure(2, "--devices: device list 'gpu' : 'gpu' is not a device".replace(" :", ":"), "train",
                "--devices", "gpu");
        expectFailure(2, "--batch-size 64 does not split evenly over the 3 devices of --devices cpu,cpu,cpu; use a"
                + " multiple of 3", "train", "--devices", "cpu,cpu,cpu");
        expectFailure(2, "--devices and --device exclude each other", "train", "--devices", "cpu,cpu", "--device",
                "cpu");
        expectFailure(2, "--check-against-cpu checks one device; it does not combine with --devices", "train",
                "--devices", "cpu,cpu", "--check-against-cpu");
        // Here no GPU at all; on a GPU machine, no GPU 7.
        expectFailure(1, " of the device list cuda:0,cuda:7: ", "train", "--devices", "cuda:0,cuda:7", "--out",
                dir.resolve("gpus").toString());
        expectFailure(2, "--batch-size must be at least 1", "train", "--batch-size", "0");
        expectFailure(2, "--rotate must be 0 to 180 degrees, got -5.0", "train", "--rotate", "-5");
        expectFailure(2, "--scale must be 0 to 0.5, got 0.9", "train", "--scale", "0.9");
        expectFailure(2, "--invert must be auto, yes or no", "predict", checkpoint.toString(), "x.png",
                "--invert", "maybe");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        expectFailure(1, "cannot download http://127.0.0.1:" + closedPort + "/train-images-idx3-ubyte.gz",
                "download", "--dir", dir.resolve("mnist").toString(), "--base-url", "http://127.0.0.1:" + closedPort);
    }

    private static void expectFailure(int exit, String message, String... args) {
        CliRun run = CliRun.jcnn(args);
        assertEquals(exit, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.err().startsWith("jcnn: ") && run.err().contains(message), run.toString());
    }
}
