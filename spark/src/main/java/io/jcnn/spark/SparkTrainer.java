package io.jcnn.spark;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.EpochMetrics;
import io.jcnn.model.Evaluation;
import io.jcnn.model.Sequential;
import io.jcnn.model.TrainingListener;
import io.jcnn.model.TrainingState;
import io.jcnn.optim.Optimizer;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Synchronous data-parallel training with Spark as the engine. Each round the driver broadcasts the model's state
 * (parameters, buffers, optimizer state); every partition of the training set trains K local steps on its shard
 * ({@link ShardWorker}); {@code treeAggregate} sums the partitions' states and the driver averages them. With K = 1
 * and SGD (with or without momentum, both linear in the gradient) a round is exactly one step on the union of the
 * partitions' batches, up to float rounding; with larger K it is local SGD, which averages less often.
 *
 * <p>Deterministic for a fixed seed and partition count: every task's result depends only on the broadcast state,
 * its shard (the examples whose index ≡ p modulo the partition count, in index order) and the round, so a task
 * Spark retries computes the same bits. Each epoch ends with an evaluation on the driver, metrics for the listener
 * and a checkpoint that {@link #fit} resumes from.
 */
public final class SparkTrainer {
    private final JavaSparkContext spark;
    private final TrainingRecipe recipe;
    private final String run = java.util.UUID.randomUUID().toString();
    private boolean allReduce;
    private Fault fault;

    /** A trainer of {@code recipe} on {@code spark}. */
    public SparkTrainer(JavaSparkContext spark, TrainingRecipe recipe) {
        this.spark = spark;
        this.recipe = recipe;
    }

    /**
     * Averages gradients through NCCL at every step instead of averaging parameters after K steps: each round is a
     * barrier stage ({@code RDD.barrier()}) whose tasks, one per partition and each on its GPU, join one NCCL
     * communicator, its unique id exchanged with {@code BarrierTaskContext.allGather}, and train K synchronous steps
     * on the global batch, all-reducing the gradients of every step. Every partition then holds the same state, which
     * the driver receives for evaluation and checkpoints as in the averaging mode. A failed task fails the barrier
     * stage, which Spark retries whole: the round repeats from the state the driver broadcast.
     *
     * @throws IllegalArgumentException unless the recipe trains on GPUs
     */
    public SparkTrainer allReduceGradients() {
        if (!recipe.device().equals("gpu")) {
            throw new IllegalArgumentException("spark training: gradient all-reduce through NCCL needs GPUs; train"
                    + " with the device gpu, or average parameters on the CPU");
        }
        this.allReduce = true;
        return this;
    }

    /**
     * {@code data} as a Spark dataset of examples, in {@code slices} slices (before the trainer shards it by index).
     */
    public static JavaRDD<LabeledImage> examples(JavaSparkContext spark, Dataset data, int slices) {
        int size = data.sampleSize();
        List<LabeledImage> rows = new ArrayList<>(data.size());
        byte[] pixels = data.pixels();
        for (int i = 0; i < data.size(); i++) {
            byte[] image = new byte[size];
            System.arraycopy(pixels, i * size, image, 0, size);
            rows.add(new LabeledImage(i, image, data.label(i)));
        }
        return spark.parallelize(rows, slices);
    }

    /**
     * What a run did.
     *
     * @param history        one entry per epoch trained in this call
     * @param state          where training stands: what a resumed run continues from
     * @param roundsPerEpoch rounds in an epoch
     * @param roundSeconds   the wall time of each round, in order (broadcast, the tasks and the aggregation)
     */
    public record Result(List<EpochMetrics> history, TrainingState state, int roundsPerEpoch,
                         List<Double> roundSeconds) {
        /**
         * Copies the lists.
         *
         * @throws NullPointerException if an argument is null
         */
        public Result {
            history = List.copyOf(history);
            roundSeconds = List.copyOf(roundSeconds);
        }
    }

    /**
     * Trains on {@code train}, evaluating on {@code test} (on the driver) after every epoch, saving a checkpoint to
     * {@code checkpoint} (unless null) after every epoch, and reporting to {@code listener}. With {@code resume}
     * (a checkpoint of this recipe's model and optimizer), training continues from the epoch it had reached.
     *
     * @throws IOException if a checkpoint cannot be read or written
     * @throws IllegalArgumentException if a shard holds fewer images than K local batches, or the checkpoint does
     *     not fit
     */
    public Result fit(JavaRDD<LabeledImage> train, Dataset test, Path checkpoint, Path resume,
                      TrainingListener listener) throws IOException {
        int partitions = recipe.partitions();
        JavaRDD<LabeledImage> shards = train.keyBy(LabeledImage::index)
                .partitionBy(new HashPartitioner(partitions)).values().persist(StorageLevel.MEMORY_ONLY());
        try {
            List<Integer> sizes = shards.mapPartitions(rows -> {
                int n = 0;
                while (rows.hasNext()) {
                    rows.next();
                    n++;
                }
                return List.of(n).iterator();
            }).collect();
            int smallest = Collections.min(sizes);
            int roundsPerEpoch = smallest / recipe.localBatch() / recipe.localSteps();
            if (roundsPerEpoch == 0) {
                throw new IllegalArgumentException("spark training: the smallest of the " + partitions + " shards"
                        + " holds " + smallest + " images, fewer than " + recipe.localSteps() + " local steps of "
                        + recipe.localBatch() + " images; lower the batch size, the local steps or the partitions");
            }
            return run(shards, test, roundsPerEpoch, checkpoint, resume, listener);
        } finally {
            release(shards);
            shards.unpersist(false);
        }
    }

    private Result run(JavaRDD<LabeledImage> shards, Dataset test, int roundsPerEpoch, Path checkpoint, Path resume,
                       TrainingListener listener) throws IOException {
        int stepsPerEpoch = roundsPerEpoch * recipe.localSteps();
        int totalSteps = recipe.epochs() * stepsPerEpoch;
        List<EpochMetrics> history = new ArrayList<>();
        List<Double> roundSeconds = new ArrayList<>();
        try (CpuBackend cpu = new CpuBackend();
             Sequential model = recipe.newModel();
             Optimizer optimizer = recipe.newOptimizer();
             DataLoader testData = new DataLoader(test, recipe.localBatch(), false, recipe.normalization(),
                     Augmentation.NONE, recipe.seed())) {
            model.compile(cpu, recipe.localInput(), recipe.seed());
            optimizer.compile(cpu, model.params());
            TrainingState state = TrainingState.start(recipe.seed());
            if (resume != null) {
                checkResumable(resume);
                state = Checkpoint.load(resume, model, optimizer).state();
                if (state == null || state.batchInEpoch() != 0) {
                    throw new IllegalArgumentException("spark training: checkpoint " + resume + " does not end an"
                            + " epoch of a run; resume from a checkpoint this trainer saved");
                }
            }
            ModelState current = ModelState.capture(model, optimizer);
            listener.onStart(recipe.epochs(), roundsPerEpoch);
            for (int epoch = state.epoch(); epoch <= recipe.epochs(); epoch++) {
                long started = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                for (int round = 0; round < roundsPerEpoch; round++) {
                    long roundStart = System.nanoTime();
                    RoundSum sum = round(shards, current, epoch, round * recipe.localSteps(), totalSteps);
                    if (sum.contributions() != recipe.partitions()) {
                        throw new IllegalStateException("round " + (round + 1) + " of epoch " + epoch + " heard from "
                                + sum.contributions() + " of " + recipe.partitions() + " partitions");
                    }
                    current = sum.average();
                    roundSeconds.add((System.nanoTime() - roundStart) / 1e9);
                    lossSum += sum.lossSum();
                    correct += sum.correct();
                    seen += sum.seen();
                    listener.onBatch(epoch, round, roundsPerEpoch, lossSum / seen, (double) correct / seen);
                }
                double trainSeconds = (System.nanoTime() - started) / 1e9;
                current.restore(model, optimizer);
                Evaluation evaluation = Evaluation.of(model, testData);
                float rate = recipe.schedule(totalSteps).rate(Math.max(0, optimizer.steps() - 1));
                EpochMetrics metrics = new EpochMetrics(epoch, lossSum / seen, (double) correct / seen,
                        evaluation.loss(), evaluation.accuracy(), seen / trainSeconds,
                        (System.nanoTime() - started) / 1e9, rate);
                history.add(metrics);
                state = new TrainingState(recipe.seed(), epoch + 1, 0, optimizer.steps(), rate);
                if (checkpoint != null) {
                    Checkpoint.save(checkpoint, model, optimizer, state, Map.of("normalization.mean",
                            Float.toString(recipe.mean()), "normalization.std", Float.toString(recipe.std()),
                            "batch.size", Integer.toString(recipe.batchSize()), "spark.partitions",
                            Integer.toString(recipe.partitions()), "spark.local.steps",
                            Integer.toString(recipe.localSteps())));
                }
                listener.onEpoch(metrics);
            }
            listener.onFinish();
            return new Result(history, state, roundsPerEpoch, roundSeconds);
        }
    }

    /** Refuses a checkpoint of a run with another batch split: its data order would not continue. */
    private void checkResumable(Path file) throws IOException {
        Map<String, String> saved = Checkpoint.readHeader(file).metadata();
        Map<String, String> now = Map.of("batch.size", Integer.toString(recipe.batchSize()), "spark.partitions",
                Integer.toString(recipe.partitions()), "spark.local.steps", Integer.toString(recipe.localSteps()));
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(now).entrySet()) {
            String then = saved.get(e.getKey());
            if (then != null && !then.equals(e.getValue())) {
                throw new IllegalArgumentException("spark training: checkpoint " + file + " was trained with "
                        + e.getKey() + " " + then + ", not " + e.getValue() + "; resume with the same batch size,"
                        + " partitions and local steps");
            }
        }
    }

    /**
     * Closes the executors' workers of this run (their backends, and so device memory) with one last task per
     * partition; an executor that stage does not reach releases them when it next starts another run.
     */
    private void release(JavaRDD<LabeledImage> shards) {
        String id = run;
        try {
            shards.foreachPartition(rows -> ShardWorker.release(id));
        } catch (RuntimeException e) {
            java.util.logging.Logger.getLogger(SparkTrainer.class.getName()).warning(
                    "could not release the executors' trainers of run " + id + ": " + e.getMessage());
        }
    }

    /** One round: broadcast, K local steps in every partition, the sum of their states. */
    private RoundSum round(JavaRDD<LabeledImage> shards, ModelState state, int epoch, int firstBatch,
                           int totalSteps) {
        return round(shards, state, epoch, firstBatch, recipe.localSteps(), totalSteps);
    }

    /**
     * The seconds each of {@code rounds} rounds of no training steps takes on {@code train}: the broadcast, the
     * tasks' rebuilding of the model and loading of the state, and the aggregation, which a round adds to the steps
     * themselves.
     */
    List<Double> overheadSeconds(JavaRDD<LabeledImage> train, int rounds) {
        JavaRDD<LabeledImage> shards = train.keyBy(LabeledImage::index)
                .partitionBy(new HashPartitioner(recipe.partitions())).values().persist(StorageLevel.MEMORY_ONLY());
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = recipe.newModel();
             Optimizer optimizer = recipe.newOptimizer()) {
            model.compile(cpu, recipe.localInput(), recipe.seed());
            optimizer.compile(cpu, model.params());
            ModelState state = ModelState.capture(model, optimizer);
            List<Double> seconds = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                long start = System.nanoTime();
                state = round(shards, state, 1, 0, 0, 1).average();
                seconds.add((System.nanoTime() - start) / 1e9);
            }
            return seconds;
        } finally {
            release(shards);
            shards.unpersist(false);
        }
    }

    private RoundSum round(JavaRDD<LabeledImage> shards, ModelState state, int epoch, int firstBatch, int steps,
                           int totalSteps) {
        Broadcast<ModelState> broadcast = spark.broadcast(state);
        try {
            TrainingRecipe r = recipe;
            Fault f = fault;
            String id = run;
            if (allReduce) {
                return BarrierRound.run(shards, (rows, task) -> {
                    if (f != null) {
                        f.maybeFail(epoch, firstBatch, task.partitionId());
                    }
                    ShardWorker worker = ShardWorker.of(id, r, task.partitionId(), rows);
                    return worker.train(broadcast.value(), epoch, firstBatch, steps, totalSteps,
                            worker.joinAllReduce(task));
                    // Spark retries a failed barrier stage only when it feeds a shuffle, not when it ends the job.
                }).keyBy(sum -> 0).reduceByKey(RoundSum::merge, 1).values().first();
            }
            return shards.mapPartitionsWithIndex((partition, rows) -> {
                if (f != null) {
                    f.maybeFail(epoch, firstBatch, partition);
                }
                ShardWorker worker = ShardWorker.of(id, r, partition, rows);
                return List.of(worker.train(broadcast.value(), epoch, firstBatch, steps, totalSteps, null))
                        .iterator();
            }, true).treeAggregate(new RoundSum(), RoundSum::merge, RoundSum::merge);
        } finally {
            broadcast.destroy();
        }
    }

    /** For tests: fail the first attempt of one partition's task at one round, as a lost executor would. */
    void failFirstAttempt(int epoch, int firstBatch, int partition) {
        this.fault = new Fault(epoch, firstBatch, partition);
    }

    /** A task failure injected on the first attempt only, so that Spark's retry succeeds. */
    private record Fault(int epoch, int firstBatch, int partition) implements Serializable {
        void maybeFail(int atEpoch, int atBatch, int atPartition) {
            TaskContext task = TaskContext.get();
            if (atEpoch == epoch && atBatch == firstBatch && atPartition == partition && task != null
                    && task.attemptNumber() == 0 && task.stageAttemptNumber() == 0) {
                throw new IllegalStateException("injected failure of partition " + partition + " at epoch " + epoch
                        + ", batch " + firstBatch + " (first attempt)");
            }
        }
    }
}
