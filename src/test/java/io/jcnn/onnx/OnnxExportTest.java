package io.jcnn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.ModelSpec;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Layer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo model, and a model of the layers the zoo lacks (batch norm with moved running statistics, leaky ReLU,
 * padded average pooling, sigmoid, tanh, log-softmax), exported and run in ONNX Runtime on the same random images as
 * jcnn's CPU backend: the outputs agree within 1e-5.
 */
class OnnxExportTest {

    static java.util.List<String> zoo() {
        return Models.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void onnxRuntimeRunsTheExportAsJcnnDoes(String name) throws Exception {
        ModelSpec spec = Models.spec(name);
        int batch = 2;
        Shape input = Shape.nchw(batch, spec.channels(), spec.height(), spec.width());
        float[] images = TestData.uniform(5, input.size());
        try (CpuBackend cpu = new CpuBackend(2);
             Sequential model = spec.create();
             Tensor x = cpu.allocate(input)) {
            model.compile(cpu, input, 7);
            for (Tensor buffer : model.buffers()) {
                // Running mean in [-0.5, 0.5), running variance in [0.5, 1.5).
                float[] v = TestData.uniform(buffer.shape().size(), buffer.shape().size());
                boolean variance = model.buffers().indexOf(buffer) % 2 == 1;
                for (int i = 0; i < v.length; i++) {
                    v[i] = variance ? 1f + v[i] / 2 : v[i] / 2;
                }
                buffer.copyFrom(v);
            }
            x.copyFrom(images);
            float[] expected = model.forward(x, false).toArray();
            byte[] onnx = OnnxExport.toBytes(model, Map.of("jcnn.normalization", "mean=0.13 std=0.31"));
            float[] actual = run(onnx, images, input);
            assertEquals(expected.length, actual.length);
            double largest = 0;
            for (float e : expected) {
                largest = Math.max(largest, Math.abs(e));
            }
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 * Math.max(largest, 1e-3), name + " output " + i);
            }
            for (Layer layer : model.layers()) {
                if (layer instanceof io.jcnn.nn.Dropout) {
                    continue;   // the identity at inference: no node
                }
                assertTrue(new String(onnx, java.nio.charset.StandardCharsets.ISO_8859_1).contains(layer.name()),
                        "a node or initializer named after " + layer.name());
            }
        }
    }

    @Test
    void batchNormAndTheOtherLayersOutsideTheZooRunInOnnxRuntimeAsInJcnn() throws Exception {
        Shape input = Shape.nchw(2, 3, 8, 8);
        float[] images = TestData.uniform(8, input.size());
        try (CpuBackend cpu = new CpuBackend(2);
             Sequential model = new Sequential("others", new io.jcnn.nn.Conv2d("conv", 4, 3,
                     io.jcnn.backend.ConvSpec.of(1, 1)), new io.jcnn.nn.BatchNorm2d("bn", 0.2f, 1e-3f),
                     new io.jcnn.nn.LeakyReLU("leaky", 0.1f), new io.jcnn.nn.AvgPool2d("avg",
                     new io.jcnn.backend.PoolSpec(io.jcnn.backend.PoolMode.AVERAGE, 3, 3, 2, 2, 1, 1)),
                     new io.jcnn.nn.Sigmoid("sigmoid"), new io.jcnn.nn.Flatten("flat"), new io.jcnn.nn.Linear("fc", 6),
                     new io.jcnn.nn.Tanh("tanh"), new io.jcnn.nn.Softmax("logprob", true));
             Tensor x = cpu.tensor(input, images)) {
            model.compile(cpu, input, 3);
            model.forward(x, true);   // a training pass moves batch norm's running statistics off their start
            float[] expected = model.forward(x, false).toArray();
            float[] actual = run(OnnxExport.toBytes(model, Map.of()), images, input);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), "output " + i);
            }
        }
    }

    @Test
    void writesTheFileAtomicallyAndRefusesWhatItCannotExport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lenet.onnx");
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = Models.lenet()) {
            IllegalArgumentException notCompiled = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExport.write(model, file, Map.of()));
            assertTrue(notCompiled.getMessage().contains("compile it first"), notCompiled.getMessage());
            assertFalse(Files.exists(file));
            model.compile(cpu, Shape.nchw(1, 1, 28, 28), 1);
            OnnxExport.write(model, file, Map.of("jcnn.model", "lenet"));
            byte[] written = Files.readAllBytes(file);
            assertEquals(OnnxExport.toBytes(model, Map.of("jcnn.model", "lenet")).length, written.length);
            try (var listing = Files.list(dir)) {
                assertEquals(1, listing.count(), "no temporary file left");
            }
            Files.writeString(dir.resolve("a-file"), "not a directory");
            Path blocked = dir.resolve("a-file").resolve("lenet.onnx");
            java.io.IOException e = assertThrows(java.io.IOException.class,
                    () -> OnnxExport.write(model, blocked, Map.of()));
            assertTrue(e.getMessage().startsWith("cannot write ONNX model " + blocked), e.getMessage());
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)));
        }
    }

    private static float[] run(byte[] onnx, float[] images, Shape input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = new long[input.rank()];
        for (int d = 0; d < dims.length; d++) {
            dims[d] = input.dim(d);
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx, options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), dims);
                 OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, x))) {
                OnnxTensor y = (OnnxTensor) result.get(OnnxExport.OUTPUT).orElseThrow();
                FloatBuffer values = y.getFloatBuffer();
                float[] out = new float[values.remaining()];
                values.get(out);
                return out;
            }
        }
    }
}
