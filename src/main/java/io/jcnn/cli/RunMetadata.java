package io.jcnn.cli;

import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;

import java.util.Locale;
import java.util.Map;

/** What a training run records in its checkpoints so that eval and predict prepare images the same way. */
final class RunMetadata {
    static final String MEAN = "normalization.mean";
    static final String STD = "normalization.std";
    static final String DATA = "data";
    static final String EPOCHS = "epochs";
    static final String BATCH_SIZE = "batch.size";
    static final String TRAIN_IMAGES = "train.images";
    static final String LEARNING_RATE = "lr";
    static final String MOMENTUM = "momentum";
    static final String WEIGHT_DECAY = "weight.decay";
    /** The checkpoint a fine-tuning run ({@code train --from}) started from. */
    static final String FROM = "from";
    /** The --devices of a data-parallel run. */
    static final String DEVICES = "devices";
    /** The keys an ONNX file jcnn exports records the input normalisation under, and import reads back. */
    static final String ONNX_MEAN = "jcnn.normalization.mean";
    static final String ONNX_STD = "jcnn.normalization.std";

    private RunMetadata() {
    }

    static Map<String, String> of(Normalization normalization, String data, int epochs, int batchSize) {
        return Map.of(MEAN, Float.toString(normalization.mean()), STD, Float.toString(normalization.std()),
                DATA, data, EPOCHS, Integer.toString(epochs), BATCH_SIZE, Integer.toString(batchSize));
    }

    /**
     * What a resumed run must repeat for the resume to be exact, each with the option that sets it: the data, how
     * many training images (--limit), and the optimizer's settings, which with the epochs fix the learning-rate
     * schedule and the updates.
     */
    static Map<String, String> resumeCritical(String data, int trainImages, TrainingOptions options) {
        return Map.of(DATA, data, TRAIN_IMAGES, Integer.toString(trainImages), LEARNING_RATE,
                Float.toString(options.learningRate), MOMENTUM, Float.toString(options.momentum), WEIGHT_DECAY,
                Float.toString(options.weightDecay));
    }

    /** The option that sets each resume-critical entry, as the user would type it. */
    static final Map<String, String> OPTION = Map.of(DATA, "--data", TRAIN_IMAGES, "--limit (training images)",
            LEARNING_RATE, "--lr", MOMENTUM, "--momentum", WEIGHT_DECAY, "--weight-decay");

    /** The normalisation a checkpoint was trained with; pixels scaled to [0, 1] when it records none. */
    static Normalization normalization(Checkpoint.Header header) {
        String mean = header.metadata().get(MEAN);
        String std = header.metadata().get(STD);
        if (mean == null || std == null) {
            return Normalization.NONE;
        }
        try {
            return new Normalization(Float.parseFloat(mean), Float.parseFloat(std));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "checkpoint records an invalid normalization (mean '%s', std '%s')", mean, std), e);
        }
    }
}
