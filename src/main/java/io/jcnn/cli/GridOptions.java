package io.jcnn.cli;

import io.jcnn.explain.TileGrid;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --columns}: how the explain commands that draw many tiles lay them out. */
final class GridOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    private Integer columns;

    @Option(names = "--columns", paramLabel = "N", description = "Tiles per row. Default: as square as possible.")
    void setColumns(int value) {
        if (value < 1) {
            throw new ParameterException(command.commandLine(), "--columns must be at least 1, got " + value);
        }
        columns = value;
    }

    /** {@code grid}, with {@code --columns} when given. */
    TileGrid apply(TileGrid grid) {
        return columns == null ? grid : grid.columns(columns);
    }
}
