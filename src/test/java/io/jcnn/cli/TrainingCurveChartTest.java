package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.model.EpochMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCurveChartTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int TRAIN_RGB = 0x1f77b4;
    private static final int TEST_RGB = 0xff7f0e;

    private static List<EpochMetrics> history(int epochs) {
        return IntStream.rangeClosed(1, epochs).mapToObj(e -> new EpochMetrics(e, 1.0 / e, 1 - 0.5 / e,
                1.2 / e, 1 - 0.6 / e, 1700, 30, 0.01)).toList();
    }

    /** Whether any pixel in columns [fromX, toX) has exactly this colour (the series' lines and markers). */
    private static boolean hasColour(BufferedImage image, int fromX, int toX, int rgb) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = fromX; x < toX; x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void writesAPngOfTheRequestedSizeWithBothPanels(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out/" + TrainingCurveChart.FILE);
        TrainingCurveChart.write(history(5), file, 800, 300);
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8));
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(800, image.getWidth());
        assertEquals(300, image.getHeight());
        // Train and test lines in the loss panel (left) and in the accuracy panel (right).
        assertTrue(hasColour(image, 0, 400, TRAIN_RGB) && hasColour(image, 0, 400, TEST_RGB), "loss panel lines");
        assertTrue(hasColour(image, 400, 800, TRAIN_RGB) && hasColour(image, 400, 800, TEST_RGB), "accuracy lines");
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void defaultSizeAndOneEpochWithoutTestSet(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(TrainingCurveChart.FILE);
        List<EpochMetrics> one = List.of(new EpochMetrics(1, 0.7, 0.8, Double.NaN, Double.NaN, 1000, 10, 0.1));
        TrainingCurveChart.write(one, file, TrainingCurveChart.DEFAULT_WIDTH, TrainingCurveChart.DEFAULT_HEIGHT);
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(TrainingCurveChart.DEFAULT_WIDTH, image.getWidth());
        assertEquals(TrainingCurveChart.DEFAULT_HEIGHT, image.getHeight());
        assertTrue(hasColour(image, 0, image.getWidth(), TRAIN_RGB), "the single training point is drawn");
        assertTrue(!hasColour(image, 0, image.getWidth(), TEST_RGB), "no test series without test metrics");
    }

    @Test
    void rejectsNoHistoryAndTinySizes() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> TrainingCurveChart.render(List.of(), 800, 300));
        assertEquals("training curves need at least one epoch of metrics, got none", empty.getMessage());
        IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class,
                () -> TrainingCurveChart.render(history(2), 100, 300));
        assertEquals("training-curve chart must be at least 200×150 pixels, got 100×300", tiny.getMessage());
    }
}
