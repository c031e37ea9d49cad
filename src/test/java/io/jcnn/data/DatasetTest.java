package io.jcnn.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    @Test
    void paddingFramesEveryImageWithZeros() {
        byte[] pixels = {1, 2, 3, 4, 5, 6, 7, 8};
        Dataset d = new Dataset("d", 1, 2, 2, pixels, new int[]{0, 1}, 2).padded(1);
        assertEquals(4, d.height());
        assertEquals(4, d.width());
        assertArrayEquals(new byte[]{0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0}, java.util.Arrays.copyOf(
                d.pixels(), 16));
        assertEquals(8, d.pixels()[16 + 10]);
    }

    @Test
    void subsetCountsAndStatistics() {
        byte[] pixels = {0, (byte) 255, 0, (byte) 255};
        Dataset d = new Dataset("d", 1, 1, 2, pixels, new int[]{1, 1}, 3);
        assertArrayEquals(new int[]{0, 2, 0}, d.classCounts());
        assertEquals(0.5, d.pixelMean(), 1e-12);
        assertEquals(0.5, d.pixelStd(), 1e-12);
        assertEquals(1, d.subset(1, 2).size());
        Normalization n = Normalization.of(d);
        assertEquals(-1f, n.apply(0), 1e-6f);
        assertEquals(1f, n.apply(255), 1e-6f);
    }

    @Test
    void inconsistentInputIsRejectedWithTheNumbers() {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", 1, 2, 2, new byte[7], new int[2], 10));
        assertTrue(size.getMessage().contains("need 8 pixel bytes, got 7"), size.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", 1, 1, 1, new byte[2], new int[]{0, 10}, 10));
        assertTrue(label.getMessage().contains("sample 1 is 10, expected 0..9"), label.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Normalization(0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(-1, 0, false));
    }
}
