package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Activation;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cuda.CudaEmulator.Counter;
import io.jcnn.backend.cuda.CudaEmulator.Fault;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CUDA backend's lifecycle on the emulated driver, where every misuse is counted and every object is visible:
 * start-up failures release what was made and fall back a tier, close waits for the device and frees everything,
 * nothing runs after close, a pending bias add survives its tensors being closed, any thread can drive a backend,
 * and a large upload does not wait for the device. Each test also asserts that the emulator saw no misuse.
 */
class CudaLifecycleTest {
    /** An AlexNet batch of 128 (128×3×227×227 floats, 79 MB): 19 chunks of the former 4 MiB pinned slots. */
    private static final int ALEXNET_BATCH = 128 * 3 * 227 * 227;

    private Map<Counter, Integer> before;

    @BeforeEach
    void snapshot() {
        CudaEmulator.assume();
        before = counters();
    }

    @AfterEach
    void noMisuse() {
        if (before != null) {
            CudaEmulator.clearFaults();
            assertEquals(before.get(Counter.MISUSES), CudaEmulator.count(Counter.MISUSES),
                    "misuses the emulator reported (see stderr)");
        }
    }

    private static Map<Counter, Integer> counters() {
        Map<Counter, Integer> counts = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            counts.put(c, CudaEmulator.count(c));
        }
        return counts;
    }

    /** Everything a backend makes is gone again: context references, blocks, streams, events, modules, handles. */
    private void assertReleased(String when) {
        for (Counter c : new Counter[] {Counter.CONTEXT_REFERENCES, Counter.LIVE_ALLOCATIONS, Counter.LIVE_PINNED,
            Counter.LIVE_STREAMS, Counter.LIVE_EVENTS, Counter.LIVE_MODULES, Counter.LIVE_CUBLAS_HANDLES,
            Counter.LEAKS}) {
            assertEquals(before.get(c), CudaEmulator.count(c), c + " " + when);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"STREAM_CREATE", "EVENT_CREATE", "MODULE_LOAD"})
    void aFailedStartReleasesWhatItMade(Fault fault) {
        // A backend starts with one copy stream, one event and nine PTX modules.
        int[] positions = fault == Fault.MODULE_LOAD ? new int[] {0, 1, 8} : new int[] {0};
        for (int successes : positions) {
            CudaEmulator.failAfter(fault, successes);
            CudaException e = assertThrows(CudaException.class, () -> new CudaBackend(0, CudaTier.CUBLAS, false),
                    fault + " after " + successes);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            CudaEmulator.clearFaults();
            assertReleased("after " + fault + " failed after " + successes + " successes: " + e.getMessage());
        }
        // The report of the failure itself is a misuse the emulator counted; nothing else was.
        before.put(Counter.MISUSES, CudaEmulator.count(Counter.MISUSES));
    }

    /** Pinned memory that cannot be had fails that upload in one line; the backend stays usable. */
    @Test
    void anUploadThatCannotPinFailsAloneAndCleanly() {
        try (CudaBackend cuda = new CudaBackend(0, CudaTier.KERNELS, false); Tensor t = cuda.allocate(Shape.of(4))) {
            CudaEmulator.failAfter(Fault.MEM_ALLOC_HOST, 0);
            CudaException e = assertThrows(CudaException.class, () -> t.copyFrom(new float[] {1, 2, 3, 4}));
            assertTrue(e.getMessage().contains("pinned host memory"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            t.copyFrom(new float[] {5, 6, 7, 8});
            assertArrayEquals(new float[] {5, 6, 7, 8}, t.toArray());
        }
        assertReleased("after close");
    }

    @Test
    void aFailedCublasStartFallsBackToTheKernels() {
        CudaEmulator.failAfter(Fault.CUBLAS_CREATE, 0);
        try (CudaBackend cuda = new CudaBackend(0, CudaTier.CUBLAS, false)) {
            assertFalse(cuda.usesCublas(), cuda.gemmTier());
            assertTrue(cuda.fallbacks().stream().anyMatch(f -> f.contains("cublasCreate")), cuda.fallbacks()::toString);
            try (Tensor a = cuda.tensor(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
                 Tensor b = cuda.tensor(Shape.of(3, 1), 1, 1, 1);
                 Tensor c = cuda.allocate(Shape.of(2, 1))) {
                cuda.gemm(false, false, 2, 1, 3, 1f, a, b, 0f, c);
                assertArrayEquals(new float[] {6, 15}, c.toArray());
                assertEquals(1, cuda.runs("gemm", CudaTier.KERNELS));
            }
        }
        assertReleased("after close");
    }

    @Test
    void closingTheTargetOfAPendingBiasAddReleasesIt() {
        try (CudaBackend cuda = new CudaBackend(0, CudaTier.KERNELS, false);
             Tensor bias = cuda.tensor(Shape.of(2), 1f, 2f)) {
            Tensor y = cuda.allocate(Shape.nchw(1, 2, 1, 1));
            cuda.biasAdd(y, bias);
            y.close();
            assertEquals(4L * 2, cuda.memoryStats().liveBytes(), "only the bias is live");
        }
        assertReleased("after close");
    }

    @Test
    void closingTheBiasOfAPendingBiasAddAppliesItFirst() {
        try (CudaBackend cuda = new CudaBackend(0, CudaTier.KERNELS, false);
             Tensor y = cuda.tensor(Shape.nchw(1, 2, 1, 1), 10f, 20f)) {
            Tensor bias = cuda.tensor(Shape.of(2), 1f, 2f);
            cuda.biasAdd(y, bias);
            bias.close();
            assertArrayEquals(new float[] {11f, 22f}, y.toArray());
        }
        assertReleased("after close");
    }

    @Test
    void closedPlansAreRefused() {
        try (CudaBackend cuda = new CudaBackend(0, CudaTier.CUBLAS, false);
             Tensor x = cuda.allocate(Shape.nchw(1, 1, 4, 4));
             Tensor w = cuda.allocate(Shape.nchw(1, 1, 3, 3));
             Tensor y = cuda.allocate(Shape.nchw(1, 1, 2, 2))) {
            ConvPlan conv = cuda.planConv2d(x.shape(), w.shape(), ConvSpec.defaults());
            conv.close();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> cuda.conv2dForward(conv, x, w, y));
            assertTrue(e.getMessage().startsWith("conv2dForward: the plan") && e.getMessage().contains("closed"),
                    e.getMessage());
            assertThrows(IllegalStateException.class, () -> cuda.conv2dBackwardData(conv, y, w, x));
            assertThrows(IllegalStateException.class, () -> cuda.conv2dBackwardFilter(conv, x, y, w));
            PoolPlan pool = cuda.planPool2d(x.shape(), PoolSpec.of(PoolMode.MAX, 2, 2));
            pool.close();
            assertThrows(IllegalStateException.class, () -> cuda.pool2dForward(pool, x, y));
            assertThrows(IllegalStateException.class, () -> cuda.pool2dBackward(pool, x, y, y, x));
        }
        assertReleased("after close");
    }

    /** close waits for queued kernels and uploads; tensors closed afterwards free nothing twice and wait on nothing. */
    @Test
    void closeWithWorkInFlightThenTensorsClosedAfterIt() {
        CudaBackend cuda = new CudaBackend(0, CudaTier.CUBLAS, false);
        Tensor t = cuda.allocate(Shape.of(ALEXNET_BATCH / 8));
        Tensor u = cuda.allocate(Shape.of(ALEXNET_BATCH / 8));
        t.copyFrom(TestData.uniform(1, ALEXNET_BATCH / 8));
        cuda.fill(u, 1f);
        cuda.activationForward(Activation.RELU, u, u);
        cuda.close();
        assertEquals(0, cuda.memoryStats().liveBytes(), "live bytes after close");
        t.close();
        u.close();
        assertEquals(0, cuda.memoryStats().liveBytes());
        assertReleased("after close");
    }

    @Test
    void aClosedBackendRefusesEveryUse() {
        CudaBackend cuda = new CudaBackend(0, CudaTier.KERNELS, false);
        Tensor t = cuda.tensor(Shape.of(3), 1, 2, 3);
        cuda.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cuda.allocate(Shape.of(1)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> cuda.fill(t, 0f));
        assertThrows(IllegalStateException.class, t::toArray);
        assertThrows(IllegalStateException.class, () -> t.copyFrom(new float[3]));
        assertThrows(IllegalStateException.class, () -> cuda.planPool2d(Shape.nchw(1, 1, 2, 2),
                PoolSpec.of(PoolMode.MAX, 2, 2)));
        assertThrows(IllegalStateException.class, cuda::synchronize);
        t.close();
        cuda.close();
        assertReleased("after close");
    }

    /** A backend made on one thread is driven from others: every entry makes the context current first. */
    @Test
    void otherThreadsCanDriveTheBackend() throws Exception {
        try (CudaBackend cuda = new CudaBackend(0, CudaTier.CUBLAS, false);
             Tensor logits = cuda.tensor(Shape.of(2, 3), 1, 2, 3, 3, 2, 1);
             Tensor labels = cuda.tensor(Shape.of(2), 2, 0);
             Tensor copy = cuda.allocate(logits.shape());
             Tensor loss = cuda.allocate(Shape.of(1));
             Tensor d = cuda.allocate(logits.shape());
             Tensor mse = cuda.allocate(Shape.of(1))) {
            // Each on a thread of its own, so no earlier op has made the context current there.
            onNewThread(() -> cuda.copy(logits, copy));
            assertEquals(1f, onNewThread(copy::toArray)[0]);
            assertEquals(28.0, onNewThread(() -> cuda.sumOfSquares(copy)), 1e-5);
            onNewThread(() -> cuda.softmaxCrossEntropy(copy, labels, loss, d));
            onNewThread(() -> cuda.mseLoss(logits, copy, mse, d));
            assertEquals(0f, mse.toArray()[0]);
            Tensor extra = cuda.allocate(Shape.of(5));
            onNewThread(extra::close);
            onNewThread(cuda::synchronize);
        }
        assertReleased("after close");
    }

    private static void onNewThread(Runnable work) throws Exception {
        onNewThread(() -> {
            work.run();
            return null;
        });
    }

    private static <T> T onNewThread(java.util.concurrent.Callable<T> work) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<T> result = thread.submit(work);
            return result.get();
        } finally {
            thread.shutdown();
        }
    }

    /**
     * Uploading a batch larger than the former pinned slots returns without waiting for the device: kernels queued
     * before it have not run when it returns (the emulator runs a stream only when something waits for it).
     */
    @Test
    void aLargeUploadDoesNotWaitForTheDevice() {
        try (CudaBackend cuda = new CudaBackend(0, CudaTier.KERNELS, false);
             Tensor busy = cuda.allocate(Shape.of(1000));
             Tensor batch = cuda.allocate(Shape.of(ALEXNET_BATCH))) {
            float[] values = TestData.uniform(3, ALEXNET_BATCH);
            batch.copyFrom(values);  // the first upload pins its staging memory
            cuda.fill(busy, 2f);
            int ran = CudaEmulator.count(Counter.LAUNCHES_RUN);
            values[0] = 42f;
            batch.copyFrom(values);
            assertEquals(ran, CudaEmulator.count(Counter.LAUNCHES_RUN), "kernels run while the upload was queued");
            float[] back = batch.toArray();
            assertEquals(42f, back[0]);
            assertArrayEquals(values, back);
            assertArrayEquals(new float[] {2f, 2f}, java.util.Arrays.copyOf(busy.toArray(), 2));
        }
        assertReleased("after close");
    }
}
