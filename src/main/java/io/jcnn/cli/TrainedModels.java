package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Rebuilds the model a checkpoint describes (or, for an older checkpoint, the zoo model it names), for the commands
 * that run a trained model (eval, predict, explain, export).
 */
final class TrainedModels {
    private TrainedModels() {
    }

    /** A new, uncompiled model of the kind {@code header} describes. */
    static Sequential create(Path checkpoint, Checkpoint.Header header) {
        try {
            return Checkpoint.newModel(header);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new model of the kind {@code header} describes, compiled on {@code backend} for batches of {@code batch}
     * samples of the checkpoint's sample shape, holding the checkpoint's parameters. The caller closes it.
     */
    static Sequential load(Backend backend, Path checkpoint, Checkpoint.Header header, int batch) throws IOException {
        Sequential model = create(checkpoint, header);
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
