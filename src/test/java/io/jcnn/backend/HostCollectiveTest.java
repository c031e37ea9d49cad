package io.jcnn.backend;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-process, host-memory collective: one thread per rank, as multi-device training uses it. */
class HostCollectiveTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CpuBackend cpu = new CpuBackend(1);

    @AfterEach
    void stop() {
        threads.shutdownNow();
        cpu.close();
    }

    /** Runs {@code work(rank, collective)} on one thread per rank and returns each rank's failure, or null. */
    private List<Throwable> onRanks(List<Collective> ranks, BiConsumer<Integer, Collective> work) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        for (int r = 0; r < ranks.size(); r++) {
            int rank = r;
            futures.add(threads.submit(() -> work.accept(rank, ranks.get(rank))));
        }
        List<Throwable> failures = new ArrayList<>();
        for (Future<?> f : futures) {
            try {
                f.get(30, TimeUnit.SECONDS);
                failures.add(null);
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        return failures;
    }

    /** Rank r's values for a tensor of {@code size}: odd fractions, so rounding order would show. */
    private static float[] values(int rank, int tensor, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) Math.sin(1 + rank * 7.1 + tensor * 3.3 + i * 0.37) / (rank + 3);
        }
        return v;
    }

    @Test
    void allReduceMeanGivesEveryRankTheRankOrderedMean() throws Exception {
        int n = 3;
        int[] sizes = {1, 5, 1000, 7};
        List<Collective> ranks = HostCollective.group(n);
        List<List<Tensor>> tensors = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<Tensor> mine = new ArrayList<>();
            for (int t = 0; t < sizes.length; t++) {
                mine.add(cpu.tensor(Shape.of(sizes[t]), values(r, t, sizes[t])));
            }
            tensors.add(mine);
        }
        for (int round = 0; round < 2; round++) {
            List<float[]> expected = new ArrayList<>();
            for (int t = 0; t < sizes.length; t++) {
                float[] mean = new float[sizes[t]];
                for (int i = 0; i < sizes[t]; i++) {
                    float sum = tensors.get(0).get(t).toArray()[i];
                    for (int r = 1; r < n; r++) {
                        sum += tensors.get(r).get(t).toArray()[i];
                    }
                    mean[i] = sum / n;
                }
                expected.add(mean);
            }
            assertEquals(java.util.Arrays.asList(null, null, null),
                    onRanks(ranks, (r, c) -> c.allReduceMean(tensors.get(r))));
            for (int r = 0; r < n; r++) {
                for (int t = 0; t < sizes.length; t++) {
                    assertArrayEquals(expected.get(t), tensors.get(r).get(t).toArray(), "rank " + r + " tensor " + t);
                }
            }
        }
        assertEquals("host memory", ranks.get(0).transport());
        assertEquals(2, ranks.get(2).rank());
        assertEquals(3, ranks.get(2).size());
    }

    @Test
    void broadcastCopiesTheRootsTensorsToEveryRank() throws Exception {
        List<Collective> ranks = HostCollective.group(3);
        List<Tensor> tensors = List.of(cpu.tensor(Shape.of(4), values(0, 0, 4)),
                cpu.tensor(Shape.of(4), values(1, 0, 4)), cpu.tensor(Shape.of(4), values(2, 0, 4)));
        onRanks(ranks, (r, c) -> c.broadcast(List.of(tensors.get(r)), 1));
        for (Tensor t : tensors) {
            assertArrayEquals(values(1, 0, 4), t.toArray());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ranks.get(0).broadcast(List.of(tensors.get(0)), 3));
        assertEquals("broadcast root must be a rank from 0 to 2, got 3", e.getMessage());
    }

    @Test
    void ranksPassingDifferentShapesAllFailInsteadOfWaiting() throws Exception {
        List<Collective> ranks = HostCollective.group(2);
        List<Tensor> tensors = List.of(cpu.allocate(Shape.of(3)), cpu.allocate(Shape.of(4)));
        List<Throwable> failures = onRanks(ranks, (r, c) -> c.allReduceMean(List.of(tensors.get(r))));
        for (Throwable failure : failures) {
            assertTrue(failure instanceof IllegalArgumentException, String.valueOf(failure));
            assertTrue(failure.getMessage().contains("every rank must pass the same shapes"), failure.getMessage());
        }
    }

    @Test
    void abortReleasesARankWaitingForOneThatFailed() throws Exception {
        List<Collective> ranks = HostCollective.group(2);
        Tensor t = cpu.allocate(Shape.of(2));
        Future<?> waiting = threads.submit(() -> ranks.get(0).allReduceMean(List.of(t)));
        Thread.sleep(100);
        ranks.get(1).abort();
        Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> waiting.get(30, TimeUnit.SECONDS)).getCause();
        assertEquals("all-reduce abandoned on rank 0: another rank failed", failure.getMessage());
        assertEquals("collective aborted: another rank failed", assertThrows(IllegalStateException.class,
                () -> ranks.get(1).allReduceMean(List.of(t))).getMessage());
    }

    @Test
    void aGroupNeedsARank() {
        assertThrows(IllegalArgumentException.class, () -> HostCollective.group(0));
    }
}
