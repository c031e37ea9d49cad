package io.jcnn.cli;

import io.jcnn.explain.ClassVisualization;
import io.jcnn.explain.InputGradient;
import io.jcnn.explain.Picture;
import io.jcnn.explain.TileGrid;
import io.jcnn.tensor.Shape;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jcnn explain class-image}. */
@Command(name = "class-image",
        mixinStandardHelpOptions = true,
        description = {"Draw the image the network finds most typical of a class, and print its score as it rises.",
                "Gradient ascent on the input, from seeded noise (or IMAGE / --index), raises the class score"
                        + " (before softmax) with L2 regularisation, jitter and blur, keeping pixels between black and"
                        + " white. Several classes give one tile each, each drawn from its own lowest value (black)"
                        + " to its highest (white)."})
final class ClassImageCommand extends ImageSubcommand {
    @Mixin
    ScaleOption scale;

    private static final ClassVisualization.Settings DEFAULTS = ClassVisualization.Settings.defaults();

    @Option(names = "--class", paramLabel = "K", required = true, split = ",",
            description = "The class to draw; a comma-separated list draws several, side by side.")
    private List<Integer> classes;

    @Option(names = "--steps", paramLabel = "N", description = "Gradient-ascent steps. Default: ${DEFAULT-VALUE}.")
    private int steps = DEFAULTS.steps();

    @Option(names = "--learning-rate", paramLabel = "RATE", description = "Step size. Default: ${DEFAULT-VALUE}.")
    private float learningRate = DEFAULTS.learningRate();

    @Option(names = "--l2", paramLabel = "LAMBDA",
            description = "Weight of the L2 penalty on the image (in input units). Default: ${DEFAULT-VALUE}.")
    private float l2 = DEFAULTS.l2();

    @Option(names = "--jitter", paramLabel = "PIXELS",
            description = "Largest random shift of the image before each step, 0 for none. Default: ${DEFAULT-VALUE}.")
    private int jitter = DEFAULTS.jitter();

    @Option(names = "--blur", paramLabel = "SIGMA",
            description = "Standard deviation in pixels of a Gaussian blur applied every --blur-every steps, 0 for"
                    + " none. Default: ${DEFAULT-VALUE}.")
    private float blurSigma = DEFAULTS.blurSigma();

    @Option(names = "--blur-every", paramLabel = "N", description = "Steps between blurs. Default: ${DEFAULT-VALUE}.")
    private int blurEvery = DEFAULTS.blurEvery();

    @Option(names = "--noise", paramLabel = "STD",
            description = "Standard deviation of the starting noise (in input units). Default: ${DEFAULT-VALUE}.")
    private float noise = DEFAULTS.startNoise();

    @Option(names = "--seed", paramLabel = "N",
            description = "Seeds the starting noise and the jitter. Default: ${DEFAULT-VALUE}.")
    private long seed = DEFAULTS.seed();

    @Mixin
    private PixelRangeOption pixels;

    @Option(names = "--report-every", paramLabel = "N",
            description = "Print the score every N steps (1 for every step). Default: ${DEFAULT-VALUE}.")
    private int reportEvery = 10;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "class-image.png",
            description = "The PNG to write. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    void checkOptions() {
        if (imageGiven()) {
            super.checkOptions(); // a starting image is optional, but one of IMAGE and --index at most
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

    private ClassVisualization.Settings settings(ExplainedModel model) {
        return new ClassVisualization.Settings(steps, learningRate, l2, jitter, blurSigma, blurEvery, noise, seed,
                pixels.range(model));
    }

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        for (int k : classes) {
            model.checkClass(k);
        }
        Shape sample = model.sample();
        Picture from = null;
        if (imageGiven()) {
            ImageOptions.Input input = readImage(model);
            from = new Picture(sample.dim(0), sample.dim(1), sample.dim(2), input.values());
            out.println("starting from " + input.description());
        }
        List<Picture> images = new ArrayList<>();
        try (InputGradient gradients = new InputGradient(model.model())) {
            for (int k : classes) {
                ClassVisualization.Result result = ClassVisualization.run(gradients, k, settings(model), from);
                report(out, k, result);
                images.add(result.image());
            }
        }
        TileGrid grid = TileGrid.of(images).columns(images.size()).gap(2).scale(scale.of(sample.dim(2), 112));
        out.println("wrote " + write(grid, this.out));
        return 0;
    }

    private void report(PrintWriter out, int k, ClassVisualization.Result result) {
        float[] scores = result.scores();
        double[] probabilities = result.probabilities();
        for (int step = 0; step < scores.length; step++) {
            if (step % reportEvery == 0 || step == scores.length - 1) {
                out.printf(Locale.ROOT, "class %d  step %4d  score %9.4f  probability %6.2f%%%n", k, step,
                        scores[step], 100 * probabilities[step]);
            }
        }
    }
}
