package io.jcnn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.onnx.OnnxExport;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Train LeNet, export it, and serve it in ONNX Runtime: the same scores as jcnn's, and the right digits. */
class RunExportedInOnnxRuntimeTest {
    @TempDir
    Path dir;

    @Test
    void theExportedLenetScoresDigitsAsJcnnDoes() throws Exception {
        Path checkpoint = dir.resolve("lenet.jcnn");
        Path onnx = dir.resolve("lenet.onnx");
        Dataset test = Mnist.sample().test();
        try (CpuBackend cpu = new CpuBackend()) {
            LenetOnMnistSample.run(cpu, 1, checkpoint);
            Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
            Normalization norm = new Normalization(Float.parseFloat(header.metadata().get("normalization.mean")),
                    Float.parseFloat(header.metadata().get("normalization.std")));
            try (Sequential model = Models.lenet(); Tensor x = cpu.allocate(Shape.nchw(1, 1, 28, 28))) {
                model.compile(cpu, x.shape(), 0);
                Checkpoint.load(checkpoint, model, null);
                OnnxExport.write(model, onnx, Map.of("jcnn.normalization.mean", Float.toString(norm.mean()),
                        "jcnn.normalization.std", Float.toString(norm.std())));
                int right = 0;
                for (int i = 0; i < 20; i++) {
                    byte[] pixels = Arrays.copyOfRange(test.pixels(), i * 784, (i + 1) * 784);
                    float[] image = new float[784];
                    for (int p = 0; p < 784; p++) {
                        image[p] = norm.apply(pixels[p]);
                    }
                    x.copyFrom(image);
                    float[] expected = model.forward(x, false).toArray();
                    float[] scores = RunExportedInOnnxRuntime.scores(onnx, pixels);
                    for (int k = 0; k < 10; k++) {
                        assertEquals(expected[k], scores[k], 1e-4f * (1 + Math.abs(expected[k])), "digit " + i);
                    }
                    right += argMax(scores) == test.label(i) ? 1 : 0;
                }
                assertEquals(20, right, 2, "one epoch of training gets most of 20 digits right");
            }
        }
    }

    private static int argMax(float[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            best = v[k] > v[best] ? k : best;
        }
        return best;
    }
}
