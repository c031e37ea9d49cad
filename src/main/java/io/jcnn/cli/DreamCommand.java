package io.jcnn.cli;

import io.jcnn.explain.DeepDream;
import io.jcnn.explain.Picture;
import io.jcnn.tensor.Shape;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jcnn explain dream}. */
@Command(name = "dream",
        mixinStandardHelpOptions = true,
        description = {"Amplify what a layer sees in an image (DeepDream), and print the objective as it rises.",
                "Gradient ascent on the image (IMAGE, --index, or seeded noise with --from-noise) raises the mean"
                        + " square (or mean) activation of --layer (or of one --channel) over several octaves, with random jitter,"
                        + " the gradient normalised by its mean absolute value and pixels kept between black and"
                        + " white."})
final class DreamCommand extends ImageSubcommand {
    private static final DeepDream.Settings DEFAULTS = DeepDream.Settings.defaults();

    @Mixin
    ScaleOption scale;

    @Option(names = "--layer", paramLabel = "NAME", required = true,
            description = "The layer whose activations are amplified (jcnn explain activations lists them).")
    private String layer;

    @Option(names = "--channel", paramLabel = "K",
            description = "Amplify this channel (feature map) of the layer alone. Default: all channels.")
    private Integer channel;

    @Option(names = "--objective", paramLabel = "KIND", defaultValue = "squares",
            description = "squares (the activations' mean square: strong responses of either sign, as the original"
                    + " DeepDream) or mean (their mean: positive responses). Default: ${DEFAULT-VALUE}.")
    private String objective;

    @Option(names = "--octaves", paramLabel = "N", description = "Image sizes to dream at. Default: ${DEFAULT-VALUE}.")
    private int octaves = DEFAULTS.octaves();

    @Option(names = "--octave-scale", paramLabel = "S",
            description = "Size ratio between octaves, above 1. Default: ${DEFAULT-VALUE}.")
    private double octaveScale = DEFAULTS.octaveScale();

    @Option(names = "--steps", paramLabel = "N", description = "Steps per octave. Default: ${DEFAULT-VALUE}.")
    private int steps = DEFAULTS.steps();

    @Option(names = "--step-size", paramLabel = "SIZE",
            description = "Step in input units for a gradient of mean absolute value 1. Default: ${DEFAULT-VALUE}.")
    private float stepSize = DEFAULTS.stepSize();

    @Option(names = "--jitter", paramLabel = "PIXELS",
            description = "Largest random shift of the image before each step, 0 for none. Default: ${DEFAULT-VALUE}.")
    private int jitter = DEFAULTS.jitter();

    @Option(names = "--from-noise", description = "Start from seeded noise around mid-grey instead of an image.")
    private boolean fromNoise;

    @Option(names = "--noise", paramLabel = "STD",
            description = "Standard deviation of that noise (in input units). Default: ${DEFAULT-VALUE}.")
    private float noise = DEFAULTS.startNoise();

    @Option(names = "--seed", paramLabel = "N",
            description = "Seeds the jitter and the noise. Default: ${DEFAULT-VALUE}.")
    private long seed = DEFAULTS.seed();

    @Mixin
    private PixelRangeOption pixels;

    @Option(names = "--report-every", paramLabel = "N",
            description = "Print the objective every N steps (1 for every step). Default: ${DEFAULT-VALUE}.")
    private int reportEvery = 5;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "dream.png",
            description = "The PNG to write. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    void checkOptions() {
        if (fromNoise == imageGiven()) {
            throw usageError(fromNoise ? "--from-noise starts from noise; give no IMAGE or --index with it"
                    : "an IMAGE file, --index N or --from-noise is required");
        }
        if (imageGiven()) {
            super.checkOptions();
        }
        if (channel != null && channel < 0) {
            throw usageError("--channel must be at least 0, got " + channel);
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

    private DeepDream.Settings settings(ExplainedModel model) {
        DeepDream.Objective kind = switch (objective) {
            case "mean" -> DeepDream.Objective.MEAN;
            case "squares" -> DeepDream.Objective.SQUARES;
            default -> throw usageError("--objective must be mean or squares, got '" + objective + "'");
        };
        return new DeepDream.Settings(octaves, octaveScale, steps, stepSize, jitter, kind, noise, seed,
                pixels.range(model));
    }

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        Shape sample = model.sample();
        Picture start = null;
        if (imageGiven()) {
            ImageOptions.Input input = readImage(model);
            start = new Picture(sample.dim(0), sample.dim(1), sample.dim(2), input.values());
            out.println("dreaming on " + input.description());
        } else {
            out.println("dreaming on noise (seed " + seed + ")");
        }
        DeepDream.Result result = DeepDream.run(model.model(), layer, channel == null ? -1 : channel,
                settings(model), start);
        for (int o = 0; o < result.sizes().size(); o++) {
            int[] size = result.sizes().get(o);
            double[] objective = result.objectives().get(o);
            for (int step = 0; step < objective.length; step++) {
                if (step % reportEvery == 0 || step == objective.length - 1) {
                    out.printf(Locale.ROOT, "octave %d/%d (%d×%d)  step %3d  objective %.5f%n", o + 1,
                            result.sizes().size(), size[0], size[1], step, objective[step]);
                }
            }
        }
        out.println("wrote " + write(pixels.draw(result.image(), model, scale.of(sample.dim(2), 112)), this.out));
        return 0;
    }
}
