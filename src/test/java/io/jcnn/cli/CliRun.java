package io.jcnn.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** The outcome of running a command in-process: exit status and everything written to each stream. */
record CliRun(int exitCode, String out, String err) {

    static CliRun jcnn(String... args) {
        return jcnnWith(Map.of(), args);
    }

    static CliRun jcnnWith(Map<String, String> environment, String... args) {
        return command(null, environment, args);
    }

    /** Runs {@code command} (or jcnn itself when null) through {@link Main}'s error handling. */
    static CliRun command(Object command, Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        int code = command == null ? Main.run(args, outWriter, errWriter, environment)
                : Main.execute(command, args, outWriter, errWriter, environment);
        return new CliRun(code, out.toString(), err.toString());
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    List<String> errLines() {
        return err.lines().toList();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
