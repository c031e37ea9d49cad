package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;

import java.io.IOException;
import java.nio.file.Path;

/** Rebuilds the zoo model a checkpoint names, for the commands that only run a trained model (eval, predict). */
final class TrainedModels {
    private TrainedModels() {
    }

    /**
     * A new model of the kind {@code header} names, compiled on {@code backend} for batches of {@code batch} samples
     * of the checkpoint's sample shape, holding the checkpoint's parameters. The caller closes it.
     */
    static Sequential load(Backend backend, Path checkpoint, Checkpoint.Header header, int batch) throws IOException {
        if (!Models.names().contains(header.modelName())) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " holds model '" + header.modelName()
                    + "', which is not in the zoo (" + String.join(", ", Models.names()) + ")");
        }
        Sequential model = Models.byName(header.modelName());
        try {
            Shape sample = header.sampleShape();
            int[] dims = new int[sample.rank() + 1];
            dims[0] = batch;
            System.arraycopy(sample.dims(), 0, dims, 1, sample.rank());
            model.compile(backend, Shape.of(dims), 0);
            Checkpoint.load(checkpoint, model, null);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
