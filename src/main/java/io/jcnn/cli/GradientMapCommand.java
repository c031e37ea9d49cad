package io.jcnn.cli;

import io.jcnn.explain.ClassScores;
import io.jcnn.explain.GradientRule;
import io.jcnn.explain.InputGradient;
import io.jcnn.explain.Picture;
import io.jcnn.explain.SaliencyMap;
import io.jcnn.explain.SaliencyOverlay;
import io.jcnn.explain.TileGrid;
import io.jcnn.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The body of {@code saliency} and {@code guided}: one image, one class, one map of its input gradient. */
abstract class GradientMapCommand extends ImageSubcommand {
    @Mixin
    ScaleOption scale;

    @Option(names = "--class", paramLabel = "K",
            description = "The class whose score is explained. Default: the predicted class.")
    Integer classIndex;

    @Option(names = "--overlay",
            description = "Draw the map over the image, as red to yellow heat, instead of alone in grey.")
    boolean overlay;

    /** How backward crosses the ReLUs. */
    abstract GradientRule rule();

    /** For example {@code saliency map}. */
    abstract String what();

    /** The {@code --out} file. */
    abstract Path output();

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        ImageOptions.Input input = readImage(model);
        try (InputGradient gradients = new InputGradient(model.model());
             Tensor x = model.backend().tensor(model.model().inputShape(), input.values())) {
            ClassScores scores = gradients.scores(x);
            int predicted = scores.predicted(0);
            int chosen = classIndex == null ? predicted : model.checkClass(classIndex);
            SaliencyMap map = SaliencyMap.of(gradients, x, new int[] {chosen}, rule()).get(0);
            if (rule() == GradientRule.GUIDED && !gradients.hasRelu()) {
                out.println("note: model '" + model.header().modelName() + "' has no ReLU layer, so guided"
                        + " backpropagation gives the plain gradient");
            }
            int magnification = scale.of(map.width(), 112);
            BufferedImage picture = overlay
                    ? SaliencyOverlay.render(Picture.item(input.values(), x.shape(), 0), model.pixelRange(), map,
                            magnification)
                    : TileGrid.of(map.picture()).range(0f, 1f).scale(magnification).render();
            PngFiles.write(output(), picture);
            out.printf(Locale.ROOT, "%s: predicted %d (%.1f%%); %s of class %d (score %.3f) written to %s (%d×%d)%n",
                    input.description(), predicted, 100 * scores.probability(0, predicted), what(), chosen,
                    scores.score(0, chosen), output(), picture.getWidth(), picture.getHeight());
            return 0;
        }
    }
}
