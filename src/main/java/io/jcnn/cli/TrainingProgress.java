package io.jcnn.cli;

import io.jcnn.model.TrainingListener;
import java.io.PrintStream;

/** Chooses how training progress is shown: a progress bar on a terminal, plain lines in logs and pipes. */
public final class TrainingProgress {
    private TrainingProgress() {
    }

    /** For standard output: a progress bar when it is an interactive terminal. */
    public static TrainingListener forStandardOutput() {
        return create(System.out, System.console() != null);
    }

    /** A {@link ProgressBarListener} on a terminal, otherwise a {@link LogLineListener}. */
    public static TrainingListener create(PrintStream out, boolean terminal) {
        return terminal ? new ProgressBarListener(out, 0) : new LogLineListener(out);
    }
}
