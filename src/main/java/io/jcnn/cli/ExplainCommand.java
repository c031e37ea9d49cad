package io.jcnn.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jcnn explain}: the commands that draw what a trained network does. */
@Command(name = "explain",
        mixinStandardHelpOptions = true,
        synopsisSubcommandLabel = "COMMAND",
        description = "See inside a trained network, as PNG images: saliency maps, guided backpropagation, class"
                + " visualisations, dreams, style transfer, first-layer weights, activations, the confusion matrix,"
                + " adversarial examples.",
        subcommands = {SaliencyCommand.class, GuidedBackpropCommand.class, ClassImageCommand.class, DreamCommand.class,
                StyleCommand.class, FiltersCommand.class, TemplatesCommand.class, ActivationsCommand.class,
                ConfusionCommand.class, AdversarialCommand.class})
final class ExplainCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "explain needs a command: one of "
                + String.join(", ", spec.subcommands().keySet()) + " (see jcnn explain --help)");
    }
}
