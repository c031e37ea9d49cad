package io.jcnn.spark;

import io.jcnn.data.Augmentation;
import io.jcnn.data.Normalization;
import io.jcnn.model.Architecture;
import io.jcnn.model.LayerSpec;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.optim.Adam;
import io.jcnn.optim.CosineSchedule;
import io.jcnn.optim.LearningRateSchedule;
import io.jcnn.optim.Optimizer;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;
import java.io.Serializable;
import java.util.List;

/**
 * Everything a Spark task needs to train its shard the way every other task does, in serialisable form: the model
 * (a zoo name, or the layers of a model outside the zoo), the input, the batch split, the optimizer and its
 * schedule, the input normalisation and the augmentation.
 *
 * @param model         the zoo name, or the name of the model {@code architecture} describes
 * @param architecture  the model's layers, or empty for a zoo model
 * @param channels      input channels
 * @param height        input height
 * @param width         input width
 * @param classes       number of classes
 * @param batchSize     the global batch: the images one synchronous step sees over all partitions
 * @param partitions    the number of shards, each training batchSize / partitions images per step
 * @param localSteps    K: the steps each partition takes between two averagings (1: synchronous SGD)
 * @param epochs        epochs to train, which fixes the learning-rate schedule's length
 * @param seed          seeds the weights, each shard's shuffling and augmentation, and dropout
 * @param optimizer     "sgd" (with momentum) or "adam"
 * @param learningRate  the initial rate, annealed to 0 along a cosine over the run
 * @param momentum      SGD's momentum
 * @param weightDecay   L2 weight decay on weights
 * @param mean          the input normalisation's mean (of pixels / 255)
 * @param std           its standard deviation
 * @param shift         augmentation: the largest shift in pixels
 * @param rotate        augmentation: the largest rotation in degrees
 * @param scale         augmentation: the largest scaling, as a fraction
 * @param mirror        augmentation: mirror images left to right at random
 * @param threads       CPU threads each task computes with
 * @param device        "cpu", or "gpu" for the GPU Spark's resource scheduling gives each task
 *                      ({@code spark.task.resource.gpu.amount})
 */
public record TrainingRecipe(String model, List<LayerSpec> architecture, int channels, int height, int width,
                             int classes, int batchSize, int partitions, int localSteps, int epochs, long seed,
                             String optimizer, float learningRate, float momentum, float weightDecay, float mean,
                             float std, int shift, double rotate, double scale, boolean mirror, int threads,
                             String device)
        implements Serializable {
    /**
     * Validates the recipe.
     *
     * @throws IllegalArgumentException if a count is below 1, the partitions do not divide the batch, or the
     *     optimizer is neither sgd nor adam, or the device neither cpu nor gpu
     */
    public TrainingRecipe {
        architecture = List.copyOf(architecture);
        if (batchSize < 1 || partitions < 1 || localSteps < 1 || epochs < 1 || threads < 1 || classes < 1) {
            throw new IllegalArgumentException("spark training: batch size, partitions, local steps, epochs, threads"
                    + " and classes must be at least 1, got " + batchSize + ", " + partitions + ", " + localSteps
                    + ", " + epochs + ", " + threads + ", " + classes);
        }
        if (batchSize % partitions != 0) {
            throw new IllegalArgumentException("spark training: the batch of " + batchSize + " images does not split"
                    + " evenly over " + partitions + " partitions; use a batch size that is a multiple of "
                    + partitions);
        }
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("spark training: the optimizer must be sgd or adam, got '" + optimizer
                    + "'");
        }
        if (!device.equals("cpu") && !device.equals("gpu")) {
            throw new IllegalArgumentException("spark training: the device must be cpu or gpu, got '" + device + "'");
        }
        new Normalization(mean, std); // validates
    }

    /** The images each partition trains on per step. */
    public int localBatch() {
        return batchSize / partitions;
    }

    /** A new, uncompiled model. */
    public Sequential newModel() {
        return architecture.isEmpty() ? Models.byName(model) : Architecture.build(model, architecture);
    }

    /** The input of one partition's step, N×C×H×W. */
    public Shape localInput() {
        return Shape.nchw(localBatch(), channels, height, width);
    }

    /** A new optimizer of the recipe's kind and settings. */
    public Optimizer newOptimizer() {
        return optimizer.equals("adam") ? new Adam(learningRate).withWeightDecay(weightDecay)
                : new Sgd(learningRate).withMomentum(momentum).withWeightDecay(weightDecay);
    }

    /** The learning rate of every step: a cosine from the initial rate to 0 over {@code totalSteps}. */
    public LearningRateSchedule schedule(int totalSteps) {
        return new CosineSchedule(learningRate, 0f, totalSteps);
    }

    /** The input normalisation. */
    public Normalization normalization() {
        return new Normalization(mean, std);
    }

    /** The augmentation of training images. */
    public Augmentation augmentation() {
        return new Augmentation(0, shift, mirror, rotate, scale);
    }
}
