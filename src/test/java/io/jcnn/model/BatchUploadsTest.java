package io.jcnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchUploadsTest {
    private static final Dataset DATA = Mnist.sample().test().subset(0, 40);

    /** Each slot holds its batch while the next is staged, even though the loader reuses its arrays. */
    @Test
    void theCurrentBatchSurvivesStagingTheNext() {
        List<float[]> images = new ArrayList<>();
        List<float[]> labels = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        try (DataLoader loader = new DataLoader(DATA, 16, false, Normalization.NONE, Augmentation.NONE, 1);
             DataLoader.Epoch epoch = loader.epoch(1, 0, false)) {
            while (epoch.hasNext()) {
                DataLoader.Batch b = epoch.next();
                images.add(b.images().clone());
                labels.add(b.labels().clone());
                sizes.add(b.size());
            }
        }
        assertEquals(List.of(16, 16, 8), sizes);
        try (CpuBackend cpu = new CpuBackend(1);
             BatchUploads uploads = new BatchUploads(cpu, Shape.nchw(16, 1, 28, 28), Shape.of(16));
             DataLoader loader = new DataLoader(DATA, 16, false, Normalization.NONE, Augmentation.NONE, 1);
             DataLoader.Epoch epoch = loader.epoch(1, 0, false)) {
            assertFalse(uploads.hasNext());
            uploads.stage(epoch.next());
            BatchUploads.Slot previous = null;
            for (int i = 0; uploads.hasNext(); i++) {
                BatchUploads.Slot slot = uploads.next();
                if (previous != null) {
                    assertNotSame(previous, slot, "consecutive batches use different tensors");
                }
                if (epoch.hasNext()) {
                    uploads.stage(epoch.next());
                }
                assertArrayEquals(images.get(i), slot.images().toArray(), "images of batch " + i);
                assertArrayEquals(labels.get(i), slot.labels().toArray(), "labels of batch " + i);
                assertArrayEquals(labels.get(i), slot.hostLabels(), "host labels of batch " + i);
                assertEquals(sizes.get(i), slot.size());
                previous = slot;
            }
            assertEquals(0, cpu.memoryStats().frees());
        }
    }

    @Test
    void stagingTwiceOrTakingNothingIsAnError() {
        try (CpuBackend cpu = new CpuBackend(1);
             BatchUploads uploads = new BatchUploads(cpu, Shape.nchw(16, 1, 28, 28), Shape.of(16));
             DataLoader loader = new DataLoader(DATA, 16, false, Normalization.NONE, Augmentation.NONE, 1);
             DataLoader.Epoch epoch = loader.epoch(1, 0, false)) {
            assertEquals("no batch is staged",
                    assertThrows(IllegalStateException.class, uploads::next).getMessage());
            uploads.stage(epoch.next());
            assertTrue(uploads.hasNext());
            assertEquals("a batch is already staged",
                    assertThrows(IllegalStateException.class, () -> uploads.stage(epoch.next())).getMessage());
        }
    }

    @Test
    void closeFreesBothSlots() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            new BatchUploads(cpu, Shape.nchw(4, 1, 28, 28), Shape.of(4)).close();
            assertEquals(0, cpu.memoryStats().liveBytes());
        }
    }
}
