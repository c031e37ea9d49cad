package io.jcnn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
}
