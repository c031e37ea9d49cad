package io.jcnn.cli;

import io.jcnn.explain.TileGrid;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What every {@code jcnn explain} command shares: a checkpoint opened on a device, PNG files written atomically. */
abstract class ExplainSubcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOptions device;

    @Parameters(index = "0", paramLabel = "CHECKPOINT",
            description = "A checkpoint saved by jcnn train or jcnn import.")
    Path checkpoint;

    @Override
    public final Integer call() throws IOException {
        checkOptions();
        try (ExplainedModel model = ExplainedModel.open(checkpoint, device, batchSize())) {
            return run(model, spec.commandLine().getOut());
        }
    }

    /** Throws a {@link #usageError} for option values that do not fit, before anything is loaded. */
    void checkOptions() {
    }

    /** The batch the model is compiled for. */
    int batchSize() {
        return 1;
    }

    /** The command's work; returns the exit status. */
    abstract int run(ExplainedModel model, PrintWriter out) throws IOException;

    ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Renders {@code grid} into {@code file}; returns how to name the result, such as {@code map.png (112×112)}. */
    static String write(TileGrid grid, Path file) throws IOException {
        PngFiles.write(file, grid.render());
        return file + " (" + grid.width() + "×" + grid.height() + ")";
    }
}
