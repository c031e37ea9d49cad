package io.jcnn.model;

import io.jcnn.data.DataLoader;
import io.jcnn.optim.LearningRateSchedule;
import io.jcnn.optim.Optimizer;
import io.jcnn.parallel.Replicas;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Trains a compiled classifier with softmax cross-entropy: epochs of shuffled batches from a {@link DataLoader},
 * an evaluation on the test set after each epoch, a checkpoint after each epoch, and progress through a
 * {@link TrainingListener}.
 * <p>
 * A run is a pure function of the seed: the batch order and augmentation come from the loader's (seed, epoch,
 * position), dropout masks from {@code (seed, global step)}, and the learning rate from the global step. Resuming
 * from a checkpoint saved after any batch therefore continues exactly as if the run had never stopped.
 * <p>
 * A run ends in one of three ways ({@link TrainingResult.Outcome}): every epoch done; stopped on request (the
 * stop signal is polled after every batch, and a checkpoint of the state after that batch is saved); or a NaN or
 * infinite loss, which stops at once without saving, so the last checkpoint, from before the divergence, is kept.
 * <p>
 * On one device the steps run on the model's backend ({@code SingleDeviceSteps}); given {@link Builder#replicas}, each
 * batch is split across the replicas and their gradients averaged ({@code DataParallelSteps}), and the run is then a
 * pure function of the seed and the device list.
 */
public final class Trainer {
    private static final System.Logger LOG = System.getLogger(Trainer.class.getName());
    private final Sequential model;
    private final Optimizer optimizer;
    private final DataLoader train;
    private final DataLoader test;
    private final int epochs;
    private final long seed;
    private final LearningRateSchedule schedule;
    private final TrainingListener listener;
    private final Path checkpoint;
    private final BooleanSupplier stopRequested;
    private final Map<String, String> metadata;
    private final Replicas<TrainingReplica> replicas;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.train = b.train;
        this.test = b.test;
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.schedule = b.schedule != null ? b.schedule : LearningRateSchedule.constant(b.optimizer.learningRate());
        this.listener = b.listener;
        this.checkpoint = b.checkpoint;
        this.stopRequested = b.stopRequested;
        this.metadata = Map.copyOf(b.metadata);
        this.replicas = b.replicas;
    }

    /**
     * A trainer for {@code model}, already compiled for the training loader's batch and sample shape, updated by
     * {@code optimizer}, already compiled for the model's parameters.
     */
    public static Builder builder(Sequential model, Optimizer optimizer, DataLoader train) {
        return new Builder(model, optimizer, train);
    }

    /** Trains from the beginning. */
    public TrainingResult fit() {
        return fit(null);
    }

    /**
     * Trains from {@code resume} (a state read from a checkpoint whose parameters and optimizer state are already
     * loaded into the model and optimizer), or from the beginning when it is null. {@code earlier} epochs' metrics
     * are carried into the result.
     */
    public TrainingResult fit(TrainingState resume, List<EpochMetrics> earlier) {
        return fit(resume, new RunHistory(earlier, RunHistory.EpochSums.NONE));
    }

    /**
     * Trains from {@code resume} as {@link #fit(TrainingState, List)} does, continuing {@code earlier}: its completed
     * epochs are carried into the result, and when the run stopped inside an epoch, that epoch's running sums, so the
     * resumed epoch reports its metrics over all its batches, as an uninterrupted run does. Each checkpoint saved
     * holds the history so far ({@link RunHistory}).
     */
    public TrainingResult fit(TrainingState resume, RunHistory earlier) {
        int devices = replicas != null ? replicas.size() : 1;
        if (train.batchSize() % devices != 0) {
            throw new IllegalArgumentException("train: a batch of " + train.batchSize() + " does not split evenly"
                    + " over " + devices + " devices; use a batch size divisible by " + devices);
        }
        Shape input = ClassifierShapes.checkInput(model, train, train.batchSize() / devices, "train");
        int classes = ClassifierShapes.classes(model, train, "train");
        if (test != null) {
            ClassifierShapes.checkInput(model, test, test.batchSize(), "test");
            ClassifierShapes.classes(model, test, "test");
        }
        int batches = train.batchesPerEpoch(true);
        if (batches == 0) {
            throw new IllegalArgumentException("train: dataset '" + train.dataset().name() + "' has "
                    + train.dataset().size() + " samples, fewer than one batch of " + train.batchSize());
        }
        TrainingState state = resume != null ? checkResume(resume, batches)
                : TrainingState.start(seed);
        List<EpochMetrics> history = new ArrayList<>(earlier.epochs());
        RunHistory.EpochSums carried = resume != null && resume.batchInEpoch() > 0 ? earlier.current()
                : RunHistory.EpochSums.NONE;
        model.setInputGradientNeeded(false);
        try (StepRunner steps = replicas != null ? new DataParallelSteps(replicas, input, classes)
                : new SingleDeviceSteps(model, optimizer, input, classes)) {
            listener.onStart(epochs, batches);
            for (int epoch = state.epoch(); epoch <= epochs; epoch++) {
                // A resumed epoch continues the sums and the clock of the part that ran before the stop.
                long started = System.nanoTime() - (long) (carried.trainSeconds() * 1e9);
                double lossSum = carried.lossSum();
                long correct = carried.correct();
                long seen = carried.seen();
                carried = RunHistory.EpochSums.NONE;
                int step = state.step();
                try (DataLoader.Epoch batchesOfEpoch = train.epoch(epoch, state.batchInEpoch(), true)) {
                    if (batchesOfEpoch.hasNext()) {
                        steps.stage(batchesOfEpoch.next());
                    }
                    for (int b = state.batchInEpoch(); steps.hasNext(); b++) {
                        steps.next();
                        // The next batch goes up while this step computes.
                        if (batchesOfEpoch.hasNext()) {
                            steps.stage(batchesOfEpoch.next());
                        }
                        float rate = schedule.rate(step);
                        StepRunner.Outcome outcome;
                        try {
                            outcome = steps.run(CounterRandom.derive(seed, step), rate);
                        } catch (ArithmeticException diverged) {
                            String reason = "training diverged at epoch " + epoch + ", batch " + (b + 1) + " of "
                                    + batches + " (step " + (step + 1) + "): " + diverged.getMessage()
                                    + (checkpoint != null && Files.isRegularFile(checkpoint) ? "; the last good "
                                    + "checkpoint " + checkpoint + " is kept" : checkpoint != null
                                    ? "; no checkpoint was saved before it" : "") + "; try a lower learning rate";
                            listener.onStop(reason);
                            return new TrainingResult(TrainingResult.Outcome.DIVERGED, reason, history, state);
                        }
                        correct += outcome.correct();
                        seen += outcome.size();
                        lossSum += (double) outcome.loss() * outcome.size();
                        step++;
                        state = new TrainingState(seed, epoch, b + 1, step, rate);
                        listener.onBatch(epoch, b, batches, lossSum / seen, (double) correct / seen);
                        if (b + 1 < batches && stopRequested.getAsBoolean()) {
                            RunHistory sofar = new RunHistory(history, new RunHistory.EpochSums(lossSum, correct,
                                    seen, (System.nanoTime() - started) / 1e9));
                            return stop(state, sofar, "stopped at epoch " + epoch + ", batch " + (b + 1)
                                    + " of " + batches);
                        }
                    }
                }
                double trainSeconds = (System.nanoTime() - started) / 1e9;
                Evaluation evaluation = test != null ? Evaluation.of(model, test) : null;
                EpochMetrics metrics = new EpochMetrics(epoch, seen > 0 ? lossSum / seen : Double.NaN,
                        seen > 0 ? (double) correct / seen : Double.NaN,
                        evaluation != null ? evaluation.loss() : Double.NaN,
                        evaluation != null ? evaluation.accuracy() : Double.NaN,
                        seen / trainSeconds, (System.nanoTime() - started) / 1e9, optimizer.learningRate());
                history.add(metrics);
                LOG.log(System.Logger.Level.DEBUG, () -> model.name() + ": " + metrics);
                state = new TrainingState(seed, epoch + 1, 0, step, optimizer.learningRate());
                RunHistory sofar = new RunHistory(history, RunHistory.EpochSums.NONE);
                save(state, sofar);
                listener.onEpoch(metrics);
                if (epoch < epochs && stopRequested.getAsBoolean()) {
                    return stop(state, sofar, "stopped after epoch " + epoch + " of " + epochs);
                }
            }
        }
        listener.onFinish();
        return new TrainingResult(TrainingResult.Outcome.COMPLETED, "trained " + epochs + " epochs", history, state);
    }

    /** {@link #fit(TrainingState, List)} with no earlier metrics. */
    public TrainingResult fit(TrainingState resume) {
        return fit(resume, List.of());
    }

    private TrainingResult stop(TrainingState state, RunHistory history, String where) {
        save(state, history);
        String reason = where + (checkpoint != null ? "; checkpoint saved to " + checkpoint : "");
        listener.onStop(reason);
        return new TrainingResult(TrainingResult.Outcome.STOPPED, reason, history.epochs(), state);
    }

    /** Saves the checkpoint with the run's history in its metadata; a failure says where the run stood. */
    private void save(TrainingState state, RunHistory history) {
        if (checkpoint == null) {
            return;
        }
        Map<String, String> all = new java.util.HashMap<>(metadata);
        all.putAll(history.toMetadata());
        boolean hadOne = Files.isRegularFile(checkpoint);
        try {
            Checkpoint.save(checkpoint, model, optimizer, state, all);
        } catch (IOException e) {
            String where = state.batchInEpoch() == 0 ? "after epoch " + state.epochsCompleted()
                    : "at epoch " + state.epoch() + ", batch " + state.batchInEpoch();
            throw new UncheckedIOException(e.getMessage() + " (" + where + "); " + (hadOne
                    ? "the previous checkpoint is intact" : "no checkpoint of this run was saved"), e);
        }
    }

    private TrainingState checkResume(TrainingState resume, int batches) {
        if (resume.seed() != seed) {
            throw new IllegalArgumentException("resume: the checkpoint was trained with seed " + resume.seed()
                    + " but this run has seed " + seed + "; an exact resume needs the same seed");
        }
        if (resume.batchInEpoch() > batches) {
            throw new IllegalArgumentException("resume: the checkpoint stopped after batch " + resume.batchInEpoch()
                    + " of an epoch, but an epoch here has only " + batches + " batches; use the same dataset and"
                    + " batch size to resume");
        }
        return resume;
    }

    static int countCorrect(float[] logits, float[] labels, int count, int classes) {
        int correct = 0;
        for (int i = 0; i < count; i++) {
            if (Evaluation.argMax(logits, i * classes, classes) == (int) labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    /** Configures a {@link Trainer}; only the model, optimizer and training data are required. */
    public static final class Builder {
        private final Sequential model;
        private final Optimizer optimizer;
        private final DataLoader train;
        private DataLoader test;
        private int epochs = 1;
        private long seed;
        private LearningRateSchedule schedule;
        private TrainingListener listener = TrainingListener.NONE;
        private Path checkpoint;
        private BooleanSupplier stopRequested = () -> false;
        private Map<String, String> metadata = Map.of();
        private Replicas<TrainingReplica> replicas;

        private Builder(Sequential model, Optimizer optimizer, DataLoader train) {
            this.model = Objects.requireNonNull(model, "model");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            this.train = Objects.requireNonNull(train, "training data");
        }

        /** Evaluated after every epoch; use an unshuffled, unaugmented loader with the training batch size. */
        public Builder test(DataLoader test) {
            this.test = test;
            return this;
        }

        /** Total epochs, counting any completed before a resume; at least 1. */
        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** Seeds the dropout masks; use the seed the model and loader were built with. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The learning rate by global step (counting from 0); by default the optimizer's rate throughout. */
        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /**
         * Receives the progress of the run (epochs, batches, the stop); by default nothing does.
         *
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder listener(TrainingListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Saved after every epoch and when stopped on request; never on divergence. */
        public Builder checkpoint(Path checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        /** Recorded in every checkpoint, for the programs that load it (the input normalisation, say). */
        public Builder checkpointMetadata(Map<String, String> metadata) {
            this.metadata = Objects.requireNonNull(metadata, "metadata");
            return this;
        }

        /** Polled after every batch; when it turns true the run saves a checkpoint and stops. */
        public Builder stopWhen(BooleanSupplier stopRequested) {
            this.stopRequested = Objects.requireNonNull(stopRequested, "stop signal");
            return this;
        }

        /**
         * Trains data-parallel on these replicas ({@link io.jcnn.parallel.Replicas}), whose rank 0 must be this
         * builder's model and optimizer: each batch of the training loader is split evenly over them, and their
         * gradients are averaged after every step. Rank 0 is evaluated and checkpointed. Every replica is compiled
         * for the batch size divided by the number of replicas, and the test loader uses that batch size too.
         *
         * @throws IllegalArgumentException if rank 0 is not this builder's model and optimizer
         */
        public Builder replicas(Replicas<TrainingReplica> replicas) {
            if (replicas.replica(0).model() != model || replicas.replica(0).optimizer() != optimizer) {
                throw new IllegalArgumentException("the replicas' rank 0 must be the trainer's model and optimizer");
            }
            this.replicas = replicas;
            return this;
        }

        /** A trainer with these settings. */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
