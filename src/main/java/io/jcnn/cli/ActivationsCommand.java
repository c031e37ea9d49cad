package io.jcnn.cli;

import io.jcnn.explain.LayerActivations;
import io.jcnn.explain.TileGrid;
import io.jcnn.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jcnn explain activations}. */
@Command(name = "activations",
        mixinStandardHelpOptions = true,
        description = {"Draw what each layer outputs for an image, one PNG per layer.",
                "Each PNG is a grid of the layer's feature maps (or its feature vector as one square), all on"
                        + " the layer's own scale from its lowest value (black) to its highest (white)."})
final class ActivationsCommand extends ImageSubcommand {
    @Mixin
    ScaleOption scale;

    @Mixin
    private GridOptions grid;

    @Option(names = "--layers", paramLabel = "NAME", split = ",",
            description = "Only these layers (comma-separated names). Default: every layer.")
    private Set<String> layers;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "activations",
            description = "The directory to write NN-LAYER.png files into. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        ImageOptions.Input input = readImage(model);
        List<LayerActivations> all;
        try (Tensor x = model.backend().tensor(model.model().inputShape(), input.values())) {
            all = LayerActivations.of(model.model(), x, 0);
        }
        if (layers != null) {
            Set<String> names = all.stream().map(LayerActivations::layer).collect(Collectors.toSet());
            Set<String> unknown = new TreeSet<>(layers);
            unknown.removeAll(names);
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("--layers: model '" + model.header().modelName() + "' has no layer "
                        + String.join(", ", unknown) + "; its layers are " + all.stream().map(LayerActivations::layer)
                        .collect(Collectors.joining(", ")));
            }
        }
        out.println(input.description() + ":");
        for (int i = 0; i < all.size(); i++) {
            LayerActivations layer = all.get(i);
            if (layers != null && !layers.contains(layer.layer())) {
                continue;
            }
            var pictures = layer.pictures();
            TileGrid tiles = grid.apply(TileGrid.of(pictures).shared().gap(2)
                    .scale(scale.of(pictures.get(0).width(), 64)));
            Path file = this.out.resolve(String.format(Locale.ROOT, "%02d-%s.png", i + 1, layer.layer()));
            out.println("  " + layer.layer() + " (" + layer.type() + ", " + layer.shape() + "): " + write(tiles, file));
        }
        return 0;
    }
}
