package peers;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The MNIST digits of one split (IDX files, gzip-compressed), prepared the way {@code jcnn train --model alexnet32}
 * prepares them: each 28×28 image is framed by a border of black (byte 0) pixels to fit the network's input, and every
 * pixel byte {@code p} becomes {@code (p / 255 − mean) / std}, with the mean and population standard deviation of all
 * pixels of the padded training images (jcnn's {@code Normalization.of(train)} after {@code DataSources.fit}).
 */
final class Digits {
    final int count;
    final int side;
    /** One byte per pixel, image after image, {@code side × side} each, already padded. */
    final byte[] pixels;
    final int[] labels;

    private Digits(int count, int side, byte[] pixels, int[] labels) {
        this.count = count;
        this.side = side;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** Reads {@code prefix}-images-idx3-ubyte.gz and {@code prefix}-labels-idx1-ubyte.gz, adding {@code border}. */
    static Digits load(Path dir, String prefix, int border) throws IOException {
        Path imageFile = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labelFile = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        int n;
        int rows;
        int cols;
        byte[] raw;
        try (DataInputStream in = gz(imageFile)) {
            expect(in.readInt(), 0x803, imageFile);
            n = in.readInt();
            rows = in.readInt();
            cols = in.readInt();
            if (rows != 28 || cols != 28) {
                throw new IOException(imageFile + ": expected 28x28 digits, found " + rows + "x" + cols);
            }
            raw = new byte[n * rows * cols];
            in.readFully(raw);
        }
        int[] labels;
        try (DataInputStream in = gz(labelFile)) {
            expect(in.readInt(), 0x801, labelFile);
            int m = in.readInt();
            if (m != n) {
                throw new IOException(labelFile + " holds " + m + " labels for " + n + " images");
            }
            labels = new int[m];
            for (int i = 0; i < m; i++) {
                labels[i] = in.readUnsignedByte();
            }
        }
        int side = rows + 2 * border;
        byte[] padded = new byte[n * side * side];  // zero-filled: the border is black, like jcnn's Dataset.padded
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < rows; y++) {
                System.arraycopy(raw, (i * rows + y) * cols, padded, i * side * side + (y + border) * side + border, cols);
            }
        }
        return new Digits(n, side, padded, labels);
    }

    private static DataInputStream gz(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        return new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
    }

    private static void expect(int magic, int wanted, Path file) throws IOException {
        if (magic != wanted) {
            throw new IOException(file + ": IDX magic " + Integer.toHexString(magic) + ", expected "
                    + Integer.toHexString(wanted));
        }
    }

    /** Mean of all pixels scaled to [0, 1] (computed as jcnn's Dataset.pixelMean). */
    double pixelMean() {
        long sum = 0;
        for (byte p : pixels) {
            sum += p & 0xFF;
        }
        return sum / 255.0 / pixels.length;
    }

    /** Population standard deviation of all pixels scaled to [0, 1] (as jcnn's Dataset.pixelStd). */
    double pixelStd() {
        double mean = pixelMean() * 255;
        double sum = 0;
        for (byte p : pixels) {
            double d = (p & 0xFF) - mean;
            sum += d * d;
        }
        return Math.sqrt(sum / pixels.length) / 255;
    }

    /** The network input for each byte value: {@code (p / 255 − mean) / std} in float arithmetic, as jcnn does it. */
    static float[] lookup(float mean, float std) {
        float[] table = new float[256];
        for (int p = 0; p < 256; p++) {
            table[p] = (p / 255f - mean) / std;
        }
        return table;
    }
}
