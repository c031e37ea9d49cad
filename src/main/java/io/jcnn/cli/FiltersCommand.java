package io.jcnn.cli;

import io.jcnn.explain.Picture;
import io.jcnn.explain.TileGrid;
import io.jcnn.explain.WeightPictures;
import io.jcnn.nn.Conv2d;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jcnn explain filters}. */
@Command(name = "filters",
        mixinStandardHelpOptions = true,
        description = {"Draw the first convolution layer's filters as a grid of tiles.",
                "Each tile is scaled from its own most negative weight (black) to its most positive (white);"
                        + " 3-channel filters are drawn in colour."})
final class FiltersCommand extends ExplainSubcommand {
    @Mixin
    ScaleOption scale;

    @Mixin
    private GridOptions grid;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "filters.png",
            description = "The PNG to write. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        Conv2d conv = WeightPictures.firstConvolution(model.model());
        List<Picture> filters = WeightPictures.firstConvolutionFilters(model.model());
        Picture first = filters.get(0);
        TileGrid tiles = grid.apply(TileGrid.of(filters).gap(2).scale(scale.of(first.width(), 40)));
        out.println("layer '" + conv.name() + "': " + filters.size() + " tiles of " + first.channels() + "×"
                + first.height() + "×" + first.width() + " weights written to " + write(tiles, this.out));
        return 0;
    }
}
