package io.jcnn.explain;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.List;

/**
 * Draws pictures of one size as a grid of tiles, row by row, each magnified {@code scale} times (nearest neighbour)
 * and separated by {@code gap} background pixels. How values become colours:
 * <ul>
 *   <li>the range: each tile's own minimum to maximum ({@link #perTile}, the default), one range over all tiles
 *       ({@link #shared}), or a fixed one ({@link #range}); values outside a fixed range are clipped;</li>
 *   <li>the {@link Palette}: {@code GREY}, the range's low end black and its high end white, or {@code DIVERGING},
 *       symmetric about zero (blue negative, white zero, red positive) for signed values such as weights.
 *       Three-channel pictures are drawn in colour (R, G, B), each channel through the grey scale.</li>
 * </ul>
 * A tile whose values are all equal is drawn mid-grey under a range of its own; NaN cells are background. Grey grids
 * of one-channel tiles give an 8-bit grey image, others RGB.
 */
public final class TileGrid {
    /** How values map to colours. */
    public enum Palette {
        /** The range's low end black, its high end white; three-channel tiles in colour. */
        GREY,
        /** Symmetric about zero: blue negative, white zero, red positive; one-channel tiles only. */
        DIVERGING
    }

    private enum Scaling { PER_TILE, SHARED, FIXED }

    private static final int WHITE = 255;
    private static final int DIVERGING_BACKGROUND = 96;

    private final List<Picture> tiles;
    private final int tileHeight;
    private final int tileWidth;
    private final int channels;
    private int columns;
    private int scale = 1;
    private int gap = 1;
    private Scaling scaling = Scaling.PER_TILE;
    private float fixedLow;
    private float fixedHigh;
    private Palette palette = Palette.GREY;

    private TileGrid(List<Picture> tiles) {
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("a tile grid needs at least one picture");
        }
        Picture first = tiles.get(0);
        for (Picture p : tiles) {
            if (p.channels() != first.channels() || p.height() != first.height() || p.width() != first.width()) {
                throw new IllegalArgumentException("the tiles of a grid must have one shape: " + first + " and " + p);
            }
        }
        if (first.channels() != 1 && first.channels() != 3) {
            throw new IllegalArgumentException("tiles are drawn from 1 (grey) or 3 (RGB) channels, got "
                    + first.channels() + "; draw each channel as its own tile");
        }
        this.tiles = List.copyOf(tiles);
        this.tileHeight = first.height();
        this.tileWidth = first.width();
        this.channels = first.channels();
        this.columns = (int) Math.ceil(Math.sqrt(tiles.size()));
    }

    /** A grid of {@code tiles}, as square as possible unless {@link #columns} says otherwise. */
    public static TileGrid of(List<Picture> tiles) {
        return new TileGrid(tiles);
    }

    /** A single picture. */
    public static TileGrid of(Picture picture) {
        return new TileGrid(List.of(picture));
    }

    /** Tiles per row (the last row may be short). */
    public TileGrid columns(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a tile grid needs at least 1 column, got " + count);
        }
        columns = Math.min(count, tiles.size());
        return this;
    }

    /** Magnification of every value into a {@code factor}×{@code factor} block of pixels. */
    public TileGrid scale(int factor) {
        if (factor < 1 || factor > 64) {
            throw new IllegalArgumentException("scale must be 1 to 64, got " + factor);
        }
        scale = factor;
        return this;
    }

    /** Background pixels between neighbouring tiles. */
    public TileGrid gap(int pixels) {
        if (pixels < 0) {
            throw new IllegalArgumentException("gap must be at least 0 pixels, got " + pixels);
        }
        gap = pixels;
        return this;
    }

    /** Each tile scaled over its own range (the default): shows every tile's pattern. */
    public TileGrid perTile() {
        scaling = Scaling.PER_TILE;
        return this;
    }

    /** One range over all tiles: shows which tiles are strong and which are weak. */
    public TileGrid shared() {
        scaling = Scaling.SHARED;
        return this;
    }

    /** A fixed range, for values with a known scale (a saliency map's [0, 1], an input's pixel range). */
    public TileGrid range(float low, float high) {
        if (!(low < high) || !Float.isFinite(low) || !Float.isFinite(high)) {
            throw new IllegalArgumentException("a fixed range needs finite low < high, got " + low + " to " + high);
        }
        scaling = Scaling.FIXED;
        fixedLow = low;
        fixedHigh = high;
        return this;
    }

    /**
     * Draws with {@code choice}; {@link Palette#GREY} by default.
     *
     * @throws IllegalArgumentException if {@code choice} is null, or {@link Palette#DIVERGING} and the tiles have more than one
     *     channel
     */
    public TileGrid palette(Palette choice) {
        if (choice == null) {
            throw new IllegalArgumentException("palette must be GREY or DIVERGING, got null");
        }
        if (choice == Palette.DIVERGING && channels != 1) {
            throw new IllegalArgumentException("the diverging palette draws one-channel tiles, got " + channels
                    + " channels");
        }
        palette = choice;
        return this;
    }

    /** Width of the image in pixels. */
    public int width() {
        return columns * tileWidth * scale + (columns - 1) * gap;
    }

    /** Height of the image in pixels. */
    public int height() {
        int rows = (tiles.size() + columns - 1) / columns;
        return rows * tileHeight * scale + (rows - 1) * gap;
    }

    /** The grid as an image of {@link #width()} × {@link #height()} pixels. */
    public BufferedImage render() {
        boolean grey = channels == 1 && palette == Palette.GREY;
        BufferedImage image = new BufferedImage(width(), height(),
                grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        WritableRaster raster = image.getRaster();
        int[] background = background(grey);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                raster.setPixel(x, y, background);
            }
        }
        float[] shared = scaling == Scaling.SHARED ? sharedRange() : null;
        for (int t = 0; t < tiles.size(); t++) {
            Picture tile = tiles.get(t);
            float[] range = switch (scaling) {
                case PER_TILE -> range(tile.min(), tile.max(), tile.maxAbs());
                case SHARED -> shared;
                case FIXED -> new float[] {fixedLow, fixedHigh};
            };
            int left = (t % columns) * (tileWidth * scale + gap);
            int top = (t / columns) * (tileHeight * scale + gap);
            drawTile(raster, tile, range, left, top, grey ? 1 : 3, background);
        }
        return image;
    }

    private float[] sharedRange() {
        float min = Float.NaN;
        float max = Float.NaN;
        float maxAbs = 0f;
        for (Picture p : tiles) {
            min = Float.isNaN(min) || p.min() < min ? p.min() : min;
            max = Float.isNaN(max) || p.max() > max ? p.max() : max;
            maxAbs = Math.max(maxAbs, p.maxAbs());
        }
        return range(min, max, maxAbs);
    }

    /** [low, high] for measured values: symmetric about 0 for the diverging palette. */
    private float[] range(float min, float max, float maxAbs) {
        return palette == Palette.DIVERGING ? new float[] {-maxAbs, maxAbs} : new float[] {min, max};
    }

    private int[] background(boolean grey) {
        if (grey) {
            return new int[] {WHITE};
        }
        int level = palette == Palette.DIVERGING ? DIVERGING_BACKGROUND : WHITE;
        return new int[] {level, level, level};
    }

    private void drawTile(WritableRaster raster, Picture tile, float[] range, int left, int top, int bands,
                          int[] background) {
        int[] pixel = new int[bands];
        for (int y = 0; y < tileHeight; y++) {
            for (int x = 0; x < tileWidth; x++) {
                colour(tile, y, x, range, pixel, background);
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        raster.setPixel(left + x * scale + dx, top + y * scale + dy, pixel);
                    }
                }
            }
        }
    }

    private void colour(Picture tile, int y, int x, float[] range, int[] pixel, int[] background) {
        if (Float.isNaN(tile.at(0, y, x))) {
            System.arraycopy(background, 0, pixel, 0, pixel.length);
            return;
        }
        if (palette == Palette.DIVERGING) {
            diverging(unit(tile.at(0, y, x), range) * 2 - 1, pixel);
            return;
        }
        if (channels == 1) {
            int level = level(unit(tile.at(0, y, x), range));
            for (int b = 0; b < pixel.length; b++) {
                pixel[b] = level;
            }
            return;
        }
        for (int c = 0; c < 3; c++) {
            pixel[c] = level(unit(tile.at(c, y, x), range));
        }
    }

    /** {@code value} placed in [0, 1] along {@code range}, clipped; 0.5 for an empty range. */
    private static float unit(float value, float[] range) {
        float span = range[1] - range[0];
        if (!(span > 0f)) {
            return 0.5f;
        }
        return Math.max(0f, Math.min(1f, (value - range[0]) / span));
    }

    private static int level(float unit) {
        return Math.round(unit * WHITE);
    }

    /** −1 blue (0, 0, 255) through 0 white to +1 red (255, 0, 0). */
    private static void diverging(float signed, int[] pixel) {
        int fade = level(1f - Math.abs(signed));
        if (signed >= 0) {
            pixel[0] = WHITE;
            pixel[1] = fade;
            pixel[2] = fade;
        } else {
            pixel[0] = fade;
            pixel[1] = fade;
            pixel[2] = WHITE;
        }
    }
}
