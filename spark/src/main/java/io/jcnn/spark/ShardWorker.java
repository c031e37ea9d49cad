package io.jcnn.spark;

import io.jcnn.backend.Backend;
import io.jcnn.backend.Collective;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.backend.cuda.NcclCollective;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Param;
import io.jcnn.optim.LearningRateSchedule;
import io.jcnn.optim.Optimizer;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * One partition's trainer inside an executor: its shard, and its model, optimizer and backend compiled once for the
 * run and kept between rounds, so that a round costs the broadcast state's loading and K steps, not a rebuild. A
 * round's result depends only on the broadcast state, the shard, the recipe and the round, as if everything were
 * built afresh: a task Spark retries, here or in another executor, computes the same bits.
 *
 * <p>Workers live in a per-JVM table keyed by run and partition. The trainer releases a run's workers with a last
 * stage when the run ends; a worker an executor still holds from an earlier run (one that stage did not reach) is
 * released when that executor next creates a worker for another run. Releasing closes the backend, so device
 * memory is freed then, not by the garbage collector.
 */
final class ShardWorker implements AutoCloseable {
    private static final Map<String, ShardWorker> WORKERS = new HashMap<>();

    private final String run;
    private final TrainingRecipe recipe;
    private final int partition;
    private final long seed;
    private final Backend backend;
    private final Sequential model;
    private final Optimizer optimizer;
    private final SoftmaxCrossEntropyLoss loss;
    private final DataLoader loader;
    private final Tensor images;
    private final Tensor labels;
    private final float[] logits;
    /** The parameters' gradients, in the order every partition all-reduces them. */
    private final List<Tensor> gradients;
    /** This partition's rank in the run's NCCL communicator, in all-reduce mode; kept from round to round. */
    private Collective collective;
    private byte[] collectiveId;

    private ShardWorker(String run, TrainingRecipe recipe, int partition, Dataset shard) {
        this.run = run;
        this.recipe = recipe;
        this.partition = partition;
        this.seed = partitionSeed(recipe.seed(), partition);
        this.backend = backend(recipe);
        Sequential m = null;
        Optimizer o = null;
        SoftmaxCrossEntropyLoss l = null;
        DataLoader d = null;
        Tensor x = null;
        Tensor y = null;
        try {
            m = recipe.newModel();
            m.compile(backend, recipe.localInput(), recipe.seed());
            m.setInputGradientNeeded(false);
            o = recipe.newOptimizer();
            o.compile(backend, m.params());
            l = new SoftmaxCrossEntropyLoss();
            l.compile(backend, m.outputShape());
            d = new DataLoader(shard, recipe.localBatch(), true, recipe.normalization(), recipe.augmentation(), seed,
                    0);
            x = backend.allocate(recipe.localInput());
            y = backend.allocate(l.targetShape(m.outputShape()));
        } catch (RuntimeException e) {
            for (AutoCloseable c : new AutoCloseable[] {y, x, d, l, o, m, backend}) {
                closeQuietly(c);
            }
            throw e;
        }
        this.model = m;
        this.optimizer = o;
        this.loss = l;
        this.loader = d;
        this.images = x;
        this.labels = y;
        this.logits = new float[recipe.localBatch() * m.outputShape().dim(1)];
        this.gradients = m.params().stream().map(Param::gradient).toList();
    }

    /**
     * The worker of {@code run}'s partition {@code partition} in this JVM, made from the partition's rows the first
     * time. Workers of other runs are released first.
     */
    static synchronized ShardWorker of(String run, TrainingRecipe recipe, int partition,
                                       Iterator<LabeledImage> rows) {
        String key = run + "/" + partition;
        ShardWorker worker = WORKERS.get(key);
        if (worker != null) {
            return worker;
        }
        WORKERS.entrySet().removeIf(e -> {
            if (!e.getValue().run.equals(run)) {
                e.getValue().close();
                return true;
            }
            return false;
        });
        worker = new ShardWorker(run, recipe, partition, shard(recipe, partition, rows));
        WORKERS.put(key, worker);
        return worker;
    }

    /** Releases every worker of {@code run} in this JVM; returns how many. */
    static synchronized int release(String run) {
        int[] released = {0};
        WORKERS.entrySet().removeIf(e -> {
            if (e.getValue().run.equals(run)) {
                e.getValue().close();
                released[0]++;
                return true;
            }
            return false;
        });
        return released[0];
    }

    /** The shard's examples in training-set order, whatever order Spark delivered them in. */
    static Dataset shard(TrainingRecipe recipe, int partition, Iterator<LabeledImage> rows) {
        List<LabeledImage> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        all.sort(Comparator.comparingLong(LabeledImage::index));
        int size = recipe.channels() * recipe.height() * recipe.width();
        byte[] pixels = new byte[all.size() * size];
        int[] classes = new int[all.size()];
        for (int i = 0; i < all.size(); i++) {
            LabeledImage image = all.get(i);
            if (image.pixels().length != size) {
                throw new IllegalArgumentException("example " + image.index() + " has " + image.pixels().length
                        + " pixels; the recipe's images have " + size);
            }
            System.arraycopy(image.pixels(), 0, pixels, i * size, size);
            classes[i] = image.label();
        }
        return new Dataset("shard " + partition, recipe.channels(), recipe.height(), recipe.width(), pixels, classes,
                recipe.classes());
    }

    /** The seed of partition {@code partition}'s shuffling, augmentation and dropout. */
    static long partitionSeed(long seed, int partition) {
        return CounterRandom.derive(seed, 1_000_003L + partition);
    }

    /** The shard's size. */
    int shardSize() {
        return loader.dataset().size();
    }

    /**
     * This partition's rank in an NCCL communicator of every partition of the run, joined through the barrier
     * stage's {@code allGather}: the communicator of the previous round when every rank still holds the same one,
     * else a new one whose unique id rank 0 makes (after a retried stage, or in a new executor, say).
     */
    synchronized Collective joinAllReduce(BarrierTaskContext task) {
        String mine = collectiveId == null ? "" : HexFormat.of().formatHex(collectiveId);
        String[] held = task.allGather(mine);
        if (!mine.isEmpty() && java.util.Arrays.stream(held).allMatch(mine::equals)) {
            return collective;
        }
        int rank = task.partitionId();
        String fresh = rank == 0 ? HexFormat.of().formatHex(NcclCollective.newUniqueId()) : "";
        byte[] id = HexFormat.of().parseHex(task.allGather(fresh)[0]);
        if (collective != null) {
            collective.close();
            collective = null;
            collectiveId = null;
        }
        collective = NcclCollective.joinRank(backend, held.length, id, rank);
        collectiveId = id;
        return collective;
    }

    /**
     * Trains {@code steps} steps of epoch {@code epoch} from batch {@code firstBatch}, starting from {@code start};
     * returns the partition's state afterwards with the steps' loss sum and accuracy counts. With a
     * {@code collective}, every step's gradients (and batch-norm running statistics) are averaged across the
     * partitions before the update, so every partition ends with the same state.
     */
    synchronized RoundSum train(ModelState start, int epoch, int firstBatch, int steps, int totalSteps,
                                Collective allReduce) {
        LearningRateSchedule schedule = recipe.schedule(totalSteps);
        start.restore(model, optimizer);
        int classes = model.outputShape().dim(1);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        try (DataLoader.Epoch batches = loader.epoch(epoch, firstBatch, true)) {
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
                if (allReduce != null) {
                    allReduce.allReduceMean(gradients);
                }
                optimizer.step();
                if (allReduce != null && !model.buffers().isEmpty()) {
                    allReduce.allReduceMean(model.buffers());
                }
            }
        }
        return new RoundSum().add(ModelState.capture(model, optimizer), lossSum, correct, seen);
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

    @Override
    public synchronized void close() {
        for (AutoCloseable c : new AutoCloseable[] {collective, images, labels, loader, loss, optimizer, model,
            backend}) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // Releasing the rest matters more than this one's failure to close.
        }
    }
}
