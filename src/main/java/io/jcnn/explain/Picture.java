package io.jcnn.explain;

import io.jcnn.tensor.Shape;
import java.util.Arrays;

/**
 * A small C×H×W array of floats to be drawn: an input image, a filter, a saliency map, one channel of an activation.
 * Values are whatever the source holds; {@link TileGrid} decides how they map to colours. NaN marks an empty cell
 * (drawn as background).
 */
public final class Picture {
    private final int channels;
    private final int height;
    private final int width;
    private final float[] values;

    /** A copy of {@code values}, C×H×W row-major. */
    public Picture(int channels, int height, int width, float[] values) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("a picture needs at least 1×1×1 values, got " + channels + "×" + height
                    + "×" + width);
        }
        if (values.length != channels * height * width) {
            throw new IllegalArgumentException("a " + channels + "×" + height + "×" + width + " picture needs "
                    + channels * height * width + " values, got " + values.length);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.values = values.clone();
    }

    /** Batch item {@code item} of {@code data}, a host copy of an N×C×H×W tensor of {@code shape}. */
    public static Picture item(float[] data, Shape shape, int item) {
        if (shape.rank() != 4) {
            throw new IllegalArgumentException("a picture is cut from N×C×H×W data, got " + shape);
        }
        if (item < 0 || item >= shape.batch()) {
            throw new IllegalArgumentException("item " + item + " is out of range for " + shape);
        }
        int size = shape.sampleSize();
        return new Picture(shape.channels(), shape.height(), shape.width(),
                Arrays.copyOfRange(data, item * size, (item + 1) * size));
    }

    /**
     * {@code values} (any length) laid out row by row in the most nearly square grid that holds them, the cells
     * past the end empty (NaN): how a feature vector is drawn.
     */
    public static Picture ofVector(float[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("a picture needs at least one value, got an empty vector");
        }
        int side = (int) Math.ceil(Math.sqrt(values.length));
        int rows = (values.length + side - 1) / side;
        float[] cells = new float[rows * side];
        Arrays.fill(cells, Float.NaN);
        System.arraycopy(values, 0, cells, 0, values.length);
        return new Picture(1, rows, side, cells);
    }

    /** Channels C. */
    public int channels() {
        return channels;
    }

    /** Height H, in cells. */
    public int height() {
        return height;
    }

    /** Width W, in cells. */
    public int width() {
        return width;
    }

    /** The value at channel {@code c}, row {@code y}, column {@code x}. */
    public float at(int c, int y, int x) {
        return values[(c * height + y) * width + x];
    }

    /** A copy of the values, C×H×W row-major. */
    public float[] values() {
        return values.clone();
    }

    /** Channel {@code c} alone, as a 1×H×W picture. */
    public Picture channel(int c) {
        if (c < 0 || c >= channels) {
            throw new IllegalArgumentException("channel " + c + " is out of range for a " + channels
                    + "-channel picture");
        }
        int plane = height * width;
        return new Picture(1, height, width, Arrays.copyOfRange(values, c * plane, (c + 1) * plane));
    }

    /**
     * This picture resampled to {@code newHeight}×{@code newWidth} by bilinear interpolation between pixel centres
     * (edges repeated), as the octaves of a dream are made.
     *
     * @throws IllegalArgumentException if a size is below 1
     */
    public Picture resized(int newHeight, int newWidth) {
        if (newHeight < 1 || newWidth < 1) {
            throw new IllegalArgumentException("a picture cannot be resized to " + newHeight + "×" + newWidth);
        }
        if (newHeight == height && newWidth == width) {
            return this;
        }
        float[] out = new float[channels * newHeight * newWidth];
        double sy = (double) height / newHeight;
        double sx = (double) width / newWidth;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < newHeight; y++) {
                double fy = Math.max(0, Math.min(height - 1, (y + 0.5) * sy - 0.5));
                int y0 = (int) fy;
                int y1 = Math.min(height - 1, y0 + 1);
                double wy = fy - y0;
                for (int x = 0; x < newWidth; x++) {
                    double fx = Math.max(0, Math.min(width - 1, (x + 0.5) * sx - 0.5));
                    int x0 = (int) fx;
                    int x1 = Math.min(width - 1, x0 + 1);
                    double wx = fx - x0;
                    double top = at(c, y0, x0) * (1 - wx) + at(c, y0, x1) * wx;
                    double bottom = at(c, y1, x0) * (1 - wx) + at(c, y1, x1) * wx;
                    out[(c * newHeight + y) * newWidth + x] = (float) (top * (1 - wy) + bottom * wy);
                }
            }
        }
        return new Picture(channels, newHeight, newWidth, out);
    }

    /** The smallest value, NaN ignored (NaN when every value is NaN). */
    public float min() {
        float min = Float.NaN;
        for (float v : values) {
            if (!Float.isNaN(v) && (Float.isNaN(min) || v < min)) {
                min = v;
            }
        }
        return min;
    }

    /** The largest value, NaN ignored (NaN when every value is NaN). */
    public float max() {
        float max = Float.NaN;
        for (float v : values) {
            if (!Float.isNaN(v) && (Float.isNaN(max) || v > max)) {
                max = v;
            }
        }
        return max;
    }

    /** The largest |value|, NaN ignored (0 when every value is NaN). */
    public float maxAbs() {
        float max = 0f;
        for (float v : values) {
            if (Math.abs(v) > max) {
                max = Math.abs(v);
            }
        }
        return max;
    }

    @Override
    public String toString() {
        return "Picture(" + channels + "×" + height + "×" + width + ")";
    }
}
