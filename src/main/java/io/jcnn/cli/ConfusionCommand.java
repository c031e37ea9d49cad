package io.jcnn.cli;

import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.model.Evaluation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jcnn explain confusion}. */
@Command(name = "confusion",
        mixinStandardHelpOptions = true,
        description = {"Draw the confusion matrix of a checkpoint on a dataset.",
                "A row per true class, a column per predicted class, each cell the percentage of the row's"
                        + " images."})
final class ConfusionCommand extends ExplainSubcommand {
    @Mixin
    private EvaluationDataOptions evaluation;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "640",
            description = "Width and height of the picture (200 to 4000). Default: ${DEFAULT-VALUE}.")
    private int size;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "confusion.png",
            description = "The PNG to write. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    void checkOptions() {
        evaluation.check();
        if (size < 200 || size > 4000) {
            throw usageError("--size must be 200 to 4000 pixels, got " + size);
        }
    }

    @Override
    int batchSize() {
        return evaluation.batchSize();
    }

    @Override
    int run(ExplainedModel model, PrintWriter out) throws IOException {
        Dataset dataset = evaluation.dataset(checkpoint, model.header());
        Evaluation result;
        try (DataLoader loader = evaluation.loader(dataset, model.header())) {
            result = Evaluation.of(model.model(), loader);
        }
        String title = String.format(Locale.ROOT, "%s on %s (%s): %.2f%% of %d", model.header().modelName(),
                evaluation.data(), evaluation.split(), 100 * result.accuracy(), result.samples());
        PngFiles.write(this.out, ConfusionMatrixChart.render(result.confusion(), title, size));
        out.println(title + "; confusion matrix written to " + this.out);
        return 0;
    }
}
