package io.jcnn.examples;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Serves a model that {@code jcnn export} (or {@code OnnxExport}) wrote, with ONNX Runtime alone: the class scores
 * of one of the MNIST sample's test digits, normalised as the file's metadata says. Run:
 * {@code java -cp 'lib/*' io.jcnn.examples.RunExportedInOnnxRuntime lenet.onnx [INDEX]}.
 */
public final class RunExportedInOnnxRuntime {
    private RunExportedInOnnxRuntime() {
    }

    /** The scores the model in {@code onnx} gives the 28×28 digit {@code pixels} (bytes 0-255, row by row). */
    public static float[] scores(Path onnx, byte[] pixels) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.toString())) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            float mean = Float.parseFloat(meta.getOrDefault("jcnn.normalization.mean", "0"));
            float std = Float.parseFloat(meta.getOrDefault("jcnn.normalization.std", "1"));
            float[] image = new float[pixels.length];
            for (int i = 0; i < image.length; i++) {
                image[i] = ((pixels[i] & 0xFF) / 255f - mean) / std;
            }
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 1, 28, 28});
                 OrtSession.Result result = session.run(Map.of("input", input))) {
                return ((float[][]) result.get("output").orElseThrow().getValue())[0];
            }
        }
    }

    public static void main(String[] args) throws OrtException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: RunExportedInOnnxRuntime MODEL.onnx [INDEX]");
            System.exit(2);
        }
        Dataset test = Mnist.sample().test();
        int index = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        byte[] pixels = java.util.Arrays.copyOfRange(test.pixels(), index * 784, (index + 1) * 784);
        float[] scores = scores(Path.of(args[0]), pixels);
        int best = 0;
        for (int k = 1; k < scores.length; k++) {
            best = scores[k] > scores[best] ? k : best;
        }
        System.out.printf("test digit %d (a %d): ONNX Runtime says %d%n", index, test.label(index), best);
    }
}
