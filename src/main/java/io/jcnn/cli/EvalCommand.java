package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.DatasetSplit;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Evaluation;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint saved by jcnn train.")
    private Path checkpoint;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DataSources.SAMPLE,
            description = "'sample' or a directory of MNIST IDX files or CIFAR-10 batches. Default: ${DEFAULT-VALUE}.")
    private String data;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test",
            description = "Which part of the data: test or train. Default: ${DEFAULT-VALUE}.")
    private String split;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256",
            description = "Images per batch. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Override
    public Integer call() throws IOException {
        if (!split.equals("test") && !split.equals("train")) {
            throw new ParameterException(spec.commandLine(), "--split must be test or train, got '" + split + "'");
        }
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, got " + batchSize);
        }
        PrintWriter out = spec.commandLine().getOut();
        Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
        DatasetSplit parts = DataSources.load(data);
        Dataset dataset = split.equals("test") ? parts.test() : parts.train();
        int border = (header.sampleShape().dim(1) - dataset.height()) / 2;
        if (border > 0 && header.sampleShape().dim(2) == dataset.width() + 2 * border) {
            dataset = dataset.padded(border);  // MNIST's 28×28 for a model trained on it padded to 32×32
        }
        Shape sample = Shape.of(dataset.channels(), dataset.height(), dataset.width());
        if (!sample.equals(header.sampleShape())) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " was trained on " + header.sampleShape()
                    + " images but dataset '" + dataset.name() + "' has " + sample);
        }
        try (Backend backend = device.createBackend();
             Sequential model = TrainedModels.load(backend, checkpoint, header, batchSize);
             DataLoader loader = new DataLoader(dataset, batchSize, false, RunMetadata.normalization(header),
                     Augmentation.NONE, 0)) {
            long started = System.nanoTime();
            Evaluation result = Evaluation.of(model, loader);
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf(Locale.ROOT, "%s on %s (%s split): accuracy %.2f%% (%d of %d), loss %.4f, %.0f images/s%n",
                    header.modelName(), data, split, 100 * result.accuracy(),
                    Math.round(result.accuracy() * result.samples()), result.samples(), result.loss(),
                    result.samples() / seconds);
            out.print(result.confusionTable());
            return 0;
        }
    }
}
