package io.jcnn.model;

import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Dropout;
import io.jcnn.nn.Linear;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.Param;
import io.jcnn.nn.ReLU;
import io.jcnn.optim.Adam;
import io.jcnn.optim.CosineSchedule;
import io.jcnn.optim.Optimizer;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static final DatasetSplit SAMPLE = Mnist.sample();
    private static final Dataset TRAIN = SAMPLE.train().subset(0, 320);
    private static final Dataset TEST = SAMPLE.test().subset(0, 100);
    private static final int BATCH = 32;
    private static final long SEED = 5;

    @TempDir
    Path dir;

    /** A small convolutional net with dropout, so that resuming must also restore the dropout masks' stream. */
    private static Sequential net() {
        return new Sequential("net", new Conv2d("conv", 6, 5, ConvSpec.defaults()), new ReLU("relu"),
                new MaxPool2d("pool", 4, 4), new Linear("fc1", 32), new ReLU("relu1"), new Dropout("drop", 0.3f),
                new Linear("fc2", 10));
    }

    /** Everything one run needs, built the same way each time. */
    private final class Run implements AutoCloseable {
        final CpuBackend cpu = new CpuBackend(2);
        final Sequential model;
        final Optimizer optimizer;
        final DataLoader train = new DataLoader(TRAIN, BATCH, true, new Normalization(0.13f, 0.3f),
                new Augmentation(0, 1, false), SEED);
        final DataLoader test = new DataLoader(TEST, BATCH, false, new Normalization(0.13f, 0.3f),
                Augmentation.NONE, SEED);

        Run(Supplier<Optimizer> optimizer) {
            this(net(), optimizer);
        }

        Run(Sequential model, Supplier<Optimizer> optimizer) {
            this.model = model;
            this.optimizer = optimizer.get();
            model.compile(cpu, Shape.of(BATCH, 1, 28, 28), SEED);
            this.optimizer.compile(cpu, model.params());
        }

        Trainer.Builder trainer(int epochs) {
            return Trainer.builder(model, optimizer, train).test(test).epochs(epochs).seed(SEED)
                    .schedule(new CosineSchedule(0.05f, 0f, epochs * train.batchesPerEpoch(true)));
        }

        List<float[]> parameters() {
            List<float[]> all = new ArrayList<>();
            for (Param p : model.params()) {
                all.add(p.value().toArray());
            }
            return all;
        }

        @Override
        public void close() {
            train.close();
            test.close();
            optimizer.close();
            model.close();
            cpu.close();
        }
    }

    private static Supplier<Optimizer> optimizer(String kind) {
        return kind.equals("sgd") ? () -> new Sgd(0.05f).withMomentum(0.9f).withWeightDecay(5e-4f)
                : () -> new Adam(0.002f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam"})
    void stoppingMidEpochAndResumingGivesBitIdenticalParameters(String kind) throws IOException {
        List<float[]> uninterrupted;
        List<EpochMetrics> fullHistory;
        try (Run run = new Run(optimizer(kind))) {
            TrainingResult result = run.trainer(3).build().fit();
            assertEquals(TrainingResult.Outcome.COMPLETED, result.outcome());
            uninterrupted = run.parameters();
            fullHistory = result.history();
        }
        Path checkpoint = dir.resolve("ckpt.jcnn");
        int[] batches = {0};
        try (Run run = new Run(optimizer(kind))) {
            // Stop after the 17th batch: in the middle of epoch 2 (10 batches per epoch).
            TrainingResult stopped = run.trainer(3).checkpoint(checkpoint).stopWhen(() -> ++batches[0] == 17)
                    .build().fit();
            assertEquals(TrainingResult.Outcome.STOPPED, stopped.outcome());
            assertTrue(stopped.message().contains("epoch 2, batch 7"), stopped.message());
            assertEquals(new TrainingState(SEED, 2, 7, 17, stopped.state().learningRate()), stopped.state());
        }
        try (Run run = new Run(optimizer(kind))) {
            Checkpoint.Header header = Checkpoint.load(checkpoint, run.model, run.optimizer);
            TrainingResult resumed = run.trainer(3).build().fit(header.state(), List.of(fullHistory.get(0)));
            assertEquals(TrainingResult.Outcome.COMPLETED, resumed.outcome());
            List<float[]> after = run.parameters();
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(uninterrupted.get(i), after.get(i), kind + " parameter " + i);
            }
            assertEquals(3, resumed.history().size());
            assertEquals(fullHistory.get(2).testAccuracy(), resumed.history().get(2).testAccuracy());
        }
    }

    /**
     * The checkpoint carries the run's history: a run stopped mid-epoch and resumed from the checkpoint alone
     * reports every epoch's training metrics exactly as the uninterrupted run does (the resumed epoch over all its
     * batches, not only those after the resume).
     */
    @Test
    void aResumedRunReportsTheMetricsOfAnUninterruptedOne() throws IOException {
        List<EpochMetrics> full;
        try (Run run = new Run(optimizer("sgd"))) {
            full = run.trainer(3).build().fit().history();
        }
        Path checkpoint = dir.resolve("history.jcnn");
        int[] batches = {0};
        try (Run run = new Run(optimizer("sgd"))) {
            run.trainer(3).checkpoint(checkpoint).stopWhen(() -> ++batches[0] == 17).build().fit();
        }
        try (Run run = new Run(optimizer("sgd"))) {
            Checkpoint.Header header = Checkpoint.load(checkpoint, run.model, run.optimizer);
            RunHistory saved = RunHistory.fromMetadata(header.metadata(), checkpoint.toString());
            assertEquals(1, saved.epochs().size(), "epoch 1 is in the checkpoint");
            assertEquals(7 * BATCH, saved.current().seen(), "the 7 batches of epoch 2 run before the stop");
            List<EpochMetrics> resumed = run.trainer(3).build().fit(header.state(), saved).history();
            assertEquals(3, resumed.size());
            for (int e = 0; e < 3; e++) {
                assertEquals(full.get(e).trainLoss(), resumed.get(e).trainLoss(), "train loss of epoch " + (e + 1));
                assertEquals(full.get(e).trainAccuracy(), resumed.get(e).trainAccuracy(),
                        "train accuracy of epoch " + (e + 1));
                assertEquals(full.get(e).testLoss(), resumed.get(e).testLoss(), "test loss of epoch " + (e + 1));
            }
        }
    }

    /** A failed save says which checkpoint, where the run stood, and whether a previous checkpoint survives. */
    @Test
    void aFailedSaveNamesTheCheckpointAndWhereTheRunStood() throws IOException {
        Path occupied = Files.createDirectories(dir.resolve("taken.jcnn")).resolve("x");
        Files.writeString(occupied, "a directory where the checkpoint should go");
        Path checkpoint = occupied.getParent();
        try (Run run = new Run(optimizer("sgd"))) {
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                    () -> run.trainer(1).checkpoint(checkpoint).build().fit());
            assertEquals("cannot save checkpoint " + checkpoint + ": it is a directory (after epoch 1); no checkpoint"
                    + " of this run was saved", e.getMessage());
        }
    }

    /** Divergence before any save does not claim a checkpoint is kept. */
    @Test
    void divergenceBeforeAnySaveSaysNoCheckpointWasSaved() {
        Path checkpoint = dir.resolve("never.jcnn");
        try (Run run = new Run(optimizer("sgd"))) {
            TrainingResult result = run.trainer(2).checkpoint(checkpoint).schedule(t -> 1e12f).build().fit();
            assertEquals(TrainingResult.Outcome.DIVERGED, result.outcome());
            assertTrue(result.message().contains("no checkpoint was saved before it"), result.message());
            assertFalse(result.message().contains("is kept"), result.message());
            assertFalse(Files.exists(checkpoint));
        }
    }

    @Test
    void aTrainingRunLearnsAndReportsEveryEpoch() {
        List<String> events = new ArrayList<>();
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void onStart(int epochs, int batchesPerEpoch) {
                events.add("start " + epochs + "x" + batchesPerEpoch);
            }

            @Override
            public void onEpoch(EpochMetrics metrics) {
                events.add("epoch " + metrics.epoch());
            }

            @Override
            public void onFinish() {
                events.add("finish");
            }
        };
        try (Run run = new Run(Models.lenet(), optimizer("sgd"))) {
            TrainingResult result = run.trainer(8).listener(recorder).build().fit();
            assertEquals(List.of("start 8x10", "epoch 1", "epoch 2", "epoch 3", "epoch 4", "epoch 5", "epoch 6",
                    "epoch 7", "epoch 8", "finish"), events);
            EpochMetrics first = result.history().get(0);
            EpochMetrics last = result.last();
            assertTrue(last.trainLoss() < first.trainLoss(), first + " -> " + last);
            assertTrue(last.testAccuracy() > 0.8, "LeNet test accuracy after 8 epochs of 320 images: " + last.testAccuracy());
            assertTrue(last.imagesPerSecond() > 0 && last.wallSeconds() > 0);
        }
    }

    @Test
    void aDivergingLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws IOException {
        Path checkpoint = dir.resolve("ckpt.jcnn");
        List<String> stops = new ArrayList<>();
        try (Run run = new Run(optimizer("sgd"))) {
            // A sane rate for epoch 1, then one so large that the loss overflows during epoch 2.
            TrainingResult result = run.trainer(3).checkpoint(checkpoint)
                    .schedule(t -> t < 10 ? 0.01f : 1e12f)
                    .listener(new TrainingListener() {
                        @Override
                        public void onStop(String reason) {
                            stops.add(reason);
                        }
                    }).build().fit();
            assertEquals(TrainingResult.Outcome.DIVERGED, result.outcome());
            assertTrue(result.message().startsWith("training diverged at epoch 2, batch "), result.message());
            assertTrue(result.message().contains("last good checkpoint " + checkpoint), result.message());
            assertEquals(List.of(result.message()), stops);
        }
        Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
        assertEquals(new TrainingState(SEED, 2, 0, 10, 0.01f), header.state(), "the checkpoint after epoch 1");
    }

    @Test
    void evaluationIgnoresThePaddingOfAPartialFinalBatch() {
        Dataset odd = SAMPLE.test().subset(0, 75);
        try (CpuBackend cpu = new CpuBackend(); Sequential wide = net(); Sequential single = net();
             DataLoader batches = new DataLoader(odd, 32, false, Normalization.NONE, Augmentation.NONE, 1);
             DataLoader ones = new DataLoader(odd, 1, false, Normalization.NONE, Augmentation.NONE, 1)) {
            wide.compile(cpu, Shape.of(32, 1, 28, 28), 3);
            single.compile(cpu, Shape.of(1, 1, 28, 28), 3);
            Evaluation a = Evaluation.of(wide, batches);
            Evaluation b = Evaluation.of(single, ones);
            assertEquals(75, a.samples());
            assertEquals(b.accuracy(), a.accuracy());
            assertEquals(b.loss(), a.loss(), 1e-5);
            assertArrayEquals(b.confusion()[3], a.confusion()[3]);
            int total = 0;
            for (int[] row : a.confusion()) {
                for (int v : row) {
                    total += v;
                }
            }
            assertEquals(75, total);
            assertTrue(a.confusionTable().lines().count() == 11);
        }
    }

    @Test
    void aModelThatDoesNotFitTheDataIsRefusedBeforeTraining() {
        try (Run run = new Run(optimizer("sgd"));
             DataLoader other = new DataLoader(TRAIN, 16, true, Normalization.NONE, Augmentation.NONE, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.builder(run.model, run.optimizer, other).build().fit());
            assertTrue(e.getMessage().contains("32×1×28×28") && e.getMessage().contains("16×1×28×28"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> run.trainer(0));
        }
    }

    @Test
    void checkpointsAreWrittenAfterEveryEpoch() throws IOException {
        Path checkpoint = dir.resolve("ckpt.jcnn");
        try (Run run = new Run(optimizer("sgd"))) {
            run.trainer(1).checkpoint(checkpoint).build().fit();
        }
        assertTrue(Files.exists(checkpoint));
        assertEquals(new TrainingState(SEED, 2, 0, 10, Checkpoint.readHeader(checkpoint).state().learningRate()),
                Checkpoint.readHeader(checkpoint).state());
    }
}
