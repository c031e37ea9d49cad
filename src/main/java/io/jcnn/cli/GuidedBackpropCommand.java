package io.jcnn.cli;

import io.jcnn.explain.GradientRule;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jcnn explain guided}. */
@Command(name = "guided",
        mixinStandardHelpOptions = true,
        description = {"Draw a guided-backpropagation map: a sharper saliency map that keeps the evidence for a class.",
                "Like the saliency map, but each ReLU passes back only positive gradients, and only where its"
                        + " input was positive."})
final class GuidedBackpropCommand extends GradientMapCommand {
    @Option(names = "--out", paramLabel = "FILE", defaultValue = "guided.png",
            description = "The PNG to write. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    GradientRule rule() {
        return GradientRule.GUIDED;
    }

    @Override
    String what() {
        return "guided-backpropagation map";
    }

    @Override
    Path output() {
        return out;
    }
}
