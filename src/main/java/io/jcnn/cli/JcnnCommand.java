package io.jcnn.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code jcnn} command: global options and the list of subcommands. */
@Command(name = "jcnn",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Train and run convolutional networks on the CPU or a CUDA GPU.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, ExplainCommand.class,
                ExportCommand.class, ImportCommand.class, DownloadCommand.class, InfoCommand.class, HelpCommand.class},
        footer = {"", "Run 'jcnn COMMAND --help' for a command's options. Environment: JCNN_JAVA_OPTS (JVM options"
                + " for the launcher, such as -Xmx8g), JCNN_DEBUG=1 (same as --debug)."})
final class JcnnCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    /** Acted on by {@link Main}, which reads it from the raw arguments; declared so that it parses and is documented. */
    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On failure, print the stack trace as well as the message.")
    private boolean debug;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a command is required: one of "
                + String.join(", ", spec.subcommands().keySet()) + " (see jcnn --help)");
    }
}
