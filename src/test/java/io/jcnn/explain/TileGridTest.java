package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Layout, value scaling and palettes, checked on the decoded PNG. */
class TileGridTest {
    private static BufferedImage png(TileGrid grid) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(grid.render(), "png", bytes);
        return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    }

    private static int grey(BufferedImage image, int x, int y) {
        return image.getRaster().getSample(x, y, 0);
    }

    private static int[] row(BufferedImage image) {
        int[] levels = new int[image.getWidth()];
        for (int x = 0; x < levels.length; x++) {
            levels[x] = grey(image, x, 0);
        }
        return levels;
    }

    private static int[] rgb(BufferedImage image, int x, int y) {
        int argb = image.getRGB(x, y);
        return new int[] {(argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff};
    }

    @Test
    void tilesAreLaidOutRowByRowMagnifiedAndSeparated() throws IOException {
        List<Picture> tiles = List.of(
                new Picture(1, 2, 3, new float[] {0, 1, 2, 3, 4, 5}),
                new Picture(1, 2, 3, new float[] {5, 4, 3, 2, 1, 0}),
                new Picture(1, 2, 3, new float[] {7, 7, 7, 7, 7, 7}));
        TileGrid grid = TileGrid.of(tiles).columns(2).scale(3).gap(2);
        BufferedImage image = png(grid);
        assertEquals(2 * 3 * 3 + 2, image.getWidth());
        assertEquals(2 * 2 * 3 + 2, image.getHeight());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType());
        assertEquals(0, grey(image, 0, 0), "each tile from its own minimum (black)");
        assertEquals(0, grey(image, 2, 2), "a 3×3 block");
        assertEquals(255, grey(image, 8, 5), "to its own maximum (white)");
        assertEquals(153, grey(image, 0, 3), "3 of 0..5 in between: round(0.6 × 255)");
        assertEquals(255, grey(image, 9, 0), "the gap is background");
        assertEquals(255, grey(image, 11, 0), "second tile, first value 5 is its maximum");
        assertEquals(128, grey(image, 0, 8), "third tile, constant: mid-grey");
        assertEquals(255, grey(image, 11, 8), "past the last tile: background");
    }

    @Test
    void sharedAndFixedRangesAndNanCells() throws IOException {
        List<Picture> tiles = List.of(new Picture(1, 1, 2, new float[] {0, 2}),
                new Picture(1, 1, 2, new float[] {4, Float.NaN}));
        BufferedImage shared = png(TileGrid.of(tiles).shared().gap(0));
        assertArrayEquals(new int[] {0, 128, 255, 255}, row(shared), "0 to 4 over both tiles; NaN is background");
        BufferedImage fixed = png(TileGrid.of(tiles).range(1f, 3f).gap(0));
        assertArrayEquals(new int[] {0, 128, 255, 255}, row(fixed), "1 to 3, clipped below and above");
    }

    @Test
    void divergingIsSymmetricAboutZeroAndRgbTilesKeepTheirColours() throws IOException {
        BufferedImage diverging = png(TileGrid.of(new Picture(1, 1, 3, new float[] {-2, 0, 1}))
                .palette(TileGrid.Palette.DIVERGING));
        assertArrayEquals(new int[] {0, 0, 255}, rgb(diverging, 0, 0), "−max is blue");
        assertArrayEquals(new int[] {255, 255, 255}, rgb(diverging, 1, 0), "0 is white");
        assertArrayEquals(new int[] {255, 128, 128}, rgb(diverging, 2, 0), "max/2 is half red");

        BufferedImage colour = png(TileGrid.of(new Picture(3, 1, 2, new float[] {0, 1, 1, 0, 0.5f, 0.5f}))
                .range(0f, 1f));
        assertArrayEquals(new int[] {0, 255, 128}, rgb(colour, 0, 0));
        assertArrayEquals(new int[] {255, 0, 128}, rgb(colour, 1, 0));
    }

    @Test
    void badGridsAreNamed() {
        SaliencyMapTest.assertMessage(() -> TileGrid.of(List.of()), "at least one picture");
        SaliencyMapTest.assertMessage(() -> TileGrid.of(List.of(new Picture(1, 2, 2, new float[4]),
                new Picture(1, 3, 3, new float[9]))), "must have one shape");
        SaliencyMapTest.assertMessage(() -> TileGrid.of(new Picture(2, 1, 1, new float[2])),
                "1 (grey) or 3 (RGB) channels, got 2");
        SaliencyMapTest.assertMessage(() -> TileGrid.of(new Picture(1, 1, 1, new float[1])).scale(0),
                "scale must be 1 to 64, got 0");
        SaliencyMapTest.assertMessage(() -> new Picture(1, 2, 2, new float[3]), "needs 4 values, got 3");
    }

    @Test
    void emptyVectorsAndMissingPalettesAreRejected() {
        IllegalArgumentException empty = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Picture.ofVector(new float[0]));
        assertEquals("a picture needs at least one value, got an empty vector", empty.getMessage());
        IllegalArgumentException palette = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> TileGrid.of(Picture.ofVector(new float[] {1})).palette(null));
        assertEquals("palette must be GREY or DIVERGING, got null", palette.getMessage());
    }
}
