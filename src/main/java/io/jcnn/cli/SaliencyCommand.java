package io.jcnn.cli;

import io.jcnn.explain.GradientRule;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jcnn explain saliency}. */
@Command(name = "saliency",
        mixinStandardHelpOptions = true,
        description = {"Draw a saliency map: how strongly each pixel moves a class score.",
                "The map is the gradient of the score (before softmax) with respect to the image: its absolute value,"
                        + " the largest over the channels, scaled to white at the most salient pixel."})
final class SaliencyCommand extends GradientMapCommand {
    @Option(names = "--out", paramLabel = "FILE", defaultValue = "saliency.png",
            description = "The PNG to write. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    GradientRule rule() {
        return GradientRule.PLAIN;
    }

    @Override
    String what() {
        return "saliency map";
    }

    @Override
    Path output() {
        return out;
    }
}
