package io.jcnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.ModelSpec;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static io.jcnn.onnx.TorchStyleModels.info;
import static io.jcnn.onnx.TorchStyleModels.ints;
import static io.jcnn.onnx.TorchStyleModels.node;

/**
 * Round trips of the zoo (export, import: the same parameters bit for bit and the same outputs), a graph laid out as
 * PyTorch's exporter lays out LeNet (MatMul + Add, Reshape with a Constant shape, opsets 13 and 17) against ONNX
 * Runtime, and the one-line refusals of what is not read.
 */
class OnnxImportTest {
    @TempDir
    Path dir;

    static List<String> zoo() {
        return Models.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void exportThenImportGivesTheSameParametersAndOutputs(String name) throws Exception {
        ModelSpec spec = Models.spec(name);
        Shape input = Shape.nchw(2, spec.channels(), spec.height(), spec.width());
        Path file = dir.resolve(name + ".onnx");
        try (CpuBackend cpu = new CpuBackend(2);
             Sequential model = spec.create();
             Tensor x = cpu.allocate(input)) {
            model.compile(cpu, input, 11);
            OnnxExport.write(model, file, Map.of());
            x.copyFrom(TestData.uniform(3, input.size()));
            float[] expected = model.forward(x, false).toArray();
            try (Sequential imported = OnnxImport.read(file, cpu)) {
                assertEquals(model.params().size(), imported.params().size());
                for (int i = 0; i < model.params().size(); i++) {
                    assertArrayEquals(model.params().get(i).value().toArray(),
                            imported.params().get(i).value().toArray(), "parameter " + i);
                }
                for (int i = 0; i < model.buffers().size(); i++) {
                    assertArrayEquals(model.buffers().get(i).toArray(), imported.buffers().get(i).toArray());
                }
                assertArrayEquals(expected, imported.forward(x, false).toArray());
                assertEquals(model.outputShape(), imported.outputShape());
            }
        }
    }

    @Test
    void batchNormRoundTripsWithItsStatisticsMomentumAndEpsilon() throws Exception {
        Path file = dir.resolve("bn.onnx");
        Shape input = Shape.nchw(2, 3, 6, 6);
        try (CpuBackend cpu = new CpuBackend(2);
             Sequential model = new Sequential("bn", new io.jcnn.nn.Conv2d("conv", 4, 3,
                     io.jcnn.backend.ConvSpec.of(1, 1)), new io.jcnn.nn.BatchNorm2d("bn", 0.2f, 1e-3f),
                     new io.jcnn.nn.ReLU("relu"), new io.jcnn.nn.Linear("fc", 5));
             Tensor x = cpu.tensor(input, TestData.uniform(4, input.size()))) {
            model.compile(cpu, input, 5);
            model.forward(x, true);   // one training pass moves the running statistics off their start
            OnnxExport.write(model, file, Map.of());
            float[] expected = model.forward(x, false).toArray();
            try (Sequential imported = OnnxImport.read(file, cpu)) {
                io.jcnn.nn.BatchNorm2d back = (io.jcnn.nn.BatchNorm2d) imported.layer("bn");
                assertEquals(0.2f, back.momentum(), 1e-7f);
                assertEquals(1e-3f, back.epsilon());
                for (int i = 0; i < model.buffers().size(); i++) {
                    assertArrayEquals(model.buffers().get(i).toArray(), imported.buffers().get(i).toArray());
                }
                assertArrayEquals(expected, imported.forward(x, false).toArray());
            }
        }
    }

    @ParameterizedTest(name = "opset {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {13, 17})
    void aPyTorchStyleLenetImportsAndAgreesWithOnnxRuntime(int opset) throws Exception {
        ModelProto onnx = TorchStyleModels.lenet(opset, 1);
        Path file = Files.write(dir.resolve("torch_lenet.onnx"), onnx.toByteArray());
        float[] images = TestData.uniform(9, 784);
        float[] expected = runtime(onnx.toByteArray(), "input.1", images, new long[] {1, 1, 28, 28});
        try (CpuBackend cpu = new CpuBackend(2);
             Sequential model = OnnxImport.read(file, cpu);
             Tensor x = cpu.tensor(Shape.nchw(1, 1, 28, 28), images)) {
            assertEquals(List.of("/conv1/Conv", "/pool1/MaxPool", "/conv2/Conv", "/pool2/MaxPool", "/Reshape",
                    "/fc1/MatMul", "/Relu", "/fc2/MatMul"), model.layers().stream().map(l -> l.name()).toList());
            float[] actual = model.forward(x, false).toArray();
            double largest = 0;
            for (float v : expected) {
                largest = Math.max(largest, Math.abs(v));
            }
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 * largest, "output " + i);
            }
        }
    }

    @Test
    void anImportedPyTorchStyleLenetFineTunesAndExplains() throws IOException {
        Path file = Files.write(dir.resolve("torch_lenet64.onnx"), TorchStyleModels.lenet(17, 64).toByteArray());
        io.jcnn.data.DatasetSplit mnist = io.jcnn.data.Mnist.sample();
        io.jcnn.data.Normalization norm = io.jcnn.data.Normalization.of(mnist.train());
        try (CpuBackend cpu = new CpuBackend(2);
             Sequential model = OnnxImport.read(file, cpu);
             io.jcnn.optim.Sgd sgd = new io.jcnn.optim.Sgd(0.01f).withMomentum(0.9f);
             io.jcnn.data.DataLoader train = new io.jcnn.data.DataLoader(mnist.train(), 64, true, norm,
                     io.jcnn.data.Augmentation.NONE, 1);
             io.jcnn.data.DataLoader test = new io.jcnn.data.DataLoader(mnist.test(), 64, false, norm,
                     io.jcnn.data.Augmentation.NONE, 1)) {
            sgd.compile(cpu, model.params());
            io.jcnn.model.TrainingResult result = io.jcnn.model.Trainer.builder(model, sgd, train).test(test)
                    .epochs(1).seed(1).build().fit();
            assertEquals(io.jcnn.model.TrainingResult.Outcome.COMPLETED, result.outcome());
            assertTrue(result.last().testAccuracy() > 0.8, "one epoch of fine-tuning: " + result.last());
            // Explain it: a saliency map of the first test digit, which must not be blank.
            try (io.jcnn.explain.InputGradient gradients = new io.jcnn.explain.InputGradient(model);
                 Tensor x = cpu.allocate(model.inputShape())) {
                float[] images = new float[model.inputShape().size()];
                for (int i = 0; i < images.length; i++) {
                    images[i] = norm.apply(mnist.test().pixels()[i]);
                }
                x.copyFrom(images);
                int[] chosen = new int[64];
                List<io.jcnn.explain.SaliencyMap> maps = io.jcnn.explain.SaliencyMap.of(gradients, x, chosen,
                        io.jcnn.explain.GradientRule.PLAIN);
                assertEquals(64, maps.size());
                float largest = 0;
                for (int y = 0; y < maps.get(0).height(); y++) {
                    for (int xx = 0; xx < maps.get(0).width(); xx++) {
                        largest = Math.max(largest, Math.abs(maps.get(0).at(y, xx)));
                    }
                }
                assertTrue(largest > 0, "the saliency map is blank");
            }
        }
    }

    @Test
    void whatIsNotReadFailsWithOneLineNamingIt() throws IOException {
        Path garbage = Files.write(dir.resolve("garbage.onnx"), new byte[] {1, 2, 3, 4, 5, 0x7f, 0x7f});
        try (CpuBackend cpu = new CpuBackend(1)) {
            IOException notOnnx = assertThrows(IOException.class, () -> OnnxImport.read(garbage, cpu));
            assertTrue(notOnnx.getMessage().contains("is not an ONNX model"), notOnnx.getMessage());
            assertTrue(assertThrows(IOException.class, () -> OnnxImport.read(dir.resolve("none.onnx"), cpu))
                    .getMessage().startsWith("cannot read ONNX model"));

            GraphProto.Builder g = GraphProto.newBuilder().addInput(info("x", 1, 3, 8, 8))
                    .addNode(node("Upsample", "up", List.of("x"), "y")).addOutput(ValueInfoProto.newBuilder()
                            .setName("y"));
            assertRefused(cpu, g, 13, "node 0 'up' (Upsample) is not supported; supported ops: Conv,");
            assertRefused(cpu, g, 9, "opset 9 of the default domain is not supported; 11 to 21 are");
            GraphProto.Builder dynamic = GraphProto.newBuilder().addInput(ValueInfoProto.newBuilder().setName("x")
                    .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1)
                            .setShape(TensorShapeProto.newBuilder()
                                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(4))))))
                    .addNode(node("Relu", "r", List.of("x"), "y")).addOutput(ValueInfoProto.newBuilder().setName("y"));
            assertRefused(cpu, dynamic, 13, "input 'x' dimension 0 is not a fixed size (batch)");
            GraphProto.Builder asymmetric = GraphProto.newBuilder().addInput(info("x", 1, 1, 8, 8))
                    .addNode(node("MaxPool", "p", List.of("x"), "y", ints("kernel_shape", 2, 2),
                            ints("pads", 0, 0, 1, 1))).addOutput(ValueInfoProto.newBuilder().setName("y"));
            assertRefused(cpu, asymmetric, 13, "node 0 'p' (MaxPool): pads [0, 0, 1, 1] are not supported");
        }
    }

    private void assertRefused(CpuBackend cpu, GraphProto.Builder g, int opset, String message) throws IOException {
        ModelProto m = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(g).build();
        Path file = Files.write(dir.resolve("refused.onnx"), m.toByteArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.read(file, cpu));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private static float[] runtime(byte[] onnx, String input, float[] values, long[] dims) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), dims);
             OrtSession.Result result = session.run(Map.of(input, x))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] v = new float[out.remaining()];
            out.get(v);
            return v;
        }
    }
}
