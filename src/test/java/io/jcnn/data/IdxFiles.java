package io.jcnn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests. */
final class IdxFiles {
    private IdxFiles() {
    }

    static byte[] images(int count, int rows, int columns, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
        b.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(columns).put(pixels);
        return b.array();
    }

    static byte[] labels(byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(IdxReader.LABELS_MAGIC).putInt(labels.length).put(labels);
        return b.array();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Pixel i of a synthetic set is (i·7 + 3) mod 256; label j is j mod 10. */
    static byte[] pattern(int size) {
        byte[] p = new byte[size];
        for (int i = 0; i < size; i++) {
            p[i] = (byte) (i * 7 + 3);
        }
        return p;
    }

    static byte[] labelPattern(int count) {
        byte[] l = new byte[count];
        for (int i = 0; i < count; i++) {
            l[i] = (byte) (i % 10);
        }
        return l;
    }

    /** A complete MNIST-named directory of {@code train}/{@code test} 28×28 synthetic digits, gzipped or raw. */
    static void writeMnist(Path dir, int train, int test, boolean gzip) throws IOException {
        write(dir, Mnist.TRAIN_IMAGES, images(train, 28, 28, pattern(train * 784)), gzip);
        write(dir, Mnist.TRAIN_LABELS, labels(labelPattern(train)), gzip);
        write(dir, Mnist.TEST_IMAGES, images(test, 28, 28, pattern(test * 784)), gzip);
        write(dir, Mnist.TEST_LABELS, labels(labelPattern(test)), gzip);
    }

    static Path write(Path dir, String name, byte[] content, boolean gzip) throws IOException {
        Path file = dir.resolve(gzip ? name + ".gz" : name);
        Files.write(file, gzip ? gzip(content) : content);
        return file;
    }
}
