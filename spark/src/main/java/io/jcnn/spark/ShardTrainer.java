package io.jcnn.spark;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.model.Sequential;
import io.jcnn.optim.LearningRateSchedule;
import io.jcnn.optim.Optimizer;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * What one Spark task does in a round: it rebuilds the model from the recipe, loads the broadcast state, and trains
 * K steps on its shard, from the batch the round starts at, exactly as a single process would train those batches.
 * Its result depends only on the state, the shard, the recipe and the round, so a task Spark retries after a
 * failure computes the same bits again.
 */
final class ShardTrainer {
    private ShardTrainer() {
    }

    /** The shard's examples in training-set order, whatever order Spark delivered them in. */
    static Dataset shard(TrainingRecipe recipe, int partition, Iterator<LabeledImage> rows) {
        List<LabeledImage> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        all.sort(Comparator.comparingLong(LabeledImage::index));
        int size = recipe.channels() * recipe.height() * recipe.width();
        byte[] pixels = new byte[all.size() * size];
        int[] labels = new int[all.size()];
        for (int i = 0; i < all.size(); i++) {
            LabeledImage image = all.get(i);
            if (image.pixels().length != size) {
                throw new IllegalArgumentException("example " + image.index() + " has " + image.pixels().length
                        + " pixels; the recipe's images have " + size);
            }
            System.arraycopy(image.pixels(), 0, pixels, i * size, size);
            labels[i] = image.label();
        }
        return new Dataset("shard " + partition, recipe.channels(), recipe.height(), recipe.width(), pixels, labels,
                recipe.classes());
    }

    /** The seed of partition {@code partition}'s shuffling, augmentation and dropout. */
    static long partitionSeed(long seed, int partition) {
        return CounterRandom.derive(seed, 1_000_003L + partition);
    }

    /**
     * Trains {@code steps} steps of epoch {@code epoch} from batch {@code firstBatch} on {@code shard}, starting from
     * {@code start}; returns the partition's state afterwards with the steps' loss sum and accuracy counts.
     */
    static RoundSum train(TrainingRecipe recipe, ModelState start, int partition, Dataset shard, int epoch,
                          int firstBatch, int steps, int totalSteps) {
        long seed = partitionSeed(recipe.seed(), partition);
        LearningRateSchedule schedule = recipe.schedule(totalSteps);
        try (Backend backend = backend(recipe);
             Sequential model = recipe.newModel();
             Optimizer optimizer = recipe.newOptimizer();
             SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
             DataLoader loader = new DataLoader(shard, recipe.localBatch(), true, recipe.normalization(),
                     recipe.augmentation(), seed, 0)) {
            model.compile(backend, recipe.localInput(), recipe.seed());
            optimizer.compile(backend, model.params());
            start.restore(model, optimizer);
            model.setInputGradientNeeded(false);
            loss.compile(backend, model.outputShape());
            int classes = model.outputShape().dim(1);
            float[] logits = new float[recipe.localBatch() * classes];
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            try (Tensor images = backend.allocate(recipe.localInput());
                 Tensor labels = backend.allocate(loss.targetShape(model.outputShape()));
                 DataLoader.Epoch batches = loader.epoch(epoch, firstBatch, true)) {
                for (int k = 0; k < steps; k++) {
                    if (!batches.hasNext()) {
                        throw new IllegalStateException("partition " + partition + " ran out of batches in epoch "
                                + epoch + " at batch " + (firstBatch + k));
                    }
                    DataLoader.Batch batch = batches.next();
                    images.copyFrom(batch.images());
                    labels.copyFrom(batch.labels());
                    int step = optimizer.steps();
                    optimizer.setLearningRate(schedule.rate(step));
                    model.reseed(CounterRandom.derive(seed, step));
                    Tensor output = model.forward(images, true);
                    float value = loss.compute(output, labels);
                    output.backend().download(output, logits);
                    correct += countCorrect(logits, batch.labels(), batch.size(), classes);
                    lossSum += (double) value * batch.size();
                    seen += batch.size();
                    model.backward(loss.gradient());
                    optimizer.step();
                }
            }
            return new RoundSum().add(ModelState.capture(model, optimizer), lossSum, correct, seen);
        }
    }

    /** The task's backend: CPU threads, or the GPU Spark assigned to this task. */
    private static Backend backend(TrainingRecipe recipe) {
        if (recipe.device().equals("cpu")) {
            return new CpuBackend(recipe.threads());
        }
        TaskContext task = TaskContext.get();
        ResourceInformation gpus = task == null ? null : task.resourcesJMap().get("gpu");
        if (gpus == null || gpus.addresses().length == 0) {
            throw new IllegalStateException("spark training on the GPU: this task was given no GPU; set"
                    + " spark.task.resource.gpu.amount=1 and spark.executor.resource.gpu.amount with a discovery script"
                    + " (spark.executor.resource.gpu.discoveryScript), or train with --device cpu");
        }
        return new CudaBackend(Integer.parseInt(gpus.addresses()[0].trim()));
    }

    private static int countCorrect(float[] logits, float[] labels, int count, int classes) {
        int correct = 0;
        for (int i = 0; i < count; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            if (best == (int) labels[i]) {
                correct++;
            }
        }
        return correct;
    }
}
