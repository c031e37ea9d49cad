package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.data.Normalization;
import io.jcnn.explain.InputRange;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint opened for the explain commands: its model rebuilt on a backend and compiled for a batch size, with
 * the normalisation it was trained with. Closing it frees the model and the backend.
 */
final class ExplainedModel implements AutoCloseable {
    private final Path checkpoint;
    private final Checkpoint.Header header;
    private final Normalization normalization;
    private final Backend backend;
    private final Sequential model;

    private ExplainedModel(Path checkpoint, Checkpoint.Header header, Backend backend, Sequential model) {
        this.checkpoint = checkpoint;
        this.header = header;
        this.normalization = RunMetadata.normalization(header);
        this.backend = backend;
        this.model = model;
    }

    /** Reads {@code checkpoint} and builds its model on the backend {@code device} names, for {@code batch} images. */
    static ExplainedModel open(Path checkpoint, DeviceOptions device, int batch) throws IOException {
        Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
        if (header.sampleShape().rank() != 3) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " holds a model of " + header.sampleShape()
                    + " inputs; the explain commands need images (C×H×W)");
        }
        Backend backend = device.createBackend();
        try {
            return new ExplainedModel(checkpoint, header, backend, TrainedModels.load(backend, checkpoint, header,
                    batch));
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    Path checkpoint() {
        return checkpoint;
    }

    Checkpoint.Header header() {
        return header;
    }

    Sequential model() {
        return model;
    }

    Backend backend() {
        return backend;
    }

    /** One input image, C×H×W. */
    Shape sample() {
        return header.sampleShape();
    }

    int classes() {
        return model.outputShape().dim(1);
    }

    Normalization normalization() {
        return normalization;
    }

    /** The input values of black and white pixels. */
    InputRange pixelRange() {
        return InputRange.pixels(normalization);
    }

    /** {@code requested}, checked against the model's classes, for {@code --class}. */
    int checkClass(int requested) {
        if (requested < 0 || requested >= classes()) {
            throw new IllegalArgumentException("--class " + requested + " is out of range: model '"
                    + header.modelName() + "' in " + checkpoint + " has " + classes() + " classes (0 to "
                    + (classes() - 1) + ")");
        }
        return requested;
    }

    @Override
    public void close() {
        model.close();
        backend.close();
    }
}
