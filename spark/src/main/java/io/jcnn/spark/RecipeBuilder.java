package io.jcnn.spark;

import io.jcnn.data.Dataset;
import io.jcnn.data.Normalization;
import io.jcnn.model.Architecture;
import io.jcnn.model.LayerSpec;
import io.jcnn.model.ModelSpec;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import java.util.List;

/**
 * Builds a {@link TrainingRecipe} with {@code jcnn train}'s defaults: SGD with momentum 0.9, weight decay 0.001, a
 * learning rate of 0.02 along a cosine, batches of 64, shifts of up to 2 pixels, seed 1, one thread per task, the
 * CPU. The model is any {@link ModelSpec}: a zoo model travels by name, any other as its layers
 * ({@link Architecture}), which every jcnn layer can be written as.
 */
public final class RecipeBuilder {
    private final String model;
    private final List<LayerSpec> architecture;
    private final Dataset train;
    private int batchSize = 64;
    private int partitions = 2;
    private int localSteps = 1;
    private int epochs = 10;
    private long seed = 1;
    private String optimizer = "sgd";
    private float learningRate = 0.02f;
    private float momentum = 0.9f;
    private float weightDecay = 0.001f;
    private int shift = 2;
    private int threads = 1;
    private String device = "cpu";

    private RecipeBuilder(String model, List<LayerSpec> architecture, Dataset train) {
        this.model = model;
        this.architecture = architecture;
        this.train = train;
    }

    /**
     * A recipe for {@code spec}, trained on images like {@code train}'s: their shape, classes and normalisation.
     *
     * @throws IllegalArgumentException if the model has a layer class of its own, which a task could not rebuild
     */
    public static RecipeBuilder of(ModelSpec spec, Dataset train) {
        if (Models.names().contains(spec.name())) {
            return new RecipeBuilder(spec.name(), List.of(), train);
        }
        try (Sequential model = spec.create()) {
            List<LayerSpec> layers = Architecture.describe(model).orElseThrow(() -> new IllegalArgumentException(
                    "spark training: model '" + spec.name() + "' has a layer class of its own, which the executors"
                            + " cannot rebuild; build it from jcnn's layers (" + String.join(", ", Architecture.KINDS)
                            + ")"));
            return new RecipeBuilder(spec.name(), layers, train);
        }
    }

    /** The global batch, split evenly over the partitions. */
    public RecipeBuilder batchSize(int images) {
        batchSize = images;
        return this;
    }

    /** The number of shards, one task each per round. */
    public RecipeBuilder partitions(int count) {
        partitions = count;
        return this;
    }

    /** K: steps per partition between averagings. */
    public RecipeBuilder localSteps(int count) {
        localSteps = count;
        return this;
    }

    /** Epochs to train. */
    public RecipeBuilder epochs(int count) {
        epochs = count;
        return this;
    }

    /** Seeds the weights, the shards' shuffling and augmentation, and dropout. */
    public RecipeBuilder seed(long value) {
        seed = value;
        return this;
    }

    /** SGD with {@code momentum} and {@code weightDecay} from {@code rate}, annealed along a cosine. */
    public RecipeBuilder sgd(float rate, float momentumValue, float decay) {
        optimizer = "sgd";
        learningRate = rate;
        momentum = momentumValue;
        weightDecay = decay;
        return this;
    }

    /** Adam from {@code rate}, with {@code decay}, annealed along a cosine. */
    public RecipeBuilder adam(float rate, float decay) {
        optimizer = "adam";
        learningRate = rate;
        weightDecay = decay;
        return this;
    }

    /** The largest augmentation shift in pixels, 0 for none. */
    public RecipeBuilder shift(int pixels) {
        shift = pixels;
        return this;
    }

    /** CPU threads per task (match {@code spark.task.cpus}). */
    public RecipeBuilder threads(int count) {
        threads = count;
        return this;
    }

    /** Train each task on the GPU Spark assigns it. */
    public RecipeBuilder onGpu() {
        device = "gpu";
        return this;
    }

    /**
     * The recipe.
     *
     * @throws IllegalArgumentException if a setting is out of range (see {@link TrainingRecipe})
     */
    public TrainingRecipe build() {
        Normalization normalization = Normalization.of(train);
        return new TrainingRecipe(model, architecture, train.channels(), train.height(), train.width(),
                train.classes(), batchSize, partitions, localSteps, epochs, seed, optimizer, learningRate, momentum,
                weightDecay, normalization.mean(), normalization.std(), shift, 0, 0, train.channels() == 3, threads,
                device);
    }
}
