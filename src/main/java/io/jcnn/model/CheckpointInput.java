package io.jcnn.model;

import io.jcnn.model.Checkpoint.Header;
import io.jcnn.tensor.Shape;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static io.jcnn.model.Checkpoint.FIRST_VERSION;
import static io.jcnn.model.Checkpoint.MAGIC;
import static io.jcnn.model.Checkpoint.VERSION;

/** Reads a whole checkpoint into memory, verifying magic, version and checksum before anything else. */
final class CheckpointInput {
    private final Path file;
    private final ByteBuffer in;
    private final int version;

    CheckpointInput(Path file) throws IOException {
        this.file = file;
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "checkpoint not found");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, expected a jcnn checkpoint file");
        }
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("checkpoint " + file + " is " + size + " bytes; jcnn reads checkpoints of up to"
                    + " 2 GiB");
        }
        byte[] data = Files.readAllBytes(file);
        if (data.length < MAGIC.length || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(file + " is not a jcnn checkpoint (it does not start with "
                    + new String(MAGIC, StandardCharsets.US_ASCII) + ")");
        }
        if (data.length < MAGIC.length + 8) {
            throw new IOException("checkpoint " + file + " is truncated: " + data.length + " bytes");
        }
        in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        in.position(MAGIC.length);
        version = in.getInt();
        if (version < FIRST_VERSION || version > VERSION) {
            throw new IOException("checkpoint " + file + " has format version " + version + "; this jcnn reads"
                    + " versions " + FIRST_VERSION + " to " + VERSION);
        }
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length - 4);
        int stored = ByteBuffer.wrap(data, data.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IOException("checkpoint " + file + " is corrupted: checksum mismatch (truncated or damaged"
                    + " file)");
        }
        in.limit(data.length - 4);
    }

    Header header() throws IOException {
        try {
            String name = string();
            int[] sample = dims("sample shape");
            // Version 1 named a zoo model only.
            List<LayerSpec> architecture = version >= 2 ? architecture() : List.of();
            Map<String, String> metadata = new LinkedHashMap<>();
            int entries = count("metadata entries");
            for (int i = 0; i < entries; i++) {
                metadata.put(string(), string());
            }
            TrainingState state = null;
            if (int8() == 1) {
                need(24, "the training state");
                state = new TrainingState(in.getLong(), in.getInt(), in.getInt(), in.getInt(), in.getFloat());
            }
            int mark = in.position();
            long parameters = 0;
            int paramCount = count("parameters");
            for (int i = 0; i < paramCount; i++) {
                parameters += skipTensor();
            }
            int bufferCount = count("buffers");
            for (int i = 0; i < bufferCount; i++) {
                skipTensor();
            }
            String optimizerKind = int8() == 1 ? string() : null;
            in.position(mark);
            return new Header(name, Shape.of(sample), metadata, state, optimizerKind, parameters, architecture);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IOException("checkpoint " + file + " is malformed: " + e.getMessage(), e);
        }
    }

    private List<LayerSpec> architecture() throws IOException {
        int layers = count("layers");
        List<LayerSpec> specs = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) {
            String kind = string();
            String layer = string();
            int entries = count("layer settings");
            Map<String, String> settings = new LinkedHashMap<>();
            for (int j = 0; j < entries; j++) {
                String key = string();
                if (settings.put(key, string()) != null) {
                    throw new IOException("checkpoint " + file + " is malformed: layer '" + layer + "' has setting '"
                            + key + "' twice");
                }
            }
            specs.add(new LayerSpec(kind, layer, settings));
        }
        return specs;
    }

    /** Fails unless {@code bytes} more bytes are left before the checksum. */
    private void need(long bytes, String what) throws IOException {
        if (bytes > in.remaining()) {
            throw new IOException("checkpoint " + file + " is malformed: " + what + " runs past the end");
        }
    }

    /** Fails unless every byte before the checksum was read. */
    void end() throws IOException {
        if (in.hasRemaining()) {
            throw new IOException("checkpoint " + file + " is malformed: " + in.remaining()
                    + " unexpected bytes after the optimizer state");
        }
    }

    int int8() throws IOException {
        need(1, "a flag");
        return in.get();
    }

    int int32() throws IOException {
        need(4, "a number");
        return in.getInt();
    }

    float float32() throws IOException {
        need(4, "a number");
        return in.getFloat();
    }

    int count(String what) throws IOException {
        need(4, what);
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IOException("checkpoint " + file + " is malformed: " + n + " " + what);
        }
        return n;
    }

    String string() throws IOException {
        int n = count("string bytes");
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    int[] dims(String what) throws IOException {
        int rank = int32();
        if (rank < 1 || rank > Checkpoint.MAX_RANK) {
            throw new IOException("checkpoint " + file + " is malformed: " + what + " of rank " + rank);
        }
        int[] dims = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = int32();
            size *= Math.max(dims[i], 0);
            if (dims[i] < 1 || size > Integer.MAX_VALUE) {
                throw new IOException("checkpoint " + file + " is malformed: " + what + " has dimensions "
                        + Arrays.toString(Arrays.copyOf(dims, i + 1)) + (i + 1 < rank ? "..." : "")
                        + "; expected positive sizes of at most 2^31-1 elements");
            }
        }
        return dims;
    }

    /** Reads a tensor that must be called {@code name} and have {@code shape}. */
    float[] tensor(String name, Shape shape) throws IOException {
        String stored = string();
        Shape storedShape = Shape.of(dims("tensor " + stored));
        if (!stored.equals(name) || !storedShape.equals(shape)) {
            throw new IllegalArgumentException("checkpoint " + file + " holds " + stored + " " + storedShape
                    + " where the model has " + name + " " + shape + "; it was saved from another model");
        }
        need(4L * shape.size(), "tensor " + stored);
        float[] values = new float[shape.size()];
        in.asFloatBuffer().get(values);
        in.position(in.position() + 4 * values.length);
        return values;
    }

    private long skipTensor() throws IOException {
        string();
        long size = 1;
        for (int d : dims("tensor")) {
            size *= d;
        }
        if (size * 4 > in.remaining()) {
            throw new IOException("checkpoint " + file + " is malformed: a tensor runs past the end");
        }
        in.position(in.position() + (int) (4 * size));
        return size;
    }
}
