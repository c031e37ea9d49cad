package io.jcnn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsRawAndGzippedFilesAlikeWhateverTheirNames() throws IOException {
        byte[] pixels = IdxFiles.pattern(3 * 4 * 5);
        byte[] file = IdxFiles.images(3, 4, 5, pixels);
        Path raw = IdxFiles.write(dir, "raw", file, false);
        Path gz = Files.write(dir.resolve("compressed-without-suffix"), IdxFiles.gzip(file));
        for (Path p : new Path[]{raw, gz}) {
            IdxReader.Images images = IdxReader.readImages(p);
            assertEquals(3, images.count());
            assertEquals(4, images.rows());
            assertEquals(5, images.columns());
            assertArrayEquals(pixels, images.pixels());
        }
        Path labels = IdxFiles.write(dir, "labels", IdxFiles.labels(new byte[]{0, 9, (byte) 3}), true);
        assertArrayEquals(new int[]{0, 9, 3}, IdxReader.readLabels(labels, 10));
    }

    @Test
    void wrongMagicNamesTheFileAndBothNumbers() throws IOException {
        Path labels = IdxFiles.write(dir, "labels", IdxFiles.labels(new byte[]{1, 2}), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(labels));
        assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000801") && e.getMessage().contains("0x00000803"), e.getMessage());
    }

    @Test
    void truncatedDataSaysHowManyBytesWereExpectedAndFound() throws IOException {
        byte[] file = IdxFiles.images(2, 28, 28, IdxFiles.pattern(2 * 784));
        Path cut = IdxFiles.write(dir, "cut", Arrays.copyOf(file, file.length - 100), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(cut));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("1568")
                && e.getMessage().contains("1468"), e.getMessage());
        Path header = IdxFiles.write(dir, "header", Arrays.copyOf(file, 10), false);
        assertTrue(assertThrows(IOException.class, () -> IdxReader.readImages(header)).getMessage()
                .contains("header is truncated"));
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] file = IdxFiles.labels(new byte[]{1, 2});
        Path longer = IdxFiles.write(dir, "longer", Arrays.copyOf(file, file.length + 3), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(longer, 10));
        assertTrue(e.getMessage().contains("3 unexpected bytes"), e.getMessage());
    }

    @Test
    void labelOutOfRangeNamesItsIndexAndValue() throws IOException {
        Path labels = IdxFiles.write(dir, "labels", IdxFiles.labels(new byte[]{1, 2, 12}), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(labels, 10));
        assertTrue(e.getMessage().contains("label 2 is 12, expected 0..9"), e.getMessage());
    }

    @Test
    void corruptedAndTruncatedGzipAreReported() throws IOException {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(2, 28, 28, IdxFiles.pattern(2 * 784)));
        Path truncated = Files.write(dir.resolve("t.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertTrue(assertThrows(IOException.class, () -> IdxReader.readImages(truncated)).getMessage()
                .contains("gzip data is truncated"));
        byte[] damaged = gz.clone();
        for (int i = 12; i < 40; i++) {
            damaged[i] = (byte) 0xFF;
        }
        Path corrupt = Files.write(dir.resolve("c.gz"), damaged);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(corrupt));
        assertTrue(e.getMessage().contains(corrupt.toString()) && e.getMessage().contains("gzip"), e.getMessage());
    }

    /** An IDX images header alone, without data. */
    private static byte[] imagesHeader(int count, int rows, int columns) {
        return ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(columns)
                .array();
    }

    @Test
    void aGzipBombIsRefusedAfterTheDataItsHeaderPromisesWithoutInflatingTheRest() throws IOException {
        // One 28×28 image, then 2.5 GiB of zeros as 2,560 concatenated gzip members of 1 MiB each (about 2.6 MB).
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.writeBytes(IdxFiles.gzip(IdxFiles.images(1, 28, 28, IdxFiles.pattern(784))));
        byte[] mebibyteOfZeros = IdxFiles.gzip(new byte[1 << 20]);
        for (int i = 0; i < 2560; i++) {
            bomb.writeBytes(mebibyteOfZeros);
        }
        Path file = Files.write(dir.resolve("bomb.gz"), bomb.toByteArray());
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IOException.class, () -> IdxReader.readImages(file)));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains("unexpected bytes after the 1"
                + " images of 28×28"), e.getMessage());
    }

    @Test
    void aRawFileLargerThanAnArrayIsRefusedFromItsSizeWithoutReadingIt() throws IOException {
        Path file = dir.resolve("huge");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.write(IdxFiles.images(1, 28, 28, IdxFiles.pattern(784)));
            sparse.setLength(3L << 30);
        }
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(file));
        assertTrue(e.getMessage().contains((3L << 30) - 16 - 784 + " unexpected bytes"), e.getMessage());
    }

    @Test
    void dimensionsWhoseProductOverflowsAreRefusedAsTooLarge() throws IOException {
        byte[] header = imagesHeader(8000, Integer.MAX_VALUE, Integer.MAX_VALUE);
        Path file = IdxFiles.write(dir, "overflow", Arrays.copyOf(header, header.length + 6272), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(file));
        assertEquals(file + ": the header promises 8000 images of 2147483647×2147483647, more than the "
                + IdxReader.MAX_DATA_BYTES + " bytes of data an IDX file may hold", e.getMessage());
    }

    @Test
    void aHeaderWhoseSizeWrapsToZeroIsNotAnEmptyFile() throws IOException {
        // 16 × 2^30 × 2^30 bytes is 2^64, which a long multiplication wraps to 0.
        for (boolean gzip : new boolean[]{false, true}) {
            Path file = IdxFiles.write(dir, "wraps", imagesHeader(16, 1 << 30, 1 << 30), gzip);
            IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(file));
            assertTrue(e.getMessage().startsWith(file + ": the header promises 16 images of 1073741824×1073741824,"
                    + " more than"), e.getMessage());
        }
    }

    @Test
    void aGzipFileCannotPromiseMoreDataThanDeflateCanPackIntoItsSize() throws IOException {
        Path file = IdxFiles.write(dir, "small", imagesHeader(2000, 1000, 1000), true);
        long size = Files.size(file);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(file));
        assertEquals(file + ": truncated: the header promises 2000 images of 1000×1000 (2000000000 bytes of data)"
                + " but " + size + " bytes of gzip inflate to at most " + size * IdxReader.MAX_DEFLATE_RATIO + " bytes",
                e.getMessage());
    }

    @Test
    void aDirectoryIsNamedAsNotAFile() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("train-images-idx3-ubyte"));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(folder));
        assertEquals(folder + " is a directory, expected an IDX file (raw or gzip)", e.getMessage());
    }

    @Test
    void labelsNeedAtLeastOneClass() throws IOException {
        Path labels = IdxFiles.write(dir, "labels", IdxFiles.labels(new byte[]{0}), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdxReader.readLabels(labels, 0));
        assertEquals("classes must be at least 1, got 0", e.getMessage());
    }
}
