package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The map blended over its image: unchanged where the map is 0, full heat where it is 1. */
class SaliencyOverlayTest {
    private static int[] rgb(BufferedImage image, int x, int y) {
        int argb = image.getRGB(x, y);
        return new int[] {(argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff};
    }

    @Test
    void blendsEachPixelTowardsHeatByItsSaliency() {
        // Image values in a range of −1 (black) to 3 (white); gradient magnitudes 0, 4, 2 and 1 of a largest 4.
        Picture image = new Picture(1, 2, 2, new float[] {1, 3, -1, 7});
        SaliencyMap map = SaliencyMap.fromGradient(new Picture(1, 2, 2, new float[] {0, -4, 2, 1}));
        BufferedImage out = SaliencyOverlay.render(image, new InputRange(-1f, 3f), map, 2);
        assertEquals(4, out.getWidth());
        assertEquals(4, out.getHeight());
        assertArrayEquals(new int[] {128, 128, 128}, rgb(out, 1, 1), "saliency 0: the image's grey, 0.5 of white");
        assertArrayEquals(new int[] {255, 255, 0}, rgb(out, 2, 0), "saliency 1: yellow");
        assertArrayEquals(new int[] {128, 64, 0}, rgb(out, 0, 2), "saliency 0.5 over black: half of (255, 128, 0)");
        assertArrayEquals(new int[] {255, 207, 191}, rgb(out, 3, 3),
                "saliency 0.25 over white (clipped from 7): 0.75·255 + 0.25·(255, 63.75, 0)");
        SaliencyMapTest.assertMessage(() -> SaliencyOverlay.render(new Picture(1, 3, 3, new float[9]),
                new InputRange(0f, 1f), map, 1), "the image is 3×3 but the map 2×2");
    }
}
