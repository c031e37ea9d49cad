package io.jcnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Mnist;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Sequential;
import io.jcnn.model.TrainingListener;
import io.jcnn.nn.Param;
import io.jcnn.optim.Optimizer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark in local mode, on the CPU backend: equivalence with one process, retries, and training to accuracy. */
class SparkTrainerTest {
    private static JavaSparkContext spark;
    private static DatasetSplit mnist;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(3);
        mnist = Mnist.sample();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TrainingRecipe recipe(int batch, int partitions, int localSteps, int epochs, float momentum) {
        return new TrainingRecipe("lenet", List.of(), 1, 28, 28, 10, batch, partitions, localSteps, epochs, 5, "sgd",
                0.05f, momentum, 0f, 0.13f, 0.31f, 0, 0, 0, false, 1, "cpu");
    }

    /**
     * A round of K = 1 SGD over P partitions is one step on the union of their batches: the same images, the mean of
     * the same per-image gradients, and (momentum being linear too) the same velocity. Two rounds are checked, so
     * the second starts from averaged velocities and runs at the schedule's second rate. What differs is the order
     * of float additions (the batch's mean is taken over 12 images in one process, over 6 or 4 in each partition
     * and then averaged), so the parameters agree to float rounding, not bit for bit.
     */
    @Test
    void roundsOfSynchronousSgdEqualStepsOnTheUnionBatches() throws IOException {
        for (int partitions : new int[] {2, 3}) {
            for (float momentum : new float[] {0f, 0.9f}) {
                TrainingRecipe recipe = recipe(12, partitions, 1, 1, momentum);
                Dataset data = mnist.train().subset(0, 24);
                Path checkpoint = dir.resolve("p" + partitions + "m" + momentum + ".jcnn");
                new SparkTrainer(spark, recipe).fit(SparkTrainer.examples(spark, data, 2),
                        mnist.test().subset(0, 12), checkpoint, null, TrainingListener.NONE);
                float[][] single = singleProcessStep(recipe, data);
                try (CpuBackend cpu = new CpuBackend(1); Sequential model = recipe.newModel()) {
                    model.compile(cpu, recipe.localInput(), 0);
                    Checkpoint.load(checkpoint, model, null);
                    double worst = 0;
                    double largestStep = 0;
                    float[][] initial = initialWeights(recipe);
                    for (int i = 0; i < single.length; i++) {
                        float[] distributed = model.params().get(i).value().toArray();
                        for (int j = 0; j < distributed.length; j++) {
                            worst = Math.max(worst, Math.abs(distributed[j] - single[i][j]));
                            largestStep = Math.max(largestStep, Math.abs(single[i][j] - initial[i][j]));
                        }
                    }
                    assertTrue(largestStep > 1e-3, "the step moved the weights: " + largestStep);
                    System.out.printf("%d partitions, momentum %.1f: largest difference from one process %.3g"
                            + " (largest weight change %.3g)%n", partitions, momentum, worst, largestStep);
                    assertTrue(worst < 2e-6, partitions + " partitions, momentum " + momentum + ": largest difference "
                            + worst + " (largest step " + largestStep + ")");
                }
            }
        }
    }

    private static float[][] initialWeights(TrainingRecipe recipe) {
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = recipe.newModel()) {
            model.compile(cpu, recipe.localInput(), recipe.seed());
            return model.params().stream().map(p -> p.value().toArray()).toArray(float[][]::new);
        }
    }

    /** Two rounds' batches of every partition's shard, joined, and two SGD steps on them in one process. */
    private static float[][] singleProcessStep(TrainingRecipe recipe, Dataset data) {
        int partitions = recipe.partitions();
        int rounds = 2;
        List<float[]> images = new ArrayList<>();
        List<float[]> labels = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            images.add(new float[recipe.batchSize() * 784]);
            labels.add(new float[recipe.batchSize()]);
        }
        for (int p = 0; p < partitions; p++) {
            List<LabeledImage> rows = new ArrayList<>();
            for (int i = p; i < data.size(); i += partitions) {
                byte[] pixels = java.util.Arrays.copyOfRange(data.pixels(), i * 784, (i + 1) * 784);
                rows.add(new LabeledImage(i, pixels, data.label(i)));
            }
            Dataset shard = ShardWorker.shard(recipe, p, rows.iterator());
            try (DataLoader loader = new DataLoader(shard, recipe.localBatch(), true, recipe.normalization(),
                    recipe.augmentation(), ShardWorker.partitionSeed(recipe.seed(), p), 0);
                 DataLoader.Epoch epoch = loader.epoch(1, 0, true)) {
                for (int round = 0; round < rounds; round++) {
                    DataLoader.Batch batch = epoch.next();
                    int local = recipe.localBatch();
                    System.arraycopy(batch.images(), 0, images.get(round), p * local * 784, local * 784);
                    System.arraycopy(batch.labels(), 0, labels.get(round), p * local, local);
                }
            }
        }
        int batch = recipe.batchSize();
        Shape input = Shape.nchw(batch, 1, 28, 28);
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = recipe.newModel();
             Optimizer optimizer = recipe.newOptimizer(); SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
             Tensor x = cpu.allocate(input); Tensor y = cpu.allocate(Shape.of(batch))) {
            model.compile(cpu, input, recipe.seed());
            optimizer.compile(cpu, model.params());
            loss.compile(cpu, model.outputShape());
            for (int round = 0; round < rounds; round++) {
                x.copyFrom(images.get(round));
                y.copyFrom(labels.get(round));
                optimizer.setLearningRate(recipe.schedule(rounds).rate(round));
                loss.compute(model.forward(x, true), y);
                model.backward(loss.gradient());
                optimizer.step();
            }
            return model.params().stream().map(Param::value).map(Tensor::toArray).toArray(float[][]::new);
        }
    }

    /** Two partitions of K = 1 train LeNet on the bundled digits as well as one process does, within half a point. */
    @Test
    void twoPartitionsReachTheSingleProcessAccuracy() throws IOException {
        int epochs = 2;
        TrainingRecipe recipe = new TrainingRecipe("lenet", List.of(), 1, 28, 28, 10, 64, 2, 1, epochs, 1, "sgd",
                0.02f, 0.9f, 0.001f, 0.13f, 0.31f, 0, 0, 0, false, 1, "cpu");
        SparkTrainer.Result distributed = new SparkTrainer(spark, recipe).fit(SparkTrainer.examples(spark,
                mnist.train(), 2), mnist.test(), null, null, TrainingListener.NONE);
        double sparkAccuracy = distributed.history().get(epochs - 1).testAccuracy();
        double singleAccuracy;
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = recipe.newModel();
             Optimizer optimizer = recipe.newOptimizer();
             DataLoader train = new DataLoader(mnist.train(), 64, true, recipe.normalization(),
                     recipe.augmentation(), recipe.seed());
             DataLoader test = new DataLoader(mnist.test(), 64, false, recipe.normalization(),
                     recipe.augmentation(), recipe.seed())) {
            model.compile(cpu, Shape.nchw(64, 1, 28, 28), recipe.seed());
            optimizer.compile(cpu, model.params());
            singleAccuracy = io.jcnn.model.Trainer.builder(model, optimizer, train).test(test).epochs(epochs)
                    .seed(recipe.seed()).schedule(recipe.schedule(epochs * train.batchesPerEpoch(true))).build()
                    .fit().last().testAccuracy();
        }
        double meanRound = distributed.roundSeconds().stream().mapToDouble(Double::doubleValue).sorted()
                .skip(distributed.roundSeconds().size() / 2).findFirst().orElseThrow();
        System.out.printf("2 partitions: %.2f%% after %d epochs; one process: %.2f%%; median round %.1f ms%n",
                100 * sparkAccuracy, epochs, 100 * singleAccuracy, 1000 * meanRound);
        assertTrue(Math.abs(sparkAccuracy - singleAccuracy) <= 0.005, "spark " + sparkAccuracy + ", one process "
                + singleAccuracy);
        assertTrue(sparkAccuracy > 0.95, "it learned: " + sparkAccuracy);
    }

    /** A model outside the zoo travels to the executors as its layers; a layer class of the caller's own cannot. */
    @Test
    void anyModelOfJcnnsLayersTrainsAndComesBackFromItsCheckpoint() throws IOException {
        io.jcnn.model.ModelSpec tiny = new io.jcnn.model.ModelSpec("tiny", "a small convnet", 1, 28, 28,
                () -> new Sequential("tiny", new io.jcnn.nn.Conv2d("conv", 4, 5, io.jcnn.backend.ConvSpec.defaults()),
                        new io.jcnn.nn.ReLU("relu"), new io.jcnn.nn.MaxPool2d("pool", 2, 2),
                        new io.jcnn.nn.Linear("fc", 10)));
        Dataset data = mnist.train().subset(0, 512);
        TrainingRecipe recipe = RecipeBuilder.of(tiny, data).batchSize(32).partitions(2).localSteps(2).epochs(1)
                .shift(0).build();
        assertEquals(4, recipe.architecture().size(), "four layers, described");
        Path checkpoint = dir.resolve("tiny.jcnn");
        SparkTrainer.Result result = new SparkTrainer(spark, recipe).fit(SparkTrainer.examples(spark, data, 2),
                mnist.test().subset(0, 256), checkpoint, null, TrainingListener.NONE);
        assertTrue(result.history().get(0).testAccuracy() > 0.3, "it learned: " + result.history());
        Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
        assertEquals("tiny", header.modelName());
        try (Sequential rebuilt = Checkpoint.newModel(header)) {
            assertEquals(4, rebuilt.layers().size());
        }
        io.jcnn.model.ModelSpec custom = new io.jcnn.model.ModelSpec("custom", "", 1, 28, 28,
                () -> new Sequential("custom", new io.jcnn.nn.Linear("fc", 10), new Sequential("inner",
                        new io.jcnn.nn.ReLU("relu"))));
        String refusal = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RecipeBuilder.of(custom, data)).getMessage();
        assertTrue(refusal.startsWith("spark training: model 'custom' has a layer class of its own"), refusal);
    }

    @Test
    void aFailedTaskIsRetriedAndTheRunEndsWithTheSameBits() throws IOException {
        TrainingRecipe recipe = recipe(32, 2, 2, 1, 0.9f);
        Dataset data = mnist.train().subset(0, 256);
        Path clean = dir.resolve("clean.jcnn");
        Path retried = dir.resolve("retried.jcnn");
        new SparkTrainer(spark, recipe).fit(SparkTrainer.examples(spark, data, 3), mnist.test().subset(0, 64), clean,
                null, TrainingListener.NONE);
        SparkTrainer failing = new SparkTrainer(spark, recipe);
        failing.failFirstAttempt(1, 2, 1);
        SparkTrainer.Result result = failing.fit(SparkTrainer.examples(spark, data, 3), mnist.test().subset(0, 64),
                retried, null, TrainingListener.NONE);
        assertEquals(4, result.roundsPerEpoch(), "128 images per shard, 2 steps of 16 per round");
        try (CpuBackend cpu = new CpuBackend(1); Sequential a = recipe.newModel(); Sequential b = recipe.newModel()) {
            a.compile(cpu, recipe.localInput(), 0);
            b.compile(cpu, recipe.localInput(), 0);
            Checkpoint.load(clean, a, null);
            Checkpoint.load(retried, b, null);
            for (int i = 0; i < a.params().size(); i++) {
                assertArrayEquals(a.params().get(i).value().toArray(), b.params().get(i).value().toArray());
            }
        }
    }
}
