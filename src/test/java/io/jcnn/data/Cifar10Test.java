package io.jcnn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Cifar10Test {
    @TempDir
    Path dir;

    /** {@code records} records whose label is (first + r) mod 10 and whose pixels all equal the record's number. */
    private static byte[] batch(int records, int first) {
        byte[] data = new byte[records * Cifar10.RECORD];
        for (int r = 0; r < records; r++) {
            data[r * Cifar10.RECORD] = (byte) ((first + r) % 10);
            java.util.Arrays.fill(data, r * Cifar10.RECORD + 1, (r + 1) * Cifar10.RECORD, (byte) (first + r));
        }
        return data;
    }

    private void writeAll(Path base) throws IOException {
        Files.createDirectories(base);
        for (int b = 1; b <= 5; b++) {
            Files.write(base.resolve("data_batch_" + b + ".bin"), batch(3, (b - 1) * 3));
        }
        Files.write(base.resolve("test_batch.bin"), batch(4, 100));
    }

    @Test
    void readsTheSixBatchesInOrderAsRgbPlanes() throws IOException {
        writeAll(dir);
        DatasetSplit split = Cifar10.load(dir);
        assertEquals(15, split.train().size());
        assertEquals(4, split.test().size());
        assertEquals(3, split.train().channels());
        assertEquals(32, split.train().height());
        assertEquals(7 % 10, split.train().label(7));
        assertEquals(7, split.train().pixels()[7 * 3072 + 2000]);
        assertEquals(101 % 10, split.test().label(1));
    }

    @Test
    void findsTheArchivesSubdirectory() throws IOException {
        writeAll(dir.resolve("cifar-10-batches-bin"));
        assertEquals(15, Cifar10.load(dir).train().size());
    }

    @Test
    void partialRecordsLabelsOutOfRangeAndMissingFilesAreNamed() throws IOException {
        writeAll(dir);
        Path first = dir.resolve("data_batch_1.bin");
        Files.write(first, java.util.Arrays.copyOf(batch(3, 0), 3 * Cifar10.RECORD - 5));
        IOException partial = assertThrows(IOException.class, () -> Cifar10.load(dir));
        assertTrue(partial.getMessage().contains(first.toString()) && partial.getMessage().contains("3073"),
                partial.getMessage());
        byte[] bad = batch(3, 0);
        bad[Cifar10.RECORD] = 10;
        Files.write(first, bad);
        assertTrue(assertThrows(IOException.class, () -> Cifar10.load(dir)).getMessage()
                .contains("record 1 has label 10"));
        Files.delete(dir.resolve("test_batch.bin"));
        Files.write(first, batch(3, 0));
        assertTrue(assertThrows(IOException.class, () -> Cifar10.load(dir)).getMessage()
                .contains("test_batch.bin"));
    }

    @Test
    void noFilesIsNotAnEmptyDataset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cifar10.read("CIFAR-10 train"));
        assertEquals("CIFAR-10 train: no batch files given, expected at least one", e.getMessage());
    }

    @Test
    void aDirectoryInPlaceOfABatchFileIsNamed() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("test_batch.bin"));
        IOException e = assertThrows(IOException.class, () -> Cifar10.read("CIFAR-10 test", folder));
        assertEquals(folder + " is a directory, expected a CIFAR-10 batch file", e.getMessage());
    }

    @Test
    void filesTooLargeForOneDatasetAreRefusedFromTheirSizesBeforeReading() throws IOException {
        Path file = dir.resolve("data_batch_1.bin");
        long records = 700_000; // 2.1 GB of pixels: more than one Java array holds
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(records * Cifar10.RECORD);
        }
        IOException e = assertThrows(IOException.class, () -> Cifar10.read("CIFAR-10 train", file));
        assertEquals("CIFAR-10 train: 700000 records do not fit in one dataset, expected at most 699050",
                e.getMessage());
    }
}
