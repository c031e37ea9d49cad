package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Evaluation;
import io.jcnn.model.Sequential;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jcnn eval}: a checkpoint's accuracy, loss and confusion matrix on a dataset. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on a dataset: accuracy, loss and the confusion matrix.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private DeviceOptions device;

    @Parameters(index = "0", paramLabel = "CHECKPOINT",
            description = "A checkpoint saved by jcnn train or jcnn import.")
    private Path checkpoint;

    @Mixin
    private EvaluationDataOptions evaluation;

    @Override
    public Integer call() throws IOException {
        evaluation.check();
        PrintWriter out = spec.commandLine().getOut();
        Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
        Dataset dataset = evaluation.dataset(checkpoint, header);
        try (Backend backend = device.createBackend();
             Sequential model = TrainedModels.load(backend, checkpoint, header, evaluation.batchSize());
             DataLoader loader = evaluation.loader(dataset, header)) {
            long started = System.nanoTime();
            Evaluation result = Evaluation.of(model, loader);
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf(Locale.ROOT, "%s on %s (%s split): accuracy %.2f%% (%d of %d), loss %.4f, %.0f images/s%n",
                    header.modelName(), evaluation.data(), evaluation.split(), 100 * result.accuracy(),
                    Math.round(result.accuracy() * result.samples()), result.samples(), result.loss(),
                    result.samples() / seconds);
            out.print(result.confusionTable());
            return 0;
        }
    }
}
