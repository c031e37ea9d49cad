package io.jcnn.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --scale}: the magnification of the explain commands' pictures. */
final class ScaleOption {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    private Integer scale;

    @Option(names = "--scale", paramLabel = "N",
            description = "Draw each value as an N×N block of pixels (1 to 64). Default: a size that suits the"
                    + " picture (4 for a 28×28 image).")
    void setScale(int value) {
        if (value < 1 || value > 64) {
            throw new ParameterException(command.commandLine(), "--scale must be 1 to 64, got " + value);
        }
        scale = value;
    }

    /** {@code --scale}, or the magnification that draws {@code size} values across about {@code pixels} pixels. */
    int of(int size, int pixels) {
        return scale != null ? scale : Math.max(1, Math.min(64, Math.round((float) pixels / size)));
    }
}
