package io.jcnn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CIFAR-10 in its binary format (Krizhevsky, 2009): files {@code data_batch_1.bin} .. {@code data_batch_5.bin} for
 * training and {@code test_batch.bin} for testing, each a sequence of 3,073-byte records: one label byte (0..9),
 * then the 32×32 red, green and blue planes. Images come out as 3×32×32 in that plane order.
 */
public final class Cifar10 {
    /** Number of classes (airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck). */
    public static final int CLASSES = 10;
    /** Height and width of every image, in pixels. */
    public static final int SIDE = 32;
    /** Bytes per record: one label byte and three 32×32 colour planes. */
    public static final int RECORD = 1 + 3 * SIDE * SIDE;
    /** Number of training batch files, {@code data_batch_1.bin} to {@code data_batch_5.bin}. */
    public static final int TRAIN_BATCHES = 5;
    /** The most records one dataset holds: their pixels fill the largest byte array a JVM allocates. */
    public static final int MAX_RECORDS = (Integer.MAX_VALUE - 8) / (RECORD - 1);
    private static final int PIXELS = RECORD - 1;
    private static final String ARCHIVE_DIR = "cifar-10-batches-bin";

    private Cifar10() {
    }

    /** Reads the six batch files from {@code dir} or from its {@code cifar-10-batches-bin} subdirectory. */
    public static DatasetSplit load(Path dir) throws IOException {
        Path base = Files.exists(dir.resolve("data_batch_1.bin")) ? dir : dir.resolve(ARCHIVE_DIR);
        if (!Files.isDirectory(base)) {
            throw new IOException("CIFAR-10 directory " + dir + " has neither data_batch_1.bin nor " + ARCHIVE_DIR
                    + "/");
        }
        Path[] train = new Path[TRAIN_BATCHES];
        for (int i = 0; i < TRAIN_BATCHES; i++) {
            train[i] = base.resolve("data_batch_" + (i + 1) + ".bin");
        }
        return new DatasetSplit(read("CIFAR-10 train (" + base + ")", train),
                read("CIFAR-10 test (" + base + ")", base.resolve("test_batch.bin")));
    }

    /**
     * Reads and concatenates batch files. Their sizes are checked before anything is read: each must be a whole
     * number of records, and all together must fit in one dataset (at most {@value #MAX_RECORDS} records, whose
     * pixels fill the largest array a JVM allocates).
     *
     * @throws IllegalArgumentException if no file is given
     */
    public static Dataset read(String name, Path... files) throws IOException {
        if (files.length == 0) {
            throw new IllegalArgumentException(name + ": no batch files given, expected at least one");
        }
        long[] records = new long[files.length];
        long total = 0;
        for (int f = 0; f < files.length; f++) {
            records[f] = recordsIn(files[f]);
            total += records[f];
        }
        if (total > MAX_RECORDS) {
            throw new IOException(name + ": " + total + " records do not fit in one dataset, expected at most "
                    + MAX_RECORDS);
        }
        byte[] pixels;
        int[] labels;
        try {
            pixels = new byte[(int) total * PIXELS];
            labels = new int[(int) total];
        } catch (OutOfMemoryError e) {
            throw new IOException(name + ": " + total + " records do not fit in the Java heap (see -Xmx)");
        }
        int sample = 0;
        for (int f = 0; f < files.length; f++) {
            readRecords(files[f], (int) records[f], pixels, labels, sample);
            sample += (int) records[f];
        }
        return new Dataset(name, 3, SIDE, SIDE, pixels, labels, CLASSES);
    }

    /** The number of records in {@code file}, from its size. */
    private static long recordsIn(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, expected a CIFAR-10 batch file");
        }
        if (!Files.exists(file)) {
            throw new IOException("CIFAR-10 file missing: " + file);
        }
        long size = Files.size(file);
        if (size == 0 || size % RECORD != 0) {
            throw new IOException(file + ": " + size + " bytes is not a whole number of " + RECORD
                    + "-byte CIFAR-10 records (1 label byte + 3×32×32 pixels); truncated or not CIFAR-10 binary");
        }
        return size / RECORD;
    }

    /** Reads {@code count} records of {@code file} into the arrays from sample {@code first} on. */
    private static void readRecords(Path file, int count, byte[] pixels, int[] labels, int first)
            throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            for (int r = 0; r < count; r++) {
                int sample = first + r;
                int label = in.read();
                if (label < 0 || in.readNBytes(pixels, sample * PIXELS, PIXELS) < PIXELS) {
                    throw new IOException(file + ": ended in record " + r + " of the " + count
                            + " its size promised; did it change while being read?");
                }
                if (label >= CLASSES) {
                    throw new IOException(file + ": record " + r + " has label " + label + ", expected 0.."
                            + (CLASSES - 1));
                }
                labels[sample] = label;
            }
        }
    }
}
