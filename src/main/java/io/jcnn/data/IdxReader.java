package io.jcnn.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files MNIST ships in: a big-endian header (two zero bytes, a type code, the number of dimensions,
 * then each dimension as a 32-bit count) followed by the data. Only unsigned-byte data (type 0x08) is accepted, as
 * MNIST uses. Files may be raw or gzip-compressed, recognised by the gzip magic bytes rather than the name. Every
 * inconsistency (wrong magic, wrong dimensions, data shorter or longer than the header says, labels out of range)
 * raises an {@link IOException} naming the file, what was found and what was expected.
 *
 * <p>The header is checked before any data is read: against {@link #MAX_DATA_BYTES}, and against the file's size
 * (for gzip, against the most its size can inflate to). Only then is the data read, into an array of exactly the
 * promised size, so a hostile header or a gzip bomb costs neither memory nor time.
 */
public final class IdxReader {
    /** Magic of an IDX file of unsigned bytes with three dimensions: images × rows × columns. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of an IDX file of unsigned bytes with one dimension: labels. */
    public static final int LABELS_MAGIC = 0x00000801;
    /**
     * The most data bytes one file may hold: the largest byte array a JVM allocates, since the data becomes one
     * array. Full MNIST's training images are 47,040,000 bytes.
     */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;
    /** DEFLATE's best ratio (zlib's technical details): no gzip file inflates to more than this times its size. */
    static final int MAX_DEFLATE_RATIO = 1032;
    /** How far unexpected gzip data after the promised data is counted for the message: a bomb is not inflated. */
    private static final int TRAILING_COUNT_LIMIT = 1 << 20;
    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;

    private IdxReader() {
    }

    /** Images from an IDX3 file: {@code count × rows × columns} bytes, with the dimensions. */
    public record Images(int count, int rows, int columns, byte[] pixels) {
    }

    /** Reads an images file. */
    public static Images readImages(Path file) throws IOException {
        try (Source source = Source.open(file)) {
            return images(source);
        }
    }

    /** Parses the bytes of an images file, raw or gzip; {@code file} names it in messages. */
    static Images parseImages(String file, byte[] contents) throws IOException {
        try (Source source = Source.of(file, contents)) {
            return images(source);
        }
    }

    /**
     * Reads a labels file whose values must lie in [0, classes).
     *
     * @throws IllegalArgumentException if {@code classes} is below 1
     */
    public static int[] readLabels(Path file, int classes) throws IOException {
        checkClasses(classes);
        try (Source source = Source.open(file)) {
            return labels(source, classes);
        }
    }

    /** Parses the bytes of a labels file, raw or gzip; {@code file} names it in messages. */
    static int[] parseLabels(String file, byte[] contents, int classes) throws IOException {
        checkClasses(classes);
        try (Source source = Source.of(file, contents)) {
            return labels(source, classes);
        }
    }

    private static Images images(Source source) throws IOException {
        String file = source.name;
        byte[] header = source.header(IMAGES_HEADER, IMAGES_MAGIC, "IDX images (unsigned bytes, 3 dimensions)");
        int count = dimension(file, header, 0);
        int rows = dimension(file, header, 1);
        int columns = dimension(file, header, 2);
        if (rows == 0 || columns == 0) {
            throw new IOException(file + ": images of " + rows + "×" + columns + " pixels, expected a positive size");
        }
        String what = count + " images of " + rows + "×" + columns;
        byte[] pixels = source.data(dataBytes(file, what, count, (long) rows * columns), what);
        return new Images(count, rows, columns, pixels);
    }

    private static int[] labels(Source source, int classes) throws IOException {
        String file = source.name;
        byte[] header = source.header(LABELS_HEADER, LABELS_MAGIC, "IDX labels (unsigned bytes, 1 dimension)");
        int count = dimension(file, header, 0);
        String what = count + " labels";
        byte[] data = source.data(dataBytes(file, what, count, 1), what);
        int[] labels;
        try {
            labels = new int[count];
        } catch (OutOfMemoryError e) {
            throw outOfHeap(file, 4L * count);
        }
        for (int i = 0; i < count; i++) {
            int label = data[i] & 0xFF;
            if (label >= classes) {
                throw new IOException(file + ": label " + i + " is " + label + ", expected 0.." + (classes - 1));
            }
            labels[i] = label;
        }
        return labels;
    }

    private static void checkClasses(int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        }
    }

    /** {@code count × perItem} bytes, refused when above {@link #MAX_DATA_BYTES}; never overflows. */
    private static long dataBytes(String file, String what, int count, long perItem) throws IOException {
        if (perItem > 0 && count > MAX_DATA_BYTES / perItem) {
            throw new IOException(file + ": the header promises " + what + ", more than the " + MAX_DATA_BYTES
                    + " bytes of data an IDX file may hold");
        }
        return count * perItem;
    }

    /** {@code gzip}: the header was inflated, so a wrong magic may be damaged gzip data, which the message says. */
    private static void checkMagic(String file, byte[] header, int magic, String what, boolean gzip)
            throws IOException {
        if (header.length < 4) {
            throw new IOException(file + ": " + header.length + " bytes is too short for an IDX header; expected "
                    + what);
        }
        int found = readInt(header, 0);
        if (found != magic) {
            throw new IOException(String.format("%s: magic number 0x%08x%s, expected 0x%08x (%s)", file, found,
                    gzip ? " in its gzip data" : "", magic, what));
        }
    }

    private static int dimension(String file, byte[] header, int index) throws IOException {
        int offset = 4 + 4 * index;
        if (header.length < offset + 4) {
            throw new IOException(file + ": the IDX header is truncated after " + header.length + " bytes");
        }
        int value = readInt(header, offset);
        if (value < 0) {
            throw new IOException(file + ": dimension " + index + " is " + Integer.toUnsignedString(value)
                    + ", too large");
        }
        return value;
    }

    private static int readInt(byte[] data, int offset) {
        return (data[offset] & 0xFF) << 24 | (data[offset + 1] & 0xFF) << 16 | (data[offset + 2] & 0xFF) << 8
                | data[offset + 3] & 0xFF;
    }

    private static IOException outOfHeap(String file, long bytes) {
        return new IOException(file + ": its " + bytes + " bytes of data do not fit in the Java heap (see -Xmx)");
    }

    /** An IDX file's bytes after the gzip layer, with the size the file on disk allows them. */
    private static final class Source implements Closeable {
        final String name;
        private final InputStream in;
        private final boolean gzip;
        /** Bytes on disk: exactly the IDX bytes when raw, the compressed bytes when gzip. */
        private final long size;
        private int headerLength;

        private Source(String name, InputStream in, boolean gzip, long size) {
            this.name = name;
            this.in = in;
            this.gzip = gzip;
            this.size = size;
        }

        static Source open(Path file) throws IOException {
            if (Files.isDirectory(file)) {
                throw new IOException(file + " is a directory, expected an IDX file (raw or gzip)");
            }
            long size = Files.size(file);
            return of(file.toString(), new BufferedInputStream(Files.newInputStream(file), 1 << 16), size);
        }

        static Source of(String name, byte[] contents) throws IOException {
            return of(name, new ByteArrayInputStream(contents), contents.length);
        }

        /** {@code raw} is read through gzip when it starts with the gzip magic bytes 1f 8b. */
        private static Source of(String name, InputStream raw, long size) throws IOException {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) {
                return new Source(name, raw, false, size);
            }
            try {
                return new Source(name, new GZIPInputStream(raw, 1 << 16), true, size);
            } catch (IOException e) {
                raw.close();
                throw gzipFailure(name, e);
            }
        }

        /** The header's {@code length} bytes, or fewer when the file ends first, with its magic checked. */
        byte[] header(int length, int magic, String what) throws IOException {
            byte[] header = new byte[length];
            headerLength = read(header, length);
            header = Arrays.copyOf(header, headerLength);
            checkMagic(name, header, magic, what, gzip);
            return header;
        }

        /** Exactly {@code bytes} bytes of data, and the end of the file after them; checked before reading. */
        byte[] data(long bytes, String what) throws IOException {
            if (!gzip) {
                long available = size - headerLength;
                if (available < bytes) {
                    throw truncated(what, bytes, "only " + available + " bytes follow");
                }
                if (available > bytes) {
                    throw unexpected(String.valueOf(available - bytes), what, bytes);
                }
            } else if (bytes > size * MAX_DEFLATE_RATIO) {
                throw truncated(what, bytes, size + " bytes of gzip inflate to at most " + size * MAX_DEFLATE_RATIO
                        + " bytes");
            }
            byte[] data;
            try {
                data = new byte[(int) bytes];
            } catch (OutOfMemoryError e) {
                throw outOfHeap(name, bytes);
            }
            int read = read(data, data.length);
            if (read < bytes) {
                throw truncated(what, bytes, "only " + read + " bytes follow");
            }
            long trailing = trailingBytes();
            if (trailing > TRAILING_COUNT_LIMIT) {
                throw unexpected("more than " + TRAILING_COUNT_LIMIT, what, bytes);
            }
            if (trailing > 0) {
                throw unexpected(String.valueOf(trailing), what, bytes);
            }
            return data;
        }

        /** The bytes left, counted up to just past {@link #TRAILING_COUNT_LIMIT}. */
        private long trailingBytes() throws IOException {
            byte[] buffer = new byte[8192];
            long count = 0;
            int read;
            while (count <= TRAILING_COUNT_LIMIT && (read = read(buffer, buffer.length)) > 0) {
                count += read;
            }
            return count;
        }

        /** Up to {@code length} bytes, fewer only at the end of the data. */
        private int read(byte[] buffer, int length) throws IOException {
            try {
                return in.readNBytes(buffer, 0, length);
            } catch (EOFException | ZipException e) {
                throw gzipFailure(name, e);
            }
        }

        private IOException truncated(String what, long bytes, String found) {
            return new IOException(name + ": truncated: the header promises " + what + " (" + bytes
                    + " bytes of data) but " + found);
        }

        private IOException unexpected(String count, String what, long bytes) {
            return new IOException(name + ": " + count + " unexpected bytes after the " + what
                    + " the header promises (" + bytes + " bytes of data)");
        }

        private static IOException gzipFailure(String name, IOException e) {
            if (e instanceof EOFException) {
                return new IOException(name + ": the gzip data is truncated (unexpected end of file)", e);
            }
            return new IOException(name + ": the gzip data is corrupted (" + e.getMessage() + ")", e);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
