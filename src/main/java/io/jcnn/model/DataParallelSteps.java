package io.jcnn.model;

import io.jcnn.backend.Collective;
import io.jcnn.data.DataLoader;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.nn.Param;
import io.jcnn.parallel.Replicas;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Synchronous data-parallel training steps: every batch is cut into equal shards, one per replica in rank order; each
 * replica runs forward, loss and backward on its shard on its own thread; the gradients are averaged across replicas
 * ({@link Collective#allReduceMean}), and every replica applies the same update, so all stay equal to rank 0.
 * <p>
 * The mean of the shard gradients is the gradient of the mean loss over the whole batch, so a step is the
 * single-device step on the whole batch up to float rounding (the sums are split differently), with two exceptions:
 * dropout draws its masks per shard (replica r seeds with (step seed, r)), and batch normalisation normalises each
 * shard with its own statistics, as PyTorch's DistributedDataParallel does without SyncBatchNorm; the running
 * statistics are averaged across replicas after every step, which equals updating them with the mean of the shard
 * statistics.
 */
final class DataParallelSteps implements StepRunner {
    private final Replicas<TrainingReplica> replicas;
    private final int shard;
    private final int imageFloats;
    private final int classes;
    private final List<SoftmaxCrossEntropyLoss> losses = new ArrayList<>();
    private final List<BatchUploads> uploads = new ArrayList<>();
    private final List<BatchUploads.Slot> current = new ArrayList<>();
    private final float[][] shardImages;
    private final float[][] shardLabels;
    private final float[][] logits;
    /** Each rank's parameter gradients and running statistics, in the order every rank reduces them. */
    private final List<List<Tensor>> gradients = new ArrayList<>();
    private final List<List<Tensor>> buffers = new ArrayList<>();

    /**
     * Runners for {@code replicas}, each compiled for {@code shardInput}; rank 0's parameters, running statistics and
     * optimizer state are copied to every other rank first, so that all start equal (after a resume, only rank 0
     * has read the checkpoint).
     */
    DataParallelSteps(Replicas<TrainingReplica> replicas, Shape shardInput, int classes) {
        this.replicas = replicas;
        this.shard = shardInput.dim(0);
        this.imageFloats = shardInput.size() / shard;
        this.classes = classes;
        int n = replicas.size();
        shardImages = new float[n][shardInput.size()];
        shardLabels = new float[n][];
        logits = new float[n][shard * classes];
        for (int r = 0; r < n; r++) {
            Sequential model = replicas.replica(r).model();
            gradients.add(model.params().stream().map(Param::gradient).toList());
            buffers.add(model.buffers());
            losses.add(null);
            uploads.add(null);
            current.add(null);
        }
        try {
            replicas.onEveryRank(r -> {
                Sequential model = replicas.replica(r).model();
                model.setInputGradientNeeded(false);
                SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
                losses.set(r, loss);
                loss.compile(model.backend(), model.outputShape());
                Shape targets = loss.targetShape(model.outputShape());
                shardLabels[r] = new float[targets.size()];
                uploads.set(r, new BatchUploads(model.backend(), shardInput, targets));
                return null;
            });
            synchronizeReplicas();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void synchronizeReplicas() {
        int steps = replicas.replica(0).optimizer().steps();
        replicas.onEveryRank(r -> {
            TrainingReplica replica = replicas.replica(r);
            List<Tensor> state = new ArrayList<>();
            replica.model().params().forEach(p -> state.add(p.value()));
            state.addAll(replica.model().buffers());
            state.addAll(replica.optimizer().state());
            replicas.collective(r).broadcast(state, 0);
            if (r != 0) {
                replica.optimizer().restoreSteps(steps);
            }
            return null;
        });
    }

    @Override
    public void stage(DataLoader.Batch batch) {
        float[] images = batch.images();
        float[] labels = batch.labels();
        int labelFloats = shardLabels[0].length / shard;
        replicas.onEveryRank(r -> {
            System.arraycopy(images, r * shard * imageFloats, shardImages[r], 0, shard * imageFloats);
            System.arraycopy(labels, r * shard * labelFloats, shardLabels[r], 0, shard * labelFloats);
            uploads.get(r).stage(shardImages[r], shardLabels[r], shard);
            return null;
        });
    }

    @Override
    public boolean hasNext() {
        return uploads.get(0).hasNext();
    }

    @Override
    public void next() {
        for (int r = 0; r < uploads.size(); r++) {
            current.set(r, uploads.get(r).next());
        }
    }

    @Override
    public Outcome run(long seed, float rate) {
        // Forward, loss and backward everywhere first: a non-finite loss on any replica stops the step before any
        // replica has reduced or updated anything.
        List<Outcome> shards = replicas.onEveryRank(r -> {
            TrainingReplica replica = replicas.replica(r);
            BatchUploads.Slot batch = current.get(r);
            replica.model().reseed(r == 0 ? seed : CounterRandom.derive(seed, r));
            Tensor output = replica.model().forward(batch.images(), true);
            float value = losses.get(r).compute(output, batch.labels());
            output.backend().download(output, logits[r]);
            int correct = Trainer.countCorrect(logits[r], batch.hostLabels(), batch.size(), classes);
            replica.model().backward(losses.get(r).gradient());
            return new Outcome(value, correct, batch.size());
        });
        replicas.onEveryRank(r -> {
            TrainingReplica replica = replicas.replica(r);
            Collective collective = replicas.collective(r);
            collective.allReduceMean(gradients.get(r));
            replica.optimizer().setLearningRate(rate);
            replica.optimizer().step();
            if (!buffers.get(r).isEmpty()) {
                collective.allReduceMean(buffers.get(r));
            }
            return null;
        });
        float loss = 0;
        int correct = 0;
        int size = 0;
        for (Outcome o : shards) {
            loss += o.loss();
            correct += o.correct();
            size += o.size();
        }
        return new Outcome(loss / shards.size(), correct, size);
    }

    @Override
    public void close() {
        replicas.onEveryRank(r -> {
            try (SoftmaxCrossEntropyLoss loss = losses.get(r)) {
                if (uploads.get(r) != null) {
                    uploads.get(r).close();
                }
            }
            return null;
        });
    }
}
