package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.TestData;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Uploads through pinned staging buffers and the copy stream: the caller's array is free once upload returns,
 * uploads larger than a buffer arrive whole, a copy into a tensor waits for the kernels still reading it, kernels
 * wait for the copy, and a training loop stops pinning memory after its first steps. Runs wherever a CUDA device is
 * present, the emulated driver included (where a missing wait reads stale data every time); skipped with the
 * probe's reason elsewhere.
 */
class PinnedUploadsTest {
    /** 10 MB: long enough on a GPU for a missing wait to show. */
    private static final int LARGE = (int) (2.5 * (4 << 20) / Float.BYTES) + 3;

    private static CudaBackend backend() {
        String reason = CudaProbe.get().deviceUnavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "no CUDA device: " + reason);
        return new CudaBackend(0, CudaTier.KERNELS, false);
    }

    @Test
    void theSourceArrayIsFreeOnceUploadReturns() {
        try (CudaBackend cuda = backend(); Tensor t = cuda.allocate(Shape.of(1000))) {
            float[] values = TestData.uniform(1, 1000);
            float[] source = values.clone();
            t.copyFrom(source);
            java.util.Arrays.fill(source, Float.NaN);
            assertArrayEquals(values, t.toArray());
        }
    }

    /** Through staging buffers of 1 MiB: uploads are chunked, and chunks wait for the buffers they reuse. */
    @Test
    void uploadsLargerThanAStagingBufferArriveWhole() {
        try (CudaBackend cuda = backend(); Tensor t = cuda.allocate(Shape.of(LARGE));
             Tensor u = cuda.allocate(Shape.of(LARGE))) {
            float[] values = TestData.uniform(2, LARGE);
            float[] others = TestData.uniform(6, LARGE);
            try (PinnedUploads small = new PinnedUploads(1 << 20)) {
                small.upload(values, (CudaStorage) t.storage(), "t");
                small.upload(others, (CudaStorage) u.storage(), "u");
                // Three chunk buffers, and a small one for the 12-byte tail: bounded whatever the upload's size.
                assertEquals((PinnedUploads.BUFFERS << 20) + PinnedUploads.SMALL_BYTES, small.pinnedBytes());
                assertArrayEquals(values, t.toArray());
                assertArrayEquals(others, u.toArray());
            }
        }
    }

    /**
     * Training's pattern, a batch ahead and a label and a loss per step: pinned memory is allocated in the first
     * steps only, and small uploads never regrow a batch's buffer.
     */
    @Test
    void aTrainingLoopStopsPinningAfterItsFirstSteps() {
        int batch = 64 * 784;
        try (CudaBackend cuda = backend();
             Tensor first = cuda.allocate(Shape.of(batch));
             Tensor second = cuda.allocate(Shape.of(batch));
             Tensor labels = cuda.allocate(Shape.of(64));
             Tensor loss = cuda.allocate(Shape.of(1));
             Tensor acc = cuda.allocate(Shape.of(batch));
             PinnedUploads uploads = new PinnedUploads()) {
            Tensor[] batches = {first, second};
            float[] expected = new float[batch];
            uploads.upload(TestData.uniform(20, batch), (CudaStorage) first.storage(), "batch 0");
            float[] current = TestData.uniform(20, batch);
            for (int step = 0; step < 12; step++) {
                float[] next = TestData.uniform(21 + step, batch);
                uploads.upload(next, (CudaStorage) batches[(step + 1) % 2].storage(), "batch " + (step + 1));
                uploads.upload(TestData.uniform(40 + step, 64), (CudaStorage) labels.storage(), "labels");
                cuda.axpy(1f, batches[step % 2], acc);
                for (int i = 0; i < batch; i++) {
                    expected[i] += current[i];
                }
                current = next;
                uploads.upload(new float[] {step}, (CudaStorage) loss.storage(), "loss");
                assertEquals(step, loss.toArray()[0]);
            }
            TestData.assertClose("sum of the batches", TestData.toDouble(expected), acc.toArray(), 1e-6, 1e-6);
            assertTrue(uploads.pinnings() <= PinnedUploads.BUFFERS + 3, uploads.pinnings() + " pinnings");
        }
    }

    /** acc = a + b only if the second upload into t waited for the axpy reading the first. */
    @Test
    void aCopyWaitsForKernelsReadingItsTargetAndKernelsWaitForTheCopy() {
        try (CudaBackend cuda = backend();
             Tensor t = cuda.allocate(Shape.of(LARGE));
             Tensor acc = cuda.allocate(Shape.of(LARGE))) {
            float[] a = TestData.uniform(3, LARGE);
            float[] b = TestData.uniform(4, LARGE);
            for (int round = 0; round < 3; round++) {
                cuda.fill(acc, 0f);
                t.copyFrom(a);
                cuda.axpy(1f, t, acc);
                cuda.axpy(1f, t, acc);
                t.copyFrom(b);
                cuda.axpy(1f, t, acc);
                float[] sum = acc.toArray();
                for (int i = 0; i < LARGE; i += 997) {
                    assertEquals(2 * a[i] + b[i], sum[i], 1e-6f, "element " + i + " in round " + round);
                }
            }
        }
    }

    /** Double-buffered batches, as the trainer uploads them: batch i+1 goes up while step i runs. */
    @Test
    void alternatingBuffersKeepEveryBatch() {
        try (CudaBackend cuda = backend();
             Tensor first = cuda.allocate(Shape.of(LARGE));
             Tensor second = cuda.allocate(Shape.of(LARGE));
             Tensor acc = cuda.allocate(Shape.of(LARGE))) {
            Tensor[] slots = {first, second};
            float[][] batches = new float[4][];
            float[] expected = new float[LARGE];
            for (int i = 0; i < batches.length; i++) {
                batches[i] = TestData.uniform(10 + i, LARGE);
                for (int j = 0; j < LARGE; j++) {
                    expected[j] += batches[i][j];
                }
            }
            slots[0].copyFrom(batches[0]);
            for (int i = 0; i < batches.length; i++) {
                if (i + 1 < batches.length) {
                    slots[(i + 1) % 2].copyFrom(batches[i + 1]);
                }
                cuda.axpy(1f, slots[i % 2], acc);
            }
            TestData.assertClose("sum of the batches", TestData.toDouble(expected), acc.toArray(), 1e-6, 1e-6);
        }
    }

    @Test
    void closingWithUploadsInFlightReleasesEverything() {
        CudaBackend cuda = backend();
        Tensor t = cuda.allocate(Shape.of(LARGE));
        t.copyFrom(TestData.uniform(5, LARGE));
        t.close();
        assertEquals(0, cuda.memoryStats().liveBytes());
        cuda.close();
    }
}
