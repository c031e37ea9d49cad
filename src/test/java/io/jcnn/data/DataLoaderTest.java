package io.jcnn.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    /** 50 one-channel 4×5 images; pixel values differ between samples, label = index mod 10. */
    private static Dataset tiny(int n) {
        byte[] pixels = IdxFiles.pattern(n * 20);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        return new Dataset("tiny", 1, 4, 5, pixels, labels, 10);
    }

    /** Every batch of an epoch, copied: images, labels and indices. */
    private static List<float[]> collect(DataLoader loader, int epoch, int first, boolean dropLast) {
        List<float[]> out = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch, first, dropLast)) {
            while (e.hasNext()) {
                DataLoader.Batch b = e.next();
                out.add(b.images().clone());
                out.add(b.labels().clone());
                float[] idx = new float[b.capacity()];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = b.indices()[i];
                }
                out.add(idx);
            }
        }
        return out;
    }

    private static void assertSameBatches(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "array " + i);
        }
    }

    @Test
    void withoutShufflingBatchesFollowTheDatasetAndAreNormalised() {
        Dataset data = tiny(10);
        Normalization norm = new Normalization(0.5f, 0.25f);
        try (DataLoader loader = new DataLoader(data, 4, false, norm, Augmentation.NONE, 1)) {
            assertEquals(2, loader.batchesPerEpoch(true));
            assertEquals(3, loader.batchesPerEpoch(false));
            List<float[]> batches = collect(loader, 1, 0, false);
            float[] images = batches.get(0);
            for (int i = 0; i < 4 * 20; i++) {
                assertEquals(((data.pixels()[i] & 0xFF) / 255f - 0.5f) / 0.25f, images[i], 1e-6f);
            }
            assertArrayEquals(new float[]{0, 1, 2, 3}, batches.get(1));
            // The final partial batch: two samples, then zeros and index −1.
            float[] lastImages = batches.get(6);
            assertEquals(norm.apply(data.pixels()[8 * 20]), lastImages[0], 0f);
            for (int i = 2 * 20; i < lastImages.length; i++) {
                assertEquals(0f, lastImages[i]);
            }
            assertArrayEquals(new float[]{8, 9, 0, 0}, batches.get(7));
            assertArrayEquals(new float[]{8, 9, -1, -1}, batches.get(8));
        }
    }

    @Test
    void shuffledOrderIsAPermutationThatDependsOnlyOnSeedAndEpoch() {
        Dataset data = tiny(50);
        try (DataLoader a = new DataLoader(data, 10, true, Normalization.NONE, Augmentation.NONE, 7);
             DataLoader b = new DataLoader(data, 10, true, Normalization.NONE, Augmentation.NONE, 7);
             DataLoader other = new DataLoader(data, 10, true, Normalization.NONE, Augmentation.NONE, 8)) {
            int[] order = a.order(3);
            Set<Integer> seen = new HashSet<>();
            for (int i : order) {
                seen.add(i);
            }
            assertEquals(50, seen.size());
            assertArrayEquals(order, b.order(3));
            assertFalse(Arrays.equals(order, a.order(4)), "a new order every epoch");
            assertFalse(Arrays.equals(order, other.order(3)), "a new order for another seed");
        }
    }

    @Test
    void prefetchingAndResumingMidEpochGiveBitIdenticalBatches() {
        Dataset data = tiny(50);
        Augmentation aug = new Augmentation(0, 2, true);
        try (DataLoader direct = new DataLoader(data, 8, true, new Normalization(0.1f, 0.3f), aug, 5, 0);
             DataLoader prefetched = new DataLoader(data, 8, true, new Normalization(0.1f, 0.3f), aug, 5, 3)) {
            for (int epoch = 1; epoch <= 3; epoch++) {
                List<float[]> whole = collect(direct, epoch, 0, false);
                assertSameBatches(whole, collect(prefetched, epoch, 0, false));
                List<float[]> resumed = collect(prefetched, epoch, 4, false);
                assertSameBatches(whole.subList(4 * 3, whole.size()), resumed);
            }
        }
    }

    @Test
    void batchesSplitOverThreadsAreBitIdentical() {
        Dataset data = tiny(50);
        Augmentation aug = new Augmentation(0, 1, true, 15, 0.1);
        List<String> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
        // Three uneven ranges, two of them on threads of their own, as a backend's threads would run them.
        SampleRanges threeThreads = (count, body) -> {
            int a = count / 4;
            int b = count / 2;
            ranges.add(0 + "-" + a + "-" + b + "-" + count);
            Thread second = new Thread(() -> body.run(a, b));
            Thread third = new Thread(() -> body.run(b, count));
            second.start();
            third.start();
            body.run(0, a);
            try {
                second.join();
                third.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        Normalization norm = new Normalization(0.1f, 0.3f);
        try (DataLoader direct = new DataLoader(data, 8, true, norm, aug, 5, 0);
             DataLoader split = new DataLoader(data, 8, true, norm, aug, 5, threeThreads)) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                List<float[]> whole = collect(direct, epoch, 0, false);
                assertSameBatches(whole, collect(split, epoch, 0, false));
                assertSameBatches(whole.subList(5 * 3, whole.size()), collect(split, epoch, 5, false));
            }
        }
        // 7 batches per epoch, the last of 2 samples: its ranges cover 2 samples, not the batch size.
        assertEquals(2 * (7 + 2), ranges.size());
        assertEquals("0-0-1-2", ranges.get(6));
        assertThrows(NullPointerException.class,
                () -> new DataLoader(data, 8, true, norm, aug, 5, (SampleRanges) null));
    }

    @Test
    void shiftMovesPixelsAndFillsWithBlack() {
        // One 1×5×5 image of distinct values, shifted by up to 1 pixel; every epoch draws another shift.
        byte[] pixels = new byte[25];
        for (int i = 0; i < 25; i++) {
            pixels[i] = (byte) (10 + i);
        }
        Dataset one = new Dataset("one", 1, 5, 5, pixels, new int[]{3}, 10);
        Normalization norm = Normalization.NONE;
        Set<String> shifts = new HashSet<>();
        try (DataLoader loader = new DataLoader(one, 1, false, norm, new Augmentation(0, 1, false), 2)) {
            for (int epoch = 1; epoch <= 40; epoch++) {
                float[] img = collect(loader, epoch, 0, false).get(0);
                int dx = -2;
                int dy = -2;
                for (int sy = -1; sy <= 1 && dx == -2; sy++) {
                    for (int sx = -1; sx <= 1; sx++) {
                        if (matchesShift(img, pixels, sx, sy)) {
                            dx = sx;
                            dy = sy;
                            break;
                        }
                    }
                }
                assertNotEquals(-2, dx, "epoch " + epoch + " is a shift by at most one pixel");
                shifts.add(dx + "," + dy);
            }
        }
        assertEquals(9, shifts.size(), "all nine shifts occur: " + shifts);
    }

    private static boolean matchesShift(float[] img, byte[] src, int dx, int dy) {
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 5; x++) {
                int sy = y - dy;
                int sx = x - dx;
                float expected = sy < 0 || sy >= 5 || sx < 0 || sx >= 5 ? 0f : (src[sy * 5 + sx] & 0xFF) / 255f;
                if (img[y * 5 + x] != expected) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void aVanishingRotationAndScaleResampleToTheShiftedImage() {
        // Resampling at (almost) whole-pixel points gives the pixels themselves: the centre, the direction of the
        // shift and the zero fill agree with the whole-pixel path.
        byte[] pixels = new byte[25];
        for (int i = 0; i < 25; i++) {
            pixels[i] = (byte) (10 + 9 * i);
        }
        Dataset one = new Dataset("one", 1, 5, 5, pixels, new int[]{3}, 10);
        try (DataLoader exact = new DataLoader(one, 1, false, Normalization.NONE, new Augmentation(0, 1, false), 2);
             DataLoader resampled = new DataLoader(one, 1, false, Normalization.NONE,
                     new Augmentation(0, 1, false, 1e-9, 1e-9), 2)) {
            for (int epoch = 1; epoch <= 10; epoch++) {
                float[] expected = collect(exact, epoch, 0, false).get(0);
                float[] actual = collect(resampled, epoch, 0, false).get(0);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-6, "epoch " + epoch + ", pixel " + i);
                }
            }
        }
    }

    @Test
    void rotationTurnsTheImageAboutItsCentreAndStaysInRange() {
        // A 1×9×9 image holding one horizontal bar through the centre: rotated, its centre pixel stays lit, the far
        // ends of the bar move off their row for most angles, and every value stays within the pixels' range.
        byte[] pixels = new byte[81];
        for (int x = 0; x < 9; x++) {
            pixels[4 * 9 + x] = (byte) 200;
        }
        Dataset bar = new Dataset("bar", 1, 9, 9, pixels, new int[]{1}, 10);
        int turned = 0;
        try (DataLoader loader = new DataLoader(bar, 1, false, Normalization.NONE,
                new Augmentation(0, 0, false, 45, 0), 7)) {
            for (int epoch = 1; epoch <= 20; epoch++) {
                float[] img = collect(loader, epoch, 0, false).get(0);
                assertEquals(200 / 255f, img[4 * 9 + 4], 1e-6, "the centre stays on the bar");
                for (float v : img) {
                    assertTrue(v >= 0 && v <= 200 / 255f + 1e-6, "value " + v + " outside the source's range");
                }
                turned += img[4 * 9] < 100 / 255f ? 1 : 0;
            }
        }
        assertTrue(turned >= 10, "the bar's end left its row in only " + turned + " of 20 epochs");
    }

    @Test
    void resamplingIsReproducibleAndDrawsAfreshEachEpoch() {
        Dataset data = tiny(20);
        Augmentation aug = new Augmentation(0, 1, false, 15, 0.1);
        try (DataLoader a = new DataLoader(data, 5, true, Normalization.NONE, aug, 9, 0);
             DataLoader b = new DataLoader(data, 5, true, Normalization.NONE, aug, 9, 2)) {
            List<float[]> first = collect(a, 1, 0, false);
            assertSameBatches(first, collect(b, 1, 0, false));
            assertFalse(Arrays.equals(first.get(0), collect(a, 2, 0, false).get(0)), "epoch 2 draws other changes");
        }
    }

    @Test
    void impossibleRotationsAndScalesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, 0, false, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, 0, false, 181, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, 0, false, Double.NaN, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Augmentation(0, 0, false, 0, 0.6));
        assertEquals("augmentation: scale change must be 0 to 0.5, got 0.6", e.getMessage());
    }

    @Test
    void flipMirrorsSomeImagesLeftToRight() {
        Dataset data = tiny(40);
        int flipped = 0;
        try (DataLoader loader = new DataLoader(data, 40, false, Normalization.NONE, new Augmentation(0, 0, true), 3)) {
            float[] img = collect(loader, 1, 0, false).get(0);
            for (int s = 0; s < 40; s++) {
                boolean same = true;
                boolean mirrored = true;
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 5; x++) {
                        float v = img[s * 20 + y * 5 + x];
                        same &= v == (data.pixels()[s * 20 + y * 5 + x] & 0xFF) / 255f;
                        mirrored &= v == (data.pixels()[s * 20 + y * 5 + 4 - x] & 0xFF) / 255f;
                    }
                }
                assertTrue(same || mirrored, "sample " + s + " is either unchanged or mirrored");
                flipped += mirrored && !same ? 1 : 0;
            }
        }
        assertTrue(flipped > 5 && flipped < 35, "about half are mirrored: " + flipped);
    }

    @Test
    void misuseIsReportedClearly() {
        Dataset data = tiny(10);
        DataLoader loader = new DataLoader(data, 4, true, Normalization.NONE, Augmentation.NONE, 1);
        DataLoader.Epoch open = loader.epoch(1, 0, true);
        assertTrue(assertThrows(IllegalStateException.class, () -> loader.epoch(2, 0, true)).getMessage()
                .contains("epoch 1 is still open"));
        open.close();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> loader.epoch(1, 3, true)).getMessage()
                .contains("first batch 3"));
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 0, true, Normalization.NONE,
                Augmentation.NONE, 1));
        loader.close();
        loader.close();
        assertThrows(IllegalStateException.class, () -> loader.epoch(1, 0, true));
    }

    @Test
    void closingAnEpochEarlyStopsItsPrefetchThread() throws InterruptedException {
        Dataset data = tiny(50);
        try (DataLoader loader = new DataLoader(data, 2, true, Normalization.NONE, Augmentation.NONE, 1, 2)) {
            for (int i = 0; i < 5; i++) {
                DataLoader.Epoch e = loader.epoch(i + 1, 0, true);
                e.next();
                e.close();
            }
        }
        Thread.sleep(50);
        long alive = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("jcnn-data-prefetch") && t.isAlive()).count();
        assertEquals(0, alive);
    }
}
