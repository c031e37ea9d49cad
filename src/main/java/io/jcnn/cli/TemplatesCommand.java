package io.jcnn.cli;

import io.jcnn.explain.Picture;
import io.jcnn.explain.TileGrid;
import io.jcnn.explain.WeightPictures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jcnn explain templates}. */
@Command(name = "templates",
        mixinStandardHelpOptions = true,
        description = {"Draw the first dense layer's weights as input-sized images (linear classifiers, MLPs).",
                "For a model whose first layer is dense, each output's weights reshaped to the input image: the"
                        + " class templates of a linear classifier, the first-layer features of an MLP. Red is"
                        + " positive, blue negative, white zero, each tile on its own scale."})
final class TemplatesCommand extends ExplainSubcommand {
    @Mixin
    ScaleOption scale;

    @Mixin
    private GridOptions grid;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "Draw at most the first N outputs. Default: ${DEFAULT-VALUE}.")
    private int limit;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "templates.png",
            description = "The PNG to write. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    void checkOptions() {
        if (limit < 1) {
            throw usageError("--limit must be at least 1, got " + limit);
        }
    }

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        List<Picture> templates = WeightPictures.firstLayerTemplates(model.model());
        List<Picture> drawn = templates.subList(0, Math.min(limit, templates.size()));
        Picture first = drawn.get(0);
        TileGrid tiles = grid.apply(TileGrid.of(drawn).gap(2).scale(scale.of(first.width(), 56)));
        if (first.channels() == 1) {
            tiles.palette(TileGrid.Palette.DIVERGING);
        }
        out.println(drawn.size() + " of " + templates.size() + " templates written to " + write(tiles, this.out));
        return 0;
    }
}
