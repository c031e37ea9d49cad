package io.jcnn.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of the {@code jcnn} command. Every failure ends in one line on standard error, {@code jcnn: <what went
 * wrong>}, and an exit status: 0 success, 1 a runtime failure (a bad file, an unavailable device), 2 a usage error
 * (an unknown option, a bad value). Stack traces, and the library's debug log, appear only with {@code --debug} or
 * the environment variable {@code JCNN_DEBUG=1}.
 */
public final class Main {
    /** Exit status of a run that failed after its command line was understood. */
    static final int EXIT_FAILURE = 1;
    /** Exit status of a command line that could not be understood. */
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    /**
     * Runs {@code jcnn} with {@code args} and exits the JVM with its status (0, 1 or 2). Sets {@code java.awt.headless}
     * to true unless it is already set, since charts are drawn off-screen.
     */
    public static void main(String[] args) {
        // Charts are drawn off-screen; this must be set before anything touches AWT.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        LibraryLogging.configure(debugRequested(args, System.getenv()), System.err);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err, System.getenv()));
    }

    /** Runs {@code jcnn} with {@code args}, writing to {@code out} and {@code err}; returns the exit status. */
    static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
        return execute(new JcnnCommand(), args, out, err, environment);
    }

    /** Runs any picocli command with the error handling described above (tests use it on commands of their own). */
    static int execute(Object command, String[] args, PrintWriter out, PrintWriter err,
                       Map<String, String> environment) {
        boolean debug = debugRequested(args, environment);
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            fail(err, FailureMessages.oneLine(exception.getMessage()), exception, debug);
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            fail(err, FailureMessages.describe(exception), exception, debug);
            return EXIT_FAILURE;
        });
        try {
            return commandLine.execute(args);
        } catch (OutOfMemoryError | StackOverflowError error) {
            // picocli hands only Exceptions to the handler above; an Error would end in a raw stack trace.
            fail(err, FailureMessages.describe(error), error, debug);
            return EXIT_FAILURE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static void fail(PrintWriter err, String message, Throwable cause, boolean debug) {
        err.println("jcnn: " + message);
        if (debug) {
            cause.printStackTrace(err);
        }
        err.flush();
    }

    /**
     * Read from the raw arguments (up to a {@code --} separator) rather than the parsed options, because a usage error
     * can stop parsing before {@code --debug} is reached.
     */
    static boolean debugRequested(String[] args, Map<String, String> environment) {
        String variable = environment.get("JCNN_DEBUG");
        if (variable != null && !variable.isEmpty() && !variable.equals("0") && !variable.equalsIgnoreCase("false")) {
            return true;
        }
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** The subcommands, by name, in the order {@code jcnn --help} lists them. */
    static List<String> commandNames() {
        return List.copyOf(new CommandLine(new JcnnCommand()).getSubcommands().keySet());
    }
}
