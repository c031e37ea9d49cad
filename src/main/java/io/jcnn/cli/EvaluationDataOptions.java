package io.jcnn.cli;

import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --data}, {@code --split} and {@code --batch-size}: what a checkpoint is evaluated on (eval, confusion). */
final class EvaluationDataOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DataSources.SAMPLE,
            description = "'sample' or a directory of MNIST IDX files or CIFAR-10 batches. Default: ${DEFAULT-VALUE}.")
    private String data;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test",
            description = "Which part of the data: test or train. Default: ${DEFAULT-VALUE}.")
    private String split;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256",
            description = "Images per batch. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    /** Throws a usage error for a split or batch size that does not exist. */
    void check() {
        if (!split.equals("test") && !split.equals("train")) {
            throw new ParameterException(command.commandLine(), "--split must be test or train, got '" + split + "'");
        }
        if (batchSize < 1) {
            throw new ParameterException(command.commandLine(), "--batch-size must be at least 1, got " + batchSize);
        }
    }

    String data() {
        return data;
    }

    String split() {
        return split;
    }

    int batchSize() {
        return batchSize;
    }

    /** The chosen split, shaped for the model in {@code checkpoint}. */
    Dataset dataset(Path checkpoint, Checkpoint.Header header) throws IOException {
        return DataSources.forCheckpoint(data, split, checkpoint, header);
    }

    /** {@code dataset} in order, unaugmented, normalised as the checkpoint was trained, in batches of the option. */
    DataLoader loader(Dataset dataset, Checkpoint.Header header) {
        return new DataLoader(dataset, batchSize, false, RunMetadata.normalization(header), Augmentation.NONE, 0);
    }
}
