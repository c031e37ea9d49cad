package io.jcnn.backend.cuda;

import io.jcnn.backend.Backend;
import io.jcnn.backend.Collective;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.model.Sequential;
import io.jcnn.model.Trainer;
import io.jcnn.model.TrainingReplica;
import io.jcnn.model.TrainingResult;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Linear;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.Param;
import io.jcnn.nn.ReLU;
import io.jcnn.optim.LearningRateSchedule;
import io.jcnn.optim.Sgd;
import io.jcnn.parallel.DeviceList;
import io.jcnn.parallel.Replicas;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NCCL collective, wherever NCCL loads: on a GPU machine with libnccl.so.2, and on the emulated driver with the
 * emulated NCCL (two emulated devices in the cuda-emulated test run). Elsewhere every test is skipped with the reason
 * NCCL is unavailable.
 */
class NcclCollectiveTest {
    private static final long SEED = 3;

    private Integer misusesBefore;

    @BeforeEach
    void needsNccl() {
        String reason = NcclCollective.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "NCCL is not available: " + reason);
        misusesBefore = CudaEmulator.active() ? CudaEmulator.count(CudaEmulator.Counter.MISUSES) : null;
    }

    @AfterEach
    void noMisuse() {
        if (misusesBefore != null) {
            assertEquals(misusesBefore, CudaEmulator.count(CudaEmulator.Counter.MISUSES),
                    "misuses the emulator reported (see stderr)");
        }
    }

    private static void assumeGpus(int count) {
        int devices = CudaProbe.get().devices().size();
        Assumptions.assumeTrue(devices >= count, () -> "needs " + count + " GPUs; the driver reports " + devices);
    }

    private static float[] ramp(int size, float scale) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = scale * (float) Math.cos(i * 0.31);
        }
        return v;
    }

    @Test
    void oneRankAllReducesAndBroadcastsToItself() {
        try (CudaBackend gpu = new CudaBackend(0)) {
            List<Collective> ranks = NcclCollective.group(List.of(gpu));
            try (Collective rank = ranks.get(0); Tensor a = gpu.tensor(Shape.of(1000), ramp(1000, 1f));
                 Tensor b = gpu.tensor(Shape.of(3), 1f, 2f, 3f)) {
                assertTrue(rank.transport().startsWith("NCCL 2."), rank.transport());
                rank.allReduceMean(List.of(a, b));
                rank.broadcast(List.of(b), 0);
                assertArrayEquals(ramp(1000, 1f), a.toArray());
                assertArrayEquals(new float[]{1f, 2f, 3f}, b.toArray());
                try (CpuBackend cpu = new CpuBackend(1); Tensor host = cpu.allocate(Shape.of(2))) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> rank.allReduceMean(List.of(host)));
                    assertEquals("NCCL rank 0: a tensor of shape 2 lives on cpu, not on this rank's GPU",
                            e.getMessage());
                }
            }
        }
    }

    @Test
    void twoGpusAverageEachTensorAndBroadcastFromTheRoot() throws Exception {
        assumeGpus(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (CudaBackend gpu0 = new CudaBackend(0); CudaBackend gpu1 = new CudaBackend(1)) {
            List<CudaBackend> gpus = List.of(gpu0, gpu1);
            List<Collective> ranks = NcclCollective.group(List.of(gpu0, gpu1));
            List<List<Tensor>> tensors = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                tensors.add(List.of(gpus.get(r).tensor(Shape.of(777), ramp(777, r + 1f)),
                        gpus.get(r).tensor(Shape.of(2), 10f * r, -4f)));
            }
            List<Future<?>> done = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                done.add(threads.submit(() -> {
                    ranks.get(rank).allReduceMean(tensors.get(rank));
                    ranks.get(rank).broadcast(List.of(tensors.get(rank).get(1)), 1);
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            float[] mean = ramp(777, 1.5f);
            for (int r = 0; r < 2; r++) {
                float[] got = tensors.get(r).get(0).toArray();
                for (int i = 0; i < mean.length; i++) {
                    assertEquals(mean[i], got[i], 1e-6f, "rank " + r + " element " + i);
                }
                assertArrayEquals(new float[]{5f, -4f}, tensors.get(r).get(1).toArray(), "rank " + r);
            }
            for (int r = 0; r < 2; r++) {
                ranks.get(r).close();
                tensors.get(r).forEach(Tensor::close);
            }
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                    () -> NcclCollective.group(List.of(gpu0, gpu0)));
            assertEquals("NCCL: GPU 0 is given twice; each rank needs a GPU of its own", twice.getMessage());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void ranksJoinThroughAUniqueIdAsSeparateProcessesDo() throws Exception {
        assumeGpus(2);
        byte[] id = NcclCollective.newUniqueId();
        assertEquals(NcclCollective.UNIQUE_ID_BYTES, id.length);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                results.add(threads.submit(() -> {
                    try (CudaBackend gpu = new CudaBackend(rank);
                         Collective collective = NcclCollective.joinRank(gpu, 2, id.clone(), rank);
                         Tensor t = gpu.tensor(Shape.of(3), rank, 2f * rank, 4f)) {
                        assertEquals(rank, collective.rank());
                        collective.allReduceMean(List.of(t));
                        return t.toArray();
                    }
                }));
            }
            for (Future<float[]> result : results) {
                assertArrayEquals(new float[]{0.5f, 1f, 4f}, result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
        try (CpuBackend cpu = new CpuBackend(1)) {
            assertEquals("NCCL joins GPUs only; this rank is on cpu", assertThrows(IllegalArgumentException.class,
                    () -> NcclCollective.joinRank(cpu, 2, id, 0)).getMessage());
        }
        try (CudaBackend gpu = new CudaBackend(0)) {
            assertEquals("NCCL rank 2 is not a rank of a 2-rank communicator", assertThrows(
                    IllegalArgumentException.class, () -> NcclCollective.joinRank(gpu, 2, id, 2)).getMessage());
            assertEquals("an NCCL unique id has 128 bytes, got 3", assertThrows(IllegalArgumentException.class,
                    () -> NcclCollective.joinRank(gpu, 2, new byte[3], 0)).getMessage());
        }
    }

    private static List<float[]> trainTwoReplicas(String devices) {
        Dataset data = Mnist.sample().train().subset(0, 32);
        try (Replicas<TrainingReplica> group = Replicas.start(DeviceList.parse(devices), 2, false, backend -> {
            Sequential model = new Sequential("net", new Conv2d("conv", 3, 5, ConvSpec.defaults()), new ReLU("relu"),
                    new MaxPool2d("pool", 4, 4), new Linear("fc", 10));
            model.compile(backend, Shape.of(8, 1, 28, 28), SEED);
            Sgd sgd = new Sgd(0.1f).withMomentum(0.9f);
            sgd.compile(backend, model.params());
            return new TrainingReplica(model, sgd);
        }); DataLoader train = new DataLoader(data, 16, true, new Normalization(0.13f, 0.3f), Augmentation.NONE,
                SEED)) {
            TrainingReplica rank0 = group.replica(0);
            TrainingResult result = Trainer.builder(rank0.model(), rank0.optimizer(), train).replicas(group)
                    .epochs(1).seed(SEED).schedule(LearningRateSchedule.constant(0.1f)).build().fit();
            assertEquals(TrainingResult.Outcome.COMPLETED, result.outcome());
            assertEquals(devices.startsWith("cuda") ? "NCCL" : "host memory",
                    group.collective(1).transport().split(" ")[0] + (devices.startsWith("cuda") ? "" : " memory"));
            List<float[]> values = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                for (Param p : group.replica(r).model().params()) {
                    values.add(p.value().toArray());
                }
            }
            return values;
        }
    }

    @Test
    void dataParallelTrainingOnTwoGpusMatchesTwoCpuReplicas() {
        assumeGpus(2);
        List<float[]> gpu = trainTwoReplicas("cuda:0,cuda:1");
        List<float[]> cpu = trainTwoReplicas("cpu,cpu");
        int perRank = gpu.size() / 2;
        float largest = 0;
        for (int i = 0; i < perRank; i++) {
            assertArrayEquals(gpu.get(i), gpu.get(i + perRank), "the GPUs' replicas differ in tensor " + i);
            for (int j = 0; j < gpu.get(i).length; j++) {
                largest = Math.max(largest, Math.abs(gpu.get(i)[j] - cpu.get(i)[j]));
            }
        }
        assertTrue(largest < 1e-4f, "largest difference between the GPU and CPU runs: " + largest);
    }
}
