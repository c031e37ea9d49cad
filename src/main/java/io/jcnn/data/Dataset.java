package io.jcnn.data;

import java.util.Objects;

/**
 * Labelled images held in memory as unsigned bytes (0 black .. 255 white), sample after sample, each in C×H×W
 * order. Bytes are four times smaller than floats, which keeps full MNIST or CIFAR-10 cheap to hold; the
 * {@link DataLoader} converts a batch at a time.
 */
public final class Dataset {
    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final byte[] pixels;
    private final int[] labels;
    private final int classes;

    /**
     * @param pixels  {@code labels.length × channels × height × width} bytes; kept, not copied
     * @param labels  one class index in [0, classes) per sample; kept, not copied
     * @param classes number of classes, at least 1
     */
    public Dataset(String name, int channels, int height, int width, byte[] pixels, int[] labels, int classes) {
        Objects.requireNonNull(name, "name");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("dataset '" + name + "': image size must be positive, got "
                    + channels + "×" + height + "×" + width);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("dataset '" + name + "': needs at least one class, got " + classes);
        }
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("dataset '" + name + "': " + labels.length + " labels of "
                    + channels + "×" + height + "×" + width + " images need " + expected + " pixel bytes, got "
                    + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("dataset '" + name + "': label of sample " + i + " is "
                        + labels[i] + ", expected 0.." + (classes - 1));
            }
        }
        this.name = name;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
        this.classes = classes;
    }

    /** A short name for messages and reports. */
    public String name() {
        return name;
    }

    /** Number of samples. */
    public int size() {
        return labels.length;
    }

    /** Channels C of each image (1 for grey, 3 for RGB). */
    public int channels() {
        return channels;
    }

    /** Height H of each image, in pixels. */
    public int height() {
        return height;
    }

    /** Width W of each image, in pixels. */
    public int width() {
        return width;
    }

    /** Bytes per sample: C×H×W. */
    public int sampleSize() {
        return channels * height * width;
    }

    /** Number of classes; labels lie in [0, classes). */
    public int classes() {
        return classes;
    }

    /**
     * The class index of sample {@code index}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in [0, size)
     */
    public int label(int index) {
        Objects.checkIndex(index, labels.length);
        return labels[index];
    }

    /** The backing pixel array, not a copy: do not modify it. */
    public byte[] pixels() {
        return pixels;
    }

    /** The backing label array, not a copy: do not modify it. */
    public int[] labels() {
        return labels;
    }

    /** How many samples each class has. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Samples {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public Dataset subset(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        byte[] part = java.util.Arrays.copyOfRange(pixels, from * sampleSize(), to * sampleSize());
        int[] partLabels = java.util.Arrays.copyOfRange(labels, from, to);
        return new Dataset(name + "[" + from + ".." + to + ")", channels, height, width, part, partLabels, classes);
    }

    /** Every image framed by {@code border} zero pixels on each side: MNIST's 28×28 becomes 32×32 with 2. */
    public Dataset padded(int border) {
        if (border < 0) {
            throw new IllegalArgumentException("dataset '" + name + "': border must be >= 0, got " + border);
        }
        if (border == 0) {
            return this;
        }
        int h = height + 2 * border;
        int w = width + 2 * border;
        byte[] out = new byte[size() * channels * h * w];
        for (int plane = 0; plane < size() * channels; plane++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(pixels, (plane * height + y) * width, out, (plane * h + y + border) * w + border,
                        width);
            }
        }
        return new Dataset(name + " padded to " + h + "×" + w, channels, h, w, out, labels, classes);
    }

    /** Mean of all pixels, scaled to [0, 1]. */
    public double pixelMean() {
        long sum = 0;
        for (byte p : pixels) {
            sum += p & 0xFF;
        }
        return pixels.length == 0 ? 0 : sum / 255.0 / pixels.length;
    }

    /** Population standard deviation of all pixels, scaled to [0, 1]. */
    public double pixelStd() {
        if (pixels.length == 0) {
            return 0;
        }
        double mean = pixelMean() * 255;
        double sum = 0;
        for (byte p : pixels) {
            double d = (p & 0xFF) - mean;
            sum += d * d;
        }
        return Math.sqrt(sum / pixels.length) / 255;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images of " + channels + "×" + height + "×" + width + ", " + classes
                + " classes)";
    }
}
