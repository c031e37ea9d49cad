package io.jcnn.model;

import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.nn.BatchNorm2d;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Linear;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.Param;
import io.jcnn.nn.ReLU;
import io.jcnn.optim.Adam;
import io.jcnn.optim.LearningRateSchedule;
import io.jcnn.optim.Optimizer;
import io.jcnn.optim.Sgd;
import io.jcnn.parallel.DeviceList;
import io.jcnn.parallel.Replicas;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training on CPU replicas ({@link DataParallelSteps}): a step on n replicas is the single-device step
 * on the whole batch up to float rounding, the replicas stay bit-identical to each other, a run repeats bit for bit,
 * and the trainer's divergence, checkpoint and resume behave as on one device.
 */
class DataParallelTrainingTest {
    private static final Dataset TRAIN = Mnist.sample().train().subset(0, 240);
    private static final Dataset TEST = Mnist.sample().test().subset(0, 60);
    private static final Normalization NORMALIZATION = new Normalization(0.13f, 0.3f);
    private static final long SEED = 11;

    @TempDir
    Path dir;

    private static Sequential net(boolean batchNorm) {
        return batchNorm
                ? new Sequential("bn-net", new Conv2d("conv", 4, 5, ConvSpec.defaults()), new BatchNorm2d("bn"),
                new ReLU("relu"), new MaxPool2d("pool", 4, 4), new Linear("fc", 10))
                : new Sequential("net", new Conv2d("conv", 4, 5, ConvSpec.defaults()), new ReLU("relu"),
                new MaxPool2d("pool", 4, 4), new Linear("fc1", 16), new ReLU("relu1"), new Linear("fc2", 10));
    }

    private static Replicas<TrainingReplica> replicas(int n, int batch, boolean batchNorm,
                                                      Supplier<Optimizer> optimizer) {
        return Replicas.start(new DeviceList(Collections.nCopies(n, "cpu")), n, false, backend -> {
            Sequential model = net(batchNorm);
            model.compile(backend, Shape.of(batch / n, 1, 28, 28), SEED);
            Optimizer o = optimizer.get();
            o.compile(backend, model.params());
            return new TrainingReplica(model, o);
        });
    }

    private static DataLoader loader(Dataset data, int batch, boolean shuffle) {
        return new DataLoader(data, batch, shuffle, NORMALIZATION, Augmentation.NONE, SEED);
    }

    private static List<float[]> parameters(Sequential model) {
        List<float[]> values = new ArrayList<>();
        for (Param p : model.params()) {
            values.add(p.value().toArray());
        }
        for (Tensor t : model.buffers()) {
            values.add(t.toArray());
        }
        return values;
    }

    private static List<float[]> singleDevice(int batch, int epochs, boolean batchNorm, Supplier<Optimizer> optimizer,
                                              float rate) {
        try (Backend cpu = new CpuBackend(1); Sequential model = net(batchNorm); Optimizer o = optimizer.get();
             DataLoader train = loader(TRAIN, batch, true)) {
            model.compile(cpu, Shape.of(batch, 1, 28, 28), SEED);
            o.compile(cpu, model.params());
            Trainer.builder(model, o, train).epochs(epochs).seed(SEED)
                    .schedule(LearningRateSchedule.constant(rate)).build().fit();
            return parameters(model);
        }
    }

    private static float maxDifference(List<float[]> a, List<float[]> b) {
        float max = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                max = Math.max(max, Math.abs(a.get(i)[j] - b.get(i)[j]));
            }
        }
        return max;
    }

    /** Trains n replicas and returns rank 0's parameters, after checking every rank holds exactly the same. */
    private static List<float[]> parallel(int n, int batch, int epochs, boolean batchNorm,
                                          Supplier<Optimizer> optimizer, float rate) {
        try (Replicas<TrainingReplica> group = replicas(n, batch, batchNorm, optimizer);
             DataLoader train = loader(TRAIN, batch, true)) {
            TrainingReplica rank0 = group.replica(0);
            TrainingResult result = Trainer.builder(rank0.model(), rank0.optimizer(), train).replicas(group)
                    .epochs(epochs).seed(SEED).schedule(LearningRateSchedule.constant(rate)).build().fit();
            assertEquals(TrainingResult.Outcome.COMPLETED, result.outcome());
            List<float[]> first = parameters(rank0.model());
            for (int r = 1; r < n; r++) {
                List<float[]> other = parameters(group.replica(r).model());
                for (int i = 0; i < first.size(); i++) {
                    assertArrayEquals(first.get(i), other.get(i), "rank " + r + " drifted from rank 0, tensor " + i);
                }
            }
            return first;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void oneStepOfPlainSgdEqualsTheSingleDeviceStepOnTheWholeBatch(int replicas) {
        // 240 samples in batches of 240: one step. Its gradient is the mean over the batch on one device, the mean of
        // the shard means on n; they differ only in how the float sums are split.
        List<float[]> single = singleDevice(240, 1, false, () -> new Sgd(0.5f), 0.5f);
        List<float[]> split = parallel(replicas, 240, 1, false, () -> new Sgd(0.5f), 0.5f);
        List<float[]> initial;
        try (Backend cpu = new CpuBackend(1); Sequential model = net(false)) {
            model.compile(cpu, Shape.of(240, 1, 28, 28), SEED);
            initial = parameters(model);
        }
        float moved = maxDifference(initial, single);
        float difference = maxDifference(single, split);
        assertTrue(moved > 1e-3f, "the step moved the parameters by " + moved);
        assertTrue(difference <= 2e-6f, "largest difference from the single-device step: " + difference);
    }

    @Test
    void severalStepsWithMomentumStayCloseToTheSingleDeviceRun() {
        // 10 steps of SGD with momentum and weight decay: rounding differences grow a little, step by step.
        Supplier<Optimizer> sgd = () -> new Sgd(0.05f).withMomentum(0.9f).withWeightDecay(5e-4f);
        float difference = maxDifference(singleDevice(24, 1, false, sgd, 0.05f),
                parallel(2, 24, 1, false, sgd, 0.05f));
        assertTrue(difference <= 1e-4f, "largest difference from the single-device run: " + difference);
    }

    @Test
    void aRunRepeatsBitForBitWithTheSameDevices() {
        Supplier<Optimizer> adam = () -> new Adam(0.01f);
        List<float[]> first = parallel(3, 24, 1, true, adam, 0.01f);
        List<float[]> second = parallel(3, 24, 1, true, adam, 0.01f);
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i), "tensor " + i);
        }
    }

    @Test
    void batchNormRunningStatisticsAreTheMeanOfTheShardStatistics() {
        // Each replica normalises its shard with the shard's statistics; the running statistics are averaged, so
        // every replica ends with the same ones (checked by parallel) and they are finite and moved from 0 and 1.
        List<float[]> values = parallel(2, 24, 1, true, () -> new Sgd(0.05f), 0.05f);
        float[] runningMean = values.get(values.size() - 2);
        float[] runningVariance = values.get(values.size() - 1);
        for (int c = 0; c < runningMean.length; c++) {
            assertTrue(Float.isFinite(runningMean[c]) && runningMean[c] != 0f, "running mean " + runningMean[c]);
            assertTrue(Float.isFinite(runningVariance[c]) && runningVariance[c] != 1f,
                    "running variance " + runningVariance[c]);
        }
    }

    @Test
    void trainsToTheSingleDeviceAccuracyAndResumesFromItsCheckpoint() throws IOException {
        Path checkpoint = dir.resolve("dp.jcnn");
        Supplier<Optimizer> sgd = () -> new Sgd(0.05f).withMomentum(0.9f);
        List<float[]> uninterrupted;
        double accuracy;
        try (Replicas<TrainingReplica> group = replicas(2, 24, false, sgd);
             DataLoader train = loader(TRAIN, 24, true); DataLoader test = loader(TEST, 12, false)) {
            TrainingReplica rank0 = group.replica(0);
            TrainingResult result = Trainer.builder(rank0.model(), rank0.optimizer(), train).replicas(group)
                    .test(test).epochs(3).seed(SEED).schedule(LearningRateSchedule.constant(0.05f)).build().fit();
            accuracy = result.last().testAccuracy();
            uninterrupted = parameters(rank0.model());
        }
        double single;
        try (Backend cpu = new CpuBackend(1); Sequential model = net(false); Optimizer o = sgd.get();
             DataLoader train = loader(TRAIN, 24, true); DataLoader test = loader(TEST, 24, false)) {
            model.compile(cpu, Shape.of(24, 1, 28, 28), SEED);
            o.compile(cpu, model.params());
            single = Trainer.builder(model, o, train).test(test).epochs(3).seed(SEED)
                    .schedule(LearningRateSchedule.constant(0.05f)).build().fit().last().testAccuracy();
        }
        // 60 test digits: the two runs differ by float rounding only, so by a digit or two at most.
        assertTrue(Math.abs(accuracy - single) <= 2.0 / 60, "test accuracy " + accuracy + " on 2 replicas, "
                + single + " on one device");
        assertTrue(accuracy > 0.3, "test accuracy after 3 epochs of 240 digits: " + accuracy);

        int[] batches = {0};
        try (Replicas<TrainingReplica> group = replicas(2, 24, false, sgd);
             DataLoader train = loader(TRAIN, 24, true); DataLoader test = loader(TEST, 12, false)) {
            TrainingReplica rank0 = group.replica(0);
            TrainingResult stopped = Trainer.builder(rank0.model(), rank0.optimizer(), train).replicas(group)
                    .test(test).epochs(3).seed(SEED).schedule(LearningRateSchedule.constant(0.05f))
                    .checkpoint(checkpoint).stopWhen(() -> ++batches[0] == 13).build().fit();
            assertEquals(TrainingResult.Outcome.STOPPED, stopped.outcome());
        }
        // Resumed on fresh replicas: rank 0 reads the checkpoint and the others receive its state.
        try (Replicas<TrainingReplica> group = replicas(2, 24, false, sgd);
             DataLoader train = loader(TRAIN, 24, true); DataLoader test = loader(TEST, 12, false)) {
            TrainingReplica rank0 = group.replica(0);
            Checkpoint.Header loaded = Checkpoint.load(checkpoint, rank0.model(), rank0.optimizer());
            TrainingResult resumed = Trainer.builder(rank0.model(), rank0.optimizer(), train).replicas(group)
                    .test(test).epochs(3).seed(SEED).schedule(LearningRateSchedule.constant(0.05f)).build()
                    .fit(loaded.state());
            assertEquals(TrainingResult.Outcome.COMPLETED, resumed.outcome());
            List<float[]> after = parameters(rank0.model());
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(uninterrupted.get(i), after.get(i), "tensor " + i);
            }
            List<float[]> rank1 = parameters(group.replica(1).model());
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(after.get(i), rank1.get(i), "rank 1, tensor " + i);
            }
        }
    }

    @Test
    void aNonFiniteLossOnOneReplicaStopsTheRunWithoutHangingOrUpdating() {
        try (Replicas<TrainingReplica> group = replicas(2, 24, false, () -> new Sgd(1e9f));
             DataLoader train = loader(TRAIN, 24, true)) {
            TrainingReplica rank0 = group.replica(0);
            TrainingResult result = Trainer.builder(rank0.model(), rank0.optimizer(), train).replicas(group)
                    .epochs(5).seed(SEED).schedule(LearningRateSchedule.constant(1e9f)).build().fit();
            assertEquals(TrainingResult.Outcome.DIVERGED, result.outcome());
            assertTrue(result.message().startsWith("training diverged at epoch 1"), result.message());
        }
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefused() {
        try (Replicas<TrainingReplica> group = replicas(2, 24, false, () -> new Sgd(0.1f));
             DataLoader train = loader(TRAIN, 25, true)) {
            TrainingReplica rank0 = group.replica(0);
            Trainer trainer = Trainer.builder(rank0.model(), rank0.optimizer(), train).replicas(group).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, trainer::fit);
            assertEquals("train: a batch of 25 does not split evenly over 2 devices; use a batch size divisible by 2",
                    e.getMessage());
        }
    }

    @Test
    void replicasWhoseRankZeroIsAnotherModelAreRefused() {
        try (Replicas<TrainingReplica> group = replicas(2, 24, false, () -> new Sgd(0.1f));
             DataLoader train = loader(TRAIN, 24, true); Backend cpu = new CpuBackend(1);
             Sequential other = net(false); Optimizer o = new Sgd(0.1f)) {
            other.compile(cpu, Shape.of(12, 1, 28, 28), SEED);
            o.compile(cpu, other.params());
            Trainer.Builder builder = Trainer.builder(other, o, train);
            assertThrows(IllegalArgumentException.class, () -> builder.replicas(group));
        }
    }
}
