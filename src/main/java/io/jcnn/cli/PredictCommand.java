package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jcnn predict}: classifies image files with a checkpoint. */
@Command(name = "predict",
        mixinStandardHelpOptions = true,
        description = "Classify PNG or JPEG images with a checkpoint; each is converted to the model's input size"
                + " (greyscale when the model takes one channel).")
final class PredictCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private DeviceOptions device;

    @Parameters(index = "0", paramLabel = "CHECKPOINT",
            description = "A checkpoint saved by jcnn train or jcnn import.")
    private Path checkpoint;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files.")
    private List<Path> images;

    @Option(names = "--invert", paramLabel = "WHEN", defaultValue = "auto",
            description = "Invert grey images: yes, no, or auto (when the border is light, as with dark ink on"
                    + " paper, since MNIST digits are light on dark). Default: ${DEFAULT-VALUE}.")
    private String invert;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3",
            description = "How many classes to list per image. Default: ${DEFAULT-VALUE}.")
    private int top;

    @Override
    public Integer call() throws IOException {
        if (!ModelInputs.INVERT_CHOICES.contains(invert)) {
            throw new ParameterException(spec.commandLine(), "--invert must be auto, yes or no, got '" + invert + "'");
        }
        if (top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be at least 1, got " + top);
        }
        PrintWriter out = spec.commandLine().getOut();
        Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
        Shape sample = header.sampleShape();
        int channels = sample.dim(0);
        int height = sample.dim(1);
        int width = sample.dim(2);
        Normalization normalization = RunMetadata.normalization(header);
        try (Backend backend = device.createBackend();
             Sequential model = TrainedModels.load(backend, checkpoint, header, 1)) {
            int classes = model.outputShape().dim(1);
            try (Tensor input = backend.allocate(model.inputShape())) {
                for (Path image : images) {
                    byte[] pixels = ImageLoader.load(image, channels, height, width);
                    input.copyFrom(ModelInputs.prepare(pixels, channels, height, width, invert, normalization));
                    float[] probabilities = softmax(model.forward(input, false).toArray());
                    out.println(image + ": " + ranking(probabilities, Math.min(top, classes)));
                }
            }
        }
        return 0;
    }

    static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        float[] p = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            sum += Math.exp(logits[i] - max);
        }
        for (int i = 0; i < logits.length; i++) {
            p[i] = (float) (Math.exp(logits[i] - max) / sum);
        }
        return p;
    }

    /** The {@code k} likeliest classes, most likely first: {@code 7 (98.1%), 1 (1.2%)}. */
    static String ranking(float[] probabilities, int k) {
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probabilities[b], probabilities[a]));
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < k; i++) {
            if (i > 0) {
                line.append(", ");
            }
            line.append(String.format(Locale.ROOT, "%d (%.1f%%)", order[i], 100 * probabilities[order[i]]));
        }
        return line.toString();
    }
}
