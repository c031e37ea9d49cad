package io.jcnn.cli;

import io.jcnn.data.Dataset;
import io.jcnn.explain.Picture;
import io.jcnn.explain.StyleTransfer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jcnn explain style}. */
@Command(name = "style",
        mixinStandardHelpOptions = true,
        description = {"Paint one image's content in another's style (Gatys et al.), and print each loss term as it"
                + " falls.",
                "Adam moves the pixels of an image (from the content image, or seeded noise with --from-noise) to"
                        + " match the content image's activations at --content-layer and the Gram matrices of the"
                        + " style image's feature maps at --style-layers, with a total-variation penalty, keeping"
                        + " pixels between black and white. The images may be of any size the layers take."})
final class StyleCommand extends ExplainSubcommand {
    /** The largest image side taken: the optimisation runs the layers a few hundred times. */
    static final int MAX_SIDE = 512;
    private static final StyleTransfer.Settings DEFAULTS = StyleTransfer.Settings.defaults();

    @Mixin
    ScaleOption scale;

    @Option(names = "--content", paramLabel = "FILE", description = "The content image, PNG or JPEG.")
    private Path contentFile;

    @Option(names = "--content-index", paramLabel = "N", description = "Use test image N of --data as the content.")
    private Integer contentIndex;

    @Option(names = "--style", paramLabel = "FILE", description = "The style image, PNG or JPEG.")
    private Path styleFile;

    @Option(names = "--style-index", paramLabel = "N", description = "Use test image N of --data as the style.")
    private Integer styleIndex;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DataSources.SAMPLE,
            description = "With --content-index or --style-index: 'sample' (the bundled MNIST digits) or a directory"
                    + " of MNIST IDX files or CIFAR-10 batches. Default: ${DEFAULT-VALUE}.")
    private String data;

    @Option(names = "--invert", paramLabel = "WHEN", defaultValue = "auto",
            description = "Invert grey image files: yes, no, or auto (when the border is light). Default:"
                    + " ${DEFAULT-VALUE}.")
    private String invert;

    @Option(names = "--content-layer", paramLabel = "NAME",
            description = "The layer whose activations carry the content. Default: the last convolution's output.")
    private String contentLayer;

    @Option(names = "--style-layers", paramLabel = "NAME", split = ",",
            description = "The layers whose Gram matrices carry the style, comma-separated. Default: every"
                    + " convolution's output (after its activation where it has one).")
    private List<String> styleLayers;

    @Option(names = "--content-weight", paramLabel = "W", description = "Default: ${DEFAULT-VALUE}.")
    private float contentWeight = DEFAULTS.contentWeight();

    @Option(names = "--style-weight", paramLabel = "W", description = "Default: ${DEFAULT-VALUE}.")
    private float styleWeight = DEFAULTS.styleWeight();

    @Option(names = "--tv-weight", paramLabel = "W",
            description = "Weight of the total-variation (smoothness) penalty. Default: ${DEFAULT-VALUE}.")
    private float tvWeight = DEFAULTS.tvWeight();

    @Option(names = "--steps", paramLabel = "N", description = "Adam steps. Default: ${DEFAULT-VALUE}.")
    private int steps = DEFAULTS.steps();

    @Option(names = "--learning-rate", paramLabel = "RATE",
            description = "Adam's step size in input units. Default: ${DEFAULT-VALUE}.")
    private float learningRate = DEFAULTS.learningRate();

    @Option(names = "--from-noise", description = "Start from seeded noise around mid-grey instead of the content.")
    private boolean fromNoise;

    @Option(names = "--noise", paramLabel = "STD",
            description = "Standard deviation of that noise (in input units). Default: ${DEFAULT-VALUE}.")
    private float noise = DEFAULTS.startNoise();

    @Option(names = "--seed", paramLabel = "N", description = "Seeds the noise. Default: ${DEFAULT-VALUE}.")
    private long seed = DEFAULTS.seed();

    @Mixin
    private PixelRangeOption pixels;

    @Option(names = "--report-every", paramLabel = "N",
            description = "Print the losses every N steps (1 for every step). Default: ${DEFAULT-VALUE}.")
    private int reportEvery = 25;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "styled.png",
            description = "The PNG to write. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    void checkOptions() {
        if ((contentFile == null) == (contentIndex == null)) {
            throw usageError("give the content image as --content FILE or --content-index N (one of them)");
        }
        if ((styleFile == null) == (styleIndex == null)) {
            throw usageError("give the style image as --style FILE or --style-index N (one of them)");
        }
        for (Integer index : new Integer[] {contentIndex, styleIndex}) {
            if (index != null && index < 0) {
                throw usageError("an image index must be at least 0, got " + index);
            }
        }
        if (!ModelInputs.INVERT_CHOICES.contains(invert)) {
            throw usageError("--invert must be auto, yes or no, got '" + invert + "'");
        }
        if (reportEvery < 1) {
            throw usageError("--report-every must be at least 1, got " + reportEvery);
        }
        try {
            settings(null);
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
    }

    private StyleTransfer.Settings settings(ExplainedModel model) {
        return new StyleTransfer.Settings(steps, learningRate, contentWeight, styleWeight, tvWeight, fromNoise, noise,
                seed, pixels.range(model));
    }

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        Picture content = image(model, contentFile, contentIndex, "--content");
        Picture style = image(model, styleFile, styleIndex, "--style");
        String contentAt = contentLayer != null ? contentLayer : StyleTransfer.defaultContentLayer(model.model());
        List<String> styleAt = styleLayers != null ? styleLayers : StyleTransfer.defaultStyleLayers(model.model());
        out.printf(Locale.ROOT, "content %s at layer %s; style %s at layers %s%n", describe(contentFile, contentIndex),
                contentAt, describe(styleFile, styleIndex), String.join(", ", styleAt));
        StyleTransfer.Result result = StyleTransfer.run(model.model(), contentAt, styleAt, content, style,
                settings(model));
        double[] total = result.total();
        for (int step = 0; step < total.length; step++) {
            if (step % reportEvery == 0 || step == total.length - 1) {
                out.printf(Locale.ROOT, "step %4d  content %.5f  style %.6f  variation %.5f  total %.5f%n", step,
                        result.content()[step], result.style()[step], result.variation()[step], total[step]);
            }
        }
        out.println("wrote " + write(pixels.draw(result.image(), model, scale.of(content.width(), 112)), this.out));
        return 0;
    }

    private String describe(Path file, Integer index) {
        return file != null ? file.toString() : "test image " + index + " of " + data;
    }

    /** An image file at its own size, or a test image of --data, in the model's input units. */
    private Picture image(ExplainedModel model, Path file, Integer index, String option) throws IOException {
        int channels = model.sample().dim(0);
        if (file == null) {
            Dataset test = DataSources.forCheckpoint(data, "test", model.checkpoint(), model.header());
            if (index >= test.size()) {
                throw new IllegalArgumentException(option + "-index " + index + " is out of range: the test split of '"
                        + data + "' has " + test.size() + " images (0 to " + (test.size() - 1) + ")");
            }
            int size = test.sampleSize();
            float[] values = new float[size];
            for (int i = 0; i < size; i++) {
                values[i] = model.normalization().apply(test.pixels()[index * size + i]);
            }
            return new Picture(test.channels(), test.height(), test.width(), values);
        }
        BufferedImage image = ImageLoader.read(file);
        if (image.getWidth() > MAX_SIDE || image.getHeight() > MAX_SIDE) {
            throw new IllegalArgumentException(option + " " + file + " is " + image.getHeight() + "×"
                    + image.getWidth() + " pixels; style takes images of up to " + MAX_SIDE + "×" + MAX_SIDE
                    + ": shrink it first");
        }
        byte[] pixels = ImageLoader.convert(image, channels, image.getHeight(), image.getWidth());
        return new Picture(channels, image.getHeight(), image.getWidth(), ModelInputs.prepare(pixels, channels,
                image.getHeight(), image.getWidth(), invert, model.normalization()));
    }
}
