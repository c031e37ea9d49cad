package io.jcnn.cli;

import io.jcnn.data.Dataset;
import io.jcnn.data.Normalization;
import io.jcnn.tensor.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The image an explain command looks at: a PNG or JPEG file ({@link ImageSubcommand}'s IMAGE), or a test image of a
 * dataset ({@code --index}); and how a file is read ({@code --invert}, {@code --resize}).
 */
final class ImageOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--index", paramLabel = "N",
            description = "Use test image N of the --data set instead of a file.")
    private Integer index;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DataSources.SAMPLE,
            description = "With --index: 'sample' (the bundled MNIST digits) or a directory of MNIST IDX files or"
                    + " CIFAR-10 batches. Default: ${DEFAULT-VALUE}.")
    private String data;

    @Option(names = "--resize",
            description = "Stretch an image file of another size to the model's input size (by default it must match).")
    private boolean resize;

    private String invert = "auto";

    @Option(names = "--invert", paramLabel = "WHEN", defaultValue = "auto",
            description = "Invert grey image files: yes, no, or auto (when the border is light, as with dark ink on"
                    + " paper, since MNIST digits are light on dark). Default: ${DEFAULT-VALUE}.")
    void setInvert(String value) {
        if (!ModelInputs.INVERT_CHOICES.contains(value)) {
            throw new ParameterException(command.commandLine(), "--invert must be auto, yes or no, got '" + value
                    + "'");
        }
        invert = value;
    }

    /**
     * An image as the model's input values (one C×H×W image), and what to call it in messages.
     *
     * @param values      normalised input values
     * @param description the file, or which test image and its label
     */
    record Input(float[] values, String description) {
    }

    /** Whether an IMAGE {@code file} (or null) or {@code --index} was given. */
    boolean given(Path file) {
        return file != null || index != null;
    }

    /** Throws a usage error unless exactly one of an IMAGE {@code file} (or null) and {@code --index} was given. */
    void check(Path file) {
        if ((file == null) == (index == null)) {
            throw new ParameterException(command.commandLine(), file == null
                    ? "an IMAGE file or --index N is required" : "give an IMAGE file or --index N, not both");
        }
        if (index != null && index < 0) {
            throw new ParameterException(command.commandLine(), "--index must be at least 0, got " + index);
        }
    }

    /** The chosen image, {@code file} or {@code --index}, prepared for {@code model}. */
    Input read(Path file, ExplainedModel model) throws IOException {
        check(file);
        return file != null ? fromFile(file, model) : fromDataset(model);
    }

    private Input fromFile(Path file, ExplainedModel model) throws IOException {
        Shape sample = model.sample();
        int channels = sample.dim(0);
        int height = sample.dim(1);
        int width = sample.dim(2);
        BufferedImage image = ImageLoader.read(file);
        if (!resize && (image.getHeight() != height || image.getWidth() != width)) {
            throw new IllegalArgumentException("image " + file + " is " + image.getHeight() + "×" + image.getWidth()
                    + " pixels (height×width) but model '" + model.header().modelName() + "' takes " + height + "×"
                    + width + " images; pass --resize to stretch it");
        }
        byte[] pixels = ImageLoader.convert(image, channels, height, width);
        return new Input(ModelInputs.prepare(pixels, channels, height, width, invert, model.normalization()),
                file.toString());
    }

    private Input fromDataset(ExplainedModel model) throws IOException {
        Dataset test = DataSources.forCheckpoint(data, "test", model.checkpoint(), model.header());
        if (index >= test.size()) {
            throw new IllegalArgumentException("--index " + index + " is out of range: the test split of '" + data
                    + "' has " + test.size() + " images (0 to " + (test.size() - 1) + ")");
        }
        int size = test.sampleSize();
        Normalization normalization = model.normalization();
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = normalization.apply(test.pixels()[index * size + i]);
        }
        return new Input(values, "test image " + index + " of " + data + " (label " + test.label(index) + ")");
    }
}
