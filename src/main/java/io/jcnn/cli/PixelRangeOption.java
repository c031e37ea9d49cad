package io.jcnn.cli;

import io.jcnn.explain.InputRange;
import io.jcnn.explain.Picture;
import io.jcnn.explain.TileGrid;
import picocli.CommandLine.Option;

/**
 * {@code --unclamped}: whether the commands that optimise an image (class-image, dream, style) keep its pixels
 * between black and white, and so how the result is drawn.
 */
final class PixelRangeOption {
    @Option(names = "--unclamped",
            description = "Let pixels leave the black-to-white range (by default they are kept inside it).")
    private boolean unclamped;

    /** The range pixels are kept in, or null with --unclamped or before a model is open. */
    InputRange range(ExplainedModel model) {
        return model == null || unclamped ? null : model.pixelRange();
    }

    /** {@code image} as one tile: black to white as the model sees them, or its own range when unclamped. */
    TileGrid draw(Picture image, ExplainedModel model, int scale) {
        TileGrid grid = TileGrid.of(image).scale(scale);
        InputRange range = range(model);
        return range == null ? grid : grid.range(range.low(), range.high());
    }
}
