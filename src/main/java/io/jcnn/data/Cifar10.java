package io.jcnn.data;

import java.io.IOException;
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

    /** Reads and concatenates batch files. */
    public static Dataset read(String name, Path... files) throws IOException {
        byte[][] contents = new byte[files.length][];
        long records = 0;
        for (int f = 0; f < files.length; f++) {
            if (!Files.exists(files[f])) {
                throw new IOException("CIFAR-10 file missing: " + files[f]);
            }
            contents[f] = Files.readAllBytes(files[f]);
            if (contents[f].length == 0 || contents[f].length % RECORD != 0) {
                throw new IOException(files[f] + ": " + contents[f].length + " bytes is not a whole number of "
                        + RECORD + "-byte CIFAR-10 records (1 label byte + 3×32×32 pixels); truncated or not CIFAR-10"
                        + " binary");
            }
            records += contents[f].length / RECORD;
        }
        if (records * (RECORD - 1) > Integer.MAX_VALUE - 8) {
            throw new IOException(name + ": " + records + " records do not fit in memory as one dataset");
        }
        int n = (int) records;
        byte[] pixels = new byte[n * (RECORD - 1)];
        int[] labels = new int[n];
        int sample = 0;
        for (int f = 0; f < files.length; f++) {
            byte[] data = contents[f];
            for (int offset = 0; offset < data.length; offset += RECORD, sample++) {
                int label = data[offset] & 0xFF;
                if (label >= CLASSES) {
                    throw new IOException(files[f] + ": record " + offset / RECORD + " has label " + label
                            + ", expected 0.." + (CLASSES - 1));
                }
                labels[sample] = label;
                System.arraycopy(data, offset + 1, pixels, sample * (RECORD - 1), RECORD - 1);
            }
        }
        return new Dataset(name, 3, SIDE, SIDE, pixels, labels, CLASSES);
    }
}
