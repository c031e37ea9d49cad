package io.jcnn.explain;

import java.awt.image.BufferedImage;

/**
 * A saliency map drawn over the image it explains: the image in grey (or colour), each pixel blended towards a heat
 * colour in proportion to its saliency s ∈ [0, 1]: out = (1 − s)·image + s·heat, heat running from red (s near 0)
 * to yellow (s = 1). Where the map is 0 the image shows unchanged.
 */
public final class SaliencyOverlay {
    private static final int WHITE = 255;

    private SaliencyOverlay() {
    }

    /**
     * {@code image} (1 or 3 channels, H×W as the map) drawn from {@code range} (low black, high white) with
     * {@code map} on top, each value magnified into a {@code scale}×{@code scale} block.
     */
    public static BufferedImage render(Picture image, InputRange range, SaliencyMap map, int scale) {
        if (image.height() != map.height() || image.width() != map.width()) {
            throw new IllegalArgumentException("saliency overlay: the image is " + image.height() + "×" + image.width()
                    + " but the map " + map.height() + "×" + map.width());
        }
        if (image.channels() != 1 && image.channels() != 3) {
            throw new IllegalArgumentException("saliency overlay: images of 1 or 3 channels, got " + image.channels());
        }
        if (scale < 1 || scale > 64) {
            throw new IllegalArgumentException("scale must be 1 to 64, got " + scale);
        }
        BufferedImage out = new BufferedImage(image.width() * scale, image.height() * scale,
                BufferedImage.TYPE_INT_RGB);
        int[] pixel = new int[3];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                float s = Math.max(0f, Math.min(1f, map.at(y, x)));
                float[] heat = {WHITE, WHITE * s, 0f};
                for (int c = 0; c < 3; c++) {
                    float base = WHITE * unit(image.at(image.channels() == 1 ? 0 : c, y, x), range);
                    pixel[c] = Math.round((1 - s) * base + s * heat[c]);
                }
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        out.getRaster().setPixel(x * scale + dx, y * scale + dy, pixel);
                    }
                }
            }
        }
        return out;
    }

    private static float unit(float value, InputRange range) {
        return Math.max(0f, Math.min(1f, (value - range.low()) / range.width()));
    }
}
