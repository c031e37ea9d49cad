package io.jcnn.cli;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Sequential;
import io.jcnn.onnx.TorchStyleModels;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jcnn import}: a network laid out as PyTorch's exporter writes LeNet becomes a checkpoint that the other
 * commands take like one jcnn trained (eval, train --from, --resume, explain, export), and bad input gets one line.
 */
class ImportCommandTest {
    @TempDir
    Path dir;

    @Test
    void aPyTorchStyleLenetImportsEvaluatesFineTunesExplainsAndExportsAgain() throws Exception {
        Path onnx = Files.write(dir.resolve("torch-lenet.onnx"), TorchStyleModels.lenet(17, 1).toByteArray());
        Path imported = dir.resolve("imported.jcnn");
        CliRun run = CliRun.jcnn("import", onnx.toString(), "--out", imported.toString(), "--mean", "0.1307",
                "--std", "0.3081");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("imported " + onnx + " as 'torch-lenet' (8 layers, 431,080 parameters, 1×28×28 images) to "
                + imported + "; input normalisation mean 0.1307, std 0.3081", run.out().strip());
        Checkpoint.Header header = Checkpoint.readHeader(imported);
        assertEquals("torch-lenet", header.modelName());
        assertEquals(List.of("Conv2d", "MaxPool2d", "Conv2d", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear"),
                header.architecture().stream().map(io.jcnn.model.LayerSpec::kind).toList());
        assertEquals("pytorch", header.metadata().get("onnx.producer"));
        assertEquals("17", header.metadata().get("onnx.opset"));
        assertEquals("torch-lenet.onnx", header.metadata().get("onnx.file"));
        assertEquals(null, header.state(), "parameters only");

        CliRun eval = CliRun.jcnn("eval", imported.toString());
        assertEquals(0, eval.exitCode(), eval.toString());
        assertTrue(eval.out().startsWith("torch-lenet on sample (test split): accuracy "), eval.out());

        // Fine-tune one epoch from the random weights: the model, its weights and its normalisation come along.
        Path out = dir.resolve("tuned");
        CliRun tune = CliRun.jcnn("train", "--from", imported.toString(), "--epochs", "1", "--out", out.toString(),
                "--threads", "2");
        assertEquals(0, tune.exitCode(), tune.toString());
        assertTrue(tune.out().contains("starting from the parameters of " + imported
                + "; input normalisation mean 0.1307, std 0.3081"), tune.out());
        assertTrue(tune.out().contains("model torch-lenet (431,080 parameters)"), tune.out());
        double accuracy = accuracy(tune.out(), "test accuracy ([0-9.]+)% after 1 epochs");
        assertTrue(accuracy > 80, "one epoch of fine-tuning: " + tune.out());
        Path tuned = out.resolve("checkpoint.jcnn");
        assertEquals("0.1307", Checkpoint.readHeader(tuned).metadata().get("normalization.mean"));
        CliRun evalTuned = CliRun.jcnn("eval", tuned.toString());
        assertEquals(accuracy, accuracy(evalTuned.out(), "accuracy ([0-9.]+)%"), 1e-9, evalTuned.out());

        // Resuming needs no --from or --model: the checkpoint holds the model.
        CliRun shortRun = CliRun.jcnn("train", "--from", imported.toString(), "--epochs", "1", "--limit", "512",
                "--out", dir.resolve("tuned-short").toString());
        assertEquals(0, shortRun.exitCode(), shortRun.toString());
        CliRun again = CliRun.jcnn("train", "--resume", "--epochs", "2", "--limit", "512", "--out",
                dir.resolve("tuned-short").toString());
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("model torch-lenet (431,080 parameters)"), again.out());
        assertTrue(again.out().contains("at epoch 2, batch 0"), again.out());

        Path saliency = dir.resolve("saliency.png");
        CliRun explain = CliRun.jcnn("explain", "saliency", tuned.toString(), "--index", "0", "--out",
                saliency.toString());
        assertEquals(0, explain.exitCode(), explain.toString());
        BufferedImage map = ImageIO.read(saliency.toFile());
        int brightest = 0;
        for (int y = 0; y < map.getHeight(); y++) {
            for (int x = 0; x < map.getWidth(); x++) {
                brightest = Math.max(brightest, map.getRaster().getSample(x, y, 0));
            }
        }
        assertEquals(255, brightest, "the most salient pixel is white");

        // Export again: ONNX Runtime computes what jcnn computes.
        Path exported = dir.resolve("tuned.onnx");
        CliRun export = CliRun.jcnn("export", tuned.toString(), "--out", exported.toString(), "--batch-size", "4");
        assertEquals(0, export.exitCode(), export.toString());
        float[] images = new float[4 * 784];
        Normalization norm = new Normalization(0.1307f, 0.3081f);
        byte[] pixels = Mnist.sample().test().pixels();
        for (int i = 0; i < images.length; i++) {
            images[i] = norm.apply(pixels[i] & 0xFF);
        }
        float[] expected;
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = TrainedModels.load(cpu, tuned,
                Checkpoint.readHeader(tuned), 4); Tensor x = cpu.allocate(Shape.of(4, 1, 28, 28))) {
            x.copyFrom(images);
            expected = model.forward(x, false).toArray();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(exported.toString());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), new long[] {4, 1, 28, 28});
             OrtSession.Result result = session.run(Map.of("input", x))) {
            float[] actual = flatten((float[][]) result.get(0).getValue());
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "logit " + i);
            }
        }
        // And the exported file imports back to the same parameters, bit for bit.
        Path back = dir.resolve("back.jcnn");
        assertEquals(0, CliRun.jcnn("import", exported.toString(), "--out", back.toString()).exitCode());
        try (CpuBackend cpu = new CpuBackend(1);
             Sequential a = TrainedModels.load(cpu, tuned, Checkpoint.readHeader(tuned), 1);
             Sequential b = TrainedModels.load(cpu, back, Checkpoint.readHeader(back), 1)) {
            assertEquals(a.params().size(), b.params().size());
            for (int i = 0; i < a.params().size(); i++) {
                assertArrayEquals(a.params().get(i).value().toArray(), b.params().get(i).value().toArray());
            }
        }
        assertEquals("0.1307", Checkpoint.readHeader(back).metadata().get("normalization.mean"),
                "the normalisation travels in the exported file");
    }

    @Test
    void aModelOfFeatureInputTakesImagesWithTheirShape() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        GraphProto.Builder g = GraphProto.newBuilder().setName("torch_mlp")
                .addInput(TorchStyleModels.info("x", 1, 784))
                .addInitializer(TorchStyleModels.floats("fc.weight", r, 10, 784))
                .addInitializer(TorchStyleModels.floats("fc.bias", r, 10))
                .addNode(TorchStyleModels.node("Gemm", "/fc/Gemm", List.of("x", "fc.weight", "fc.bias"), "y",
                        AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT)
                                .setI(1).build()))
                .addOutput(ValueInfoProto.newBuilder().setName("y"));
        Path onnx = Files.write(dir.resolve("mlp.onnx"), model(g, 13).toByteArray());
        Path out = dir.resolve("mlp.jcnn");
        expectFailure(2, "the model's input is 1×784 (features, not images); the jcnn commands feed images: give"
                + " --image CxHxW with C·H·W = 784, such as --image 1x28x28", "import", onnx.toString(), "--out",
                out.toString());
        expectFailure(2, "--image 1x28x27 has 756 values but the model's input has 784 features", "import",
                onnx.toString(), "--out", out.toString(), "--image", "1x28x27");
        assertFalse(Files.exists(out), "nothing is written on failure");
        CliRun run = CliRun.jcnn("import", onnx.toString(), "--out", out.toString(), "--image", "1x28x28");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("(1 layers, 7,850 parameters, 1×28×28 images)"), run.out());
        assertTrue(run.out().contains("(none recorded: pixels scaled to [0, 1];"), run.out());
        CliRun eval = CliRun.jcnn("eval", out.toString());
        assertEquals(0, eval.exitCode(), eval.toString());
    }

    @Test
    void badInputGetsOneLineAndNothingIsWritten() throws Exception {
        Path out = dir.resolve("out.jcnn");
        Path garbage = Files.write(dir.resolve("garbage.onnx"), new byte[] {1, 2, 3, 4, 5, 0x7f, 0x7f});
        expectFailure(1, garbage + " is not an ONNX model", "import", garbage.toString(), "--out", out.toString());
        expectFailure(1, "cannot read ONNX model", "import", dir.resolve("none.onnx").toString(), "--out",
                out.toString());
        GraphProto.Builder upsample = GraphProto.newBuilder().addInput(TorchStyleModels.info("x", 1, 3, 8, 8))
                .addNode(TorchStyleModels.node("Upsample", "up", List.of("x"), "y"))
                .addOutput(ValueInfoProto.newBuilder().setName("y"));
        Path unsupported = Files.write(dir.resolve("up.onnx"), model(upsample, 13).toByteArray());
        expectFailure(1, "node 0 'up' (Upsample) is not supported; supported ops: Conv,", "import",
                unsupported.toString(), "--out", out.toString());
        byte[] lenet = TorchStyleModels.lenet(13, 1).toByteArray();
        Path truncated = Files.write(dir.resolve("truncated.onnx"), java.util.Arrays.copyOf(lenet,
                lenet.length / 2));
        expectFailure(1, "is not an ONNX model (or is truncated)", "import", truncated.toString(), "--out",
                out.toString());
        Path good = Files.write(dir.resolve("lenet.onnx"), lenet);
        expectFailure(2, "--name 'a b' is not a valid model name", "import", good.toString(), "--out",
                out.toString(), "--name", "a b");
        Path spaced = Files.write(dir.resolve("my model.onnx"), lenet);
        expectFailure(2, "the file's name 'my model' (the default model name) is not a valid model name: use 1 to 64"
                + " letters, digits, '.', '_' or '-', starting with a letter or digit; give one with --name", "import",
                spaced.toString(), "--out", out.toString());
        expectFailure(2, "--mean and --std go together", "import", good.toString(), "--out", out.toString(),
                "--mean", "0.1");
        expectFailure(2, "--mean/--std: normalization needs a finite mean and a positive finite std", "import",
                good.toString(), "--out", out.toString(), "--mean", "0.1", "--std", "0");
        expectFailure(2, "--image 1x32x32 differs from the model's input 1×1×28×28", "import", good.toString(),
                "--out", out.toString(), "--image", "1x32x32");
        expectFailure(2, "--out " + dir + " is a directory; expected a file", "import", good.toString(), "--out",
                dir.toString());
        expectFailure(2, "--from and --model exclude each other", "train", "--from", good.toString(), "--model",
                "lenet");
        assertFalse(Files.exists(out), "nothing is written on failure");
    }

    private static ModelProto model(GraphProto.Builder graph, int opset) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(graph).build();
    }

    private static double accuracy(String output, String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        assertTrue(m.find(), output);
        return Double.parseDouble(m.group(1));
    }

    private static float[] flatten(float[][] rows) {
        float[] all = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, all, i * rows[0].length, rows[i].length);
        }
        return all;
    }

    private static void expectFailure(int exit, String message, String... args) {
        CliRun run = CliRun.jcnn(args);
        assertEquals(exit, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.err().startsWith("jcnn: ") && run.err().contains(message), run.toString());
    }
}
