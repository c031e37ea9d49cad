package io.jcnn.cli;

import io.jcnn.explain.AdversarialExample;
import io.jcnn.explain.FastGradientSign;
import io.jcnn.explain.InputGradient;
import io.jcnn.explain.InputRange;
import io.jcnn.explain.Picture;
import io.jcnn.explain.TileGrid;
import io.jcnn.tensor.Tensor;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jcnn explain adversarial}. */
@Command(name = "adversarial",
        mixinStandardHelpOptions = true,
        description = {"Find the smallest fast-gradient-sign step that changes the prediction for an image.",
                "Every pixel moves by epsilon (a fraction of black-to-white) in the direction that raises the"
                        + " loss of the predicted class. Scans epsilon upwards, then bisects; writes before.png and"
                        + " after.png."})
final class AdversarialCommand extends ImageSubcommand {
    private static final FastGradientSign.Settings DEFAULTS = FastGradientSign.Settings.defaults();

    @Mixin
    private ScaleOption scale;

    @Option(names = "--max-epsilon", paramLabel = "E",
            description = "The largest step tried, as a fraction of black-to-white, in (0, 1]. Default:"
                    + " ${DEFAULT-VALUE}.")
    private float maxEpsilon = DEFAULTS.maxEpsilon();

    @Option(names = "--scan-steps", paramLabel = "N",
            description = "Equal steps from 0 to --max-epsilon. Default: ${DEFAULT-VALUE}.")
    private int scanSteps = DEFAULTS.scanSteps();

    @Option(names = "--bisections", paramLabel = "N",
            description = "Halvings of the interval where the prediction first changes. Default: ${DEFAULT-VALUE}.")
    private int bisections = DEFAULTS.bisections();

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "adversarial",
            description = "The directory to write before.png and after.png into. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    void checkOptions() {
        super.checkOptions();
        try {
            settings();
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
    }

    private FastGradientSign.Settings settings() {
        return new FastGradientSign.Settings(maxEpsilon, scanSteps, bisections);
    }

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        ImageOptions.Input input = readImage(model);
        InputRange range = model.pixelRange();
        AdversarialExample found;
        try (InputGradient gradients = new InputGradient(model.model());
             Tensor x = model.backend().tensor(model.model().inputShape(), input.values())) {
            found = FastGradientSign.search(gradients, x, range, settings());
        }
        if (!found.changed()) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s: no step up to epsilon %s changes the"
                    + " prediction %d (%.1f%%) after %d forward passes; try a larger --max-epsilon",
                    input.description(), new BigDecimal(Float.toString(maxEpsilon)).stripTrailingZeros()
                            .toPlainString(), found.originalClass(), 100 * found.originalProbability(),
                    found.evaluations()));
        }
        int pictureScale = scale.of(found.original().width(), 112);
        String before = write(picture(found.original(), range, pictureScale), this.out.resolve("before.png"));
        String after = write(picture(found.adversarial(), range, pictureScale), this.out.resolve("after.png"));
        out.printf(Locale.ROOT, "%s: %d (%.1f%%) becomes %d (%.1f%%) at epsilon %.4f (%.1f of 255 grey levels),"
                        + " found in %d forward passes%n", input.description(), found.originalClass(),
                100 * found.originalProbability(), found.adversarialClass(), 100 * found.adversarialProbability(),
                found.epsilon(), 255 * found.epsilon(), found.evaluations());
        out.println("wrote " + before + " and " + after);
        return 0;
    }

    /** An input image drawn in its pixel range: black to white as the dataset's pixels were. */
    private static TileGrid picture(Picture image, InputRange range, int scale) {
        return TileGrid.of(image).range(range.low(), range.high()).scale(scale);
    }
}
