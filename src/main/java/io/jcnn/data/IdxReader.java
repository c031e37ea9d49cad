package io.jcnn.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files MNIST ships in: a big-endian header (two zero bytes, a type code, the number of dimensions,
 * then each dimension as a 32-bit count) followed by the data. Only unsigned-byte data (type 0x08) is accepted, as
 * MNIST uses. Files may be raw or gzip-compressed, recognised by the gzip magic bytes rather than the name. Every
 * inconsistency (wrong magic, wrong dimensions, data shorter or longer than the header says, labels out of range)
 * raises an {@link IOException} naming the file, what was found and what was expected.
 */
public final class IdxReader {
    /** Magic of an IDX file of unsigned bytes with three dimensions: images × rows × columns. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of an IDX file of unsigned bytes with one dimension: labels. */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** Images from an IDX3 file: {@code count × rows × columns} bytes, with the dimensions. */
    public record Images(int count, int rows, int columns, byte[] pixels) {
    }

    /** Reads an images file. */
    public static Images readImages(Path file) throws IOException {
        return parseImages(file.toString(), decompress(file.toString(), read(file)));
    }

    /** Parses the (decompressed) bytes of an images file; {@code file} names it in messages. */
    static Images parseImages(String file, byte[] data) throws IOException {
        checkMagic(file, data, IMAGES_MAGIC, "IDX images (unsigned bytes, 3 dimensions)");
        int count = dimension(file, data, 0);
        int rows = dimension(file, data, 1);
        int columns = dimension(file, data, 2);
        if (rows == 0 || columns == 0) {
            throw new IOException(file + ": images of " + rows + "×" + columns + " pixels, expected a positive size");
        }
        int header = 16;
        long expected = (long) count * rows * columns;
        checkLength(file, data, header, expected, count + " images of " + rows + "×" + columns);
        byte[] pixels = new byte[(int) expected];
        System.arraycopy(data, header, pixels, 0, pixels.length);
        return new Images(count, rows, columns, pixels);
    }

    /** Reads a labels file whose values must lie in [0, classes). */
    public static int[] readLabels(Path file, int classes) throws IOException {
        return parseLabels(file.toString(), decompress(file.toString(), read(file)), classes);
    }

    /** Parses the (decompressed) bytes of a labels file; {@code file} names it in messages. */
    static int[] parseLabels(String file, byte[] data, int classes) throws IOException {
        checkMagic(file, data, LABELS_MAGIC, "IDX labels (unsigned bytes, 1 dimension)");
        int count = dimension(file, data, 0);
        int header = 8;
        checkLength(file, data, header, count, count + " labels");
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int label = data[header + i] & 0xFF;
            if (label >= classes) {
                throw new IOException(file + ": label " + i + " is " + label + ", expected 0.." + (classes - 1));
            }
            labels[i] = label;
        }
        return labels;
    }

    private static byte[] read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        return Files.readAllBytes(file);
    }

    /** {@code raw} decompressed when it starts with the gzip magic bytes 1f 8b, else unchanged. */
    static byte[] decompress(String file, byte[] raw) throws IOException {
        if (raw.length < 2 || (raw[0] & 0xFF) != 0x1f || (raw[1] & 0xFF) != 0x8b) {
            return raw;
        }
        try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(raw.length * 8L,
                    Integer.MAX_VALUE - 8));
            gzip.transferTo(out);
            return out.toByteArray();
        } catch (EOFException e) {
            throw new IOException(file + ": the gzip data is truncated (unexpected end of file)", e);
        } catch (ZipException e) {
            throw new IOException(file + ": the gzip data is corrupted (" + e.getMessage() + ")", e);
        }
    }

    private static void checkMagic(String file, byte[] data, int magic, String what) throws IOException {
        if (data.length < 4) {
            throw new IOException(file + ": " + data.length + " bytes is too short for an IDX header; expected "
                    + what);
        }
        int found = readInt(data, 0);
        if (found != magic) {
            throw new IOException(String.format("%s: magic number 0x%08x, expected 0x%08x (%s)", file, found, magic,
                    what));
        }
    }

    private static int dimension(String file, byte[] data, int index) throws IOException {
        int offset = 4 + 4 * index;
        if (data.length < offset + 4) {
            throw new IOException(file + ": the IDX header is truncated after " + data.length + " bytes");
        }
        int value = readInt(data, offset);
        if (value < 0) {
            throw new IOException(file + ": dimension " + index + " is " + Integer.toUnsignedString(value)
                    + ", too large");
        }
        return value;
    }

    private static void checkLength(String file, byte[] data, int header, long expected, String what)
            throws IOException {
        long actual = data.length - header;
        if (actual < expected) {
            throw new IOException(file + ": truncated: the header promises " + what + " (" + expected
                    + " bytes of data) but only " + actual + " bytes follow");
        }
        if (actual > expected) {
            throw new IOException(file + ": " + (actual - expected) + " unexpected bytes after the " + what
                    + " the header promises (" + expected + " bytes of data)");
        }
    }

    private static int readInt(byte[] data, int offset) {
        return (data[offset] & 0xFF) << 24 | (data[offset + 1] & 0xFF) << 16 | (data[offset + 2] & 0xFF) << 8
                | data[offset + 3] & 0xFF;
    }
}
