package io.jcnn.model;

import io.jcnn.nn.Param;
import io.jcnn.optim.Optimizer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A model's parameters, and optionally its optimizer's state and where training stands, in one file that loads on
 * any backend. Values are stored as host float32 data, so a checkpoint saved from a GPU loads on the CPU and back.
 *
 * <h2>Format, version 1</h2>
 * All numbers little-endian; a string is an int32 byte count then UTF-8 bytes; a tensor is a string name, an int32
 * rank, rank int32 dimensions, then its float32 values in row-major order.
 * <pre>
 * magic          8 bytes "JCNNCKPT"
 * version        int32 (1)
 * model name     string
 * sample shape   int32 rank, then the dimensions of one input sample (C, H, W)
 * metadata       int32 count, then count (key string, value string) pairs, e.g. the input normalisation
 * training state byte 0 (absent) or 1, then int64 seed, int32 epoch, int32 batch in epoch, int32 step,
 *                float32 learning rate
 * parameters     int32 count, then count tensors, in the model's parameter order ("conv1.weight", ...)
 * buffers        int32 count, then count tensors named "buffer0", ... (such as batch-norm running statistics)
 * optimizer      byte 0 (absent) or 1, then kind string ("Sgd", "Adam"), int32 steps, float32 learning rate,
 *                int32 count, then count state tensors in the optimizer's order
 * checksum       int32 CRC32C of every byte before it
 * </pre>
 * Saving writes a temporary file in the target's directory, forces it to disk and renames it over the target in
 * one atomic step, so a crash or a full disk mid-save leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    /** The first eight bytes of every checkpoint. */
    public static final byte[] MAGIC = "JCNNCKPT".getBytes(StandardCharsets.US_ASCII);
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;
    /** A Shape has 1 to 4 dimensions. */
    private static final int MAX_RANK = 4;
    private static final System.Logger LOG = System.getLogger(Checkpoint.class.getName());

    private Checkpoint() {
    }

    /**
     * What a checkpoint says about itself, readable without building the model.
     *
     * @param modelName     the zoo name of the model that was saved
     * @param sampleShape   the shape of one input sample, such as 1×28×28
     * @param metadata      free-form key/value pairs the trainer recorded (such as the input normalisation)
     * @param state         where training stood, or null for a checkpoint of parameters only
     * @param optimizerKind the optimizer's class name ("Sgd", "Adam"), or null when none was saved
     * @param parameters    number of trainable scalars
     */
    public record Header(String modelName, Shape sampleShape, Map<String, String> metadata, TrainingState state,
                         String optimizerKind, long parameters) {
        /**
         * Copies the metadata.
         *
         * @throws NullPointerException if {@code metadata} or one of its keys or values is null
         */
        public Header {
            metadata = Map.copyOf(metadata);
        }
    }

    /**
     * Saves {@code model} (compiled), and {@code optimizer} and {@code state} when not null, to {@code file}
     * atomically.
     */
    public static void save(Path file, Sequential model, Optimizer optimizer, TrainingState state,
                            Map<String, String> metadata) throws IOException {
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("checkpoint metadata needs a key and a value in every entry, got "
                        + e.getKey() + " = " + e.getValue());
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException("cannot save checkpoint " + file + ": directory " + dir + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new IOException("cannot save checkpoint " + file + ": it is a directory");
        }
        Path temporary;
        try {
            temporary = Files.createTempFile(dir, temporaryPrefix(file), TEMPORARY_SUFFIX);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot save checkpoint " + file + ": directory " + dir + " is not writable", e);
        } catch (IOException e) {
            throw new IOException("cannot save checkpoint " + file + ": " + reason(e), e);
        }
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                Writer out = new Writer(channel);
                out.bytes(MAGIC);
                out.int32(VERSION);
                out.string(model.name());
                Shape input = model.inputShape();
                if (input == null) {
                    throw new IllegalStateException("cannot save model '" + model.name() + "': it is not compiled");
                }
                int[] sample = Arrays.copyOfRange(input.dims(), 1, input.rank());
                out.dims(sample);
                Map<String, String> sorted = new java.util.TreeMap<>(metadata);
                out.int32(sorted.size());
                for (Map.Entry<String, String> e : sorted.entrySet()) {
                    out.string(e.getKey());
                    out.string(e.getValue());
                }
                if (state == null) {
                    out.int8(0);
                } else {
                    out.int8(1);
                    out.int64(state.seed());
                    out.int32(state.epoch());
                    out.int32(state.batchInEpoch());
                    out.int32(state.step());
                    out.float32(state.learningRate());
                }
                List<Param> params = model.params();
                out.int32(params.size());
                for (Param p : params) {
                    out.tensor(p.name(), p.value());
                }
                List<Tensor> buffers = model.buffers();
                out.int32(buffers.size());
                for (int i = 0; i < buffers.size(); i++) {
                    out.tensor("buffer" + i, buffers.get(i));
                }
                if (optimizer == null) {
                    out.int8(0);
                } else {
                    out.int8(1);
                    out.string(optimizer.getClass().getSimpleName());
                    out.int32(optimizer.steps());
                    out.float32(optimizer.learningRate());
                    List<Tensor> optimizerState = optimizer.state();
                    out.int32(optimizerState.size());
                    for (int i = 0; i < optimizerState.size(); i++) {
                        out.tensor("state" + i, optimizerState.get(i));
                    }
                }
                out.finish();
                channel.force(true);
            }
            // Only now: a read-only mode copied from the old file must not stop the temporary being written.
            keepPermissions(temporary, file);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(dir);
            LOG.log(System.Logger.Level.DEBUG, () -> "saved checkpoint " + file + " of model " + model.name()
                    + (state != null ? " at epoch " + state.epochsCompleted() : ""));
        } catch (IOException e) {
            throw new IOException("cannot save checkpoint " + file + ": " + reason(e), e);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Why a file operation failed, without the temporary file's name the user never asked for. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static final String TEMPORARY_SUFFIX = ".tmp";

    private static String temporaryPrefix(Path file) {
        return "." + file.getFileName();
    }

    /**
     * Deletes the temporary files that saves of {@code file} left behind when the process was killed mid-save
     * (each is as large as the checkpoint); returns how many. Call it before a run starts saving: a save in progress
     * in another process would lose its temporary file.
     */
    public static int removeStaleTemporaries(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        String prefix = temporaryPrefix(file);
        int removed = 0;
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(TEMPORARY_SUFFIX) && name.length() > prefix.length()
                        + TEMPORARY_SUFFIX.length() && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** A temporary file is private; the checkpoint gets the old file's permissions, or the usual rw-r--r--. */
    private static void keepPermissions(Path temporary, Path target) throws IOException {
        if (!Files.getFileStore(temporary).supportsFileAttributeView("posix")) {
            return;
        }
        Files.setPosixFilePermissions(temporary, Files.exists(target) ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Makes the rename itself durable where the platform lets a directory be forced. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The file's data is on disk already; only the rename's durability is left to the file system.
        }
    }

    /** Reads and verifies {@code file}'s header. */
    public static Header readHeader(Path file) throws IOException {
        return new Reader(file).header();
    }

    /**
     * Loads {@code file} into {@code model}, compiled on any backend, and into {@code optimizer} (compiled for the
     * model's parameters) unless it is null. Nothing is changed unless the whole file is valid and fits.
     *
     * @return the checkpoint's header, whose {@code state} is where a resumed run continues
     */
    public static Header load(Path file, Sequential model, Optimizer optimizer) throws IOException {
        try {
            return read(file, model, optimizer);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IOException("checkpoint " + file + " is malformed: it ends inside a record", e);
        }
    }

    private static Header read(Path file, Sequential model, Optimizer optimizer) throws IOException {
        Reader in = new Reader(file);
        Header header = in.header();
        if (!header.modelName().equals(model.name())) {
            throw new IllegalArgumentException("checkpoint " + file + " holds model '" + header.modelName()
                    + "' but the model is '" + model.name() + "'");
        }
        List<Param> params = model.params();
        int paramCount = in.count("parameters");
        if (paramCount != params.size()) {
            throw new IllegalArgumentException("checkpoint " + file + " holds " + paramCount + " parameter tensors but"
                    + " model '" + model.name() + "' has " + params.size());
        }
        List<float[]> values = new ArrayList<>();
        for (Param p : params) {
            values.add(in.tensor(p.name(), p.value().shape()));
        }
        List<Tensor> buffers = model.buffers();
        int bufferCount = in.count("buffers");
        if (bufferCount != buffers.size()) {
            throw new IllegalArgumentException("checkpoint " + file + " holds " + bufferCount + " buffers but model '"
                    + model.name() + "' has " + buffers.size());
        }
        for (int i = 0; i < buffers.size(); i++) {
            values.add(in.tensor("buffer" + i, buffers.get(i).shape()));
        }
        boolean hasOptimizer = in.int8() == 1;
        if (optimizer != null) {
            if (!hasOptimizer) {
                throw new IllegalArgumentException("checkpoint " + file + " has no optimizer state to resume from;"
                        + " it holds parameters only");
            }
            String kind = in.string();
            String expected = optimizer.getClass().getSimpleName();
            if (!kind.equals(expected)) {
                throw new IllegalArgumentException("checkpoint " + file + " was trained with " + kind + " but the"
                        + " optimizer is " + expected);
            }
            int steps = in.int32();
            float rate = in.float32();
            if (steps < 0 || !Float.isFinite(rate) || rate < 0) {
                throw new IOException("checkpoint " + file + " is malformed: optimizer at step " + steps
                        + " with learning rate " + rate + "; expected a step >= 0 and a finite rate >= 0");
            }
            List<Tensor> state = optimizer.state();
            int stateCount = in.count("optimizer state tensors");
            if (stateCount != state.size()) {
                throw new IllegalArgumentException("checkpoint " + file + " holds " + stateCount + " optimizer state"
                        + " tensors but the " + expected + " optimizer has " + state.size());
            }
            List<float[]> stateValues = new ArrayList<>();
            for (int i = 0; i < state.size(); i++) {
                stateValues.add(in.tensor("state" + i, state.get(i).shape()));
            }
            in.end();
            // Everything is read and matched: only now is anything changed.
            for (int i = 0; i < state.size(); i++) {
                state.get(i).copyFrom(stateValues.get(i));
            }
            optimizer.restoreSteps(steps);
            optimizer.setLearningRate(rate);
        } else if (!hasOptimizer) {
            in.end();
        }
        for (int i = 0; i < params.size(); i++) {
            params.get(i).value().copyFrom(values.get(i));
        }
        for (int i = 0; i < buffers.size(); i++) {
            buffers.get(i).copyFrom(values.get(params.size() + i));
        }
        return header;
    }

    /** Buffers the output, keeping a running CRC32C, and appends it as the trailer. */
    private static final class Writer {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();

        Writer(FileChannel channel) {
            this.channel = channel;
        }

        void bytes(byte[] b) throws IOException {
            room(b.length);
            buffer.put(b);
        }

        void int8(int v) throws IOException {
            room(1);
            buffer.put((byte) v);
        }

        void int32(int v) throws IOException {
            room(4);
            buffer.putInt(v);
        }

        void int64(long v) throws IOException {
            room(8);
            buffer.putLong(v);
        }

        void float32(float v) throws IOException {
            room(4);
            buffer.putFloat(v);
        }

        void string(String s) throws IOException {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            int32(utf8.length);
            for (int i = 0; i < utf8.length; i += buffer.capacity()) {
                int n = Math.min(buffer.capacity(), utf8.length - i);
                room(n);
                buffer.put(utf8, i, n);
            }
        }

        void dims(int[] dims) throws IOException {
            int32(dims.length);
            for (int d : dims) {
                int32(d);
            }
        }

        void tensor(String name, Tensor t) throws IOException {
            string(name);
            dims(t.shape().dims());
            for (float v : t.toArray()) {
                float32(v);
            }
        }

        void finish() throws IOException {
            flush();
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            trailer.putInt((int) crc.getValue()).flip();
            while (trailer.hasRemaining()) {
                channel.write(trailer);
            }
        }

        private void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        private void flush() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }
    }

    /** Reads a whole checkpoint into memory, verifying magic, version and checksum before anything else. */
    private static final class Reader {
        private final Path file;
        private final ByteBuffer in;

        Reader(Path file) throws IOException {
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
            int version = in.getInt();
            if (version != VERSION) {
                throw new IOException("checkpoint " + file + " has format version " + version + "; this jcnn reads"
                        + " version " + VERSION);
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
                return new Header(name, Shape.of(sample), metadata, state, optimizerKind, parameters);
            } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
                throw new IOException("checkpoint " + file + " is malformed: " + e.getMessage(), e);
            }
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
            if (rank < 1 || rank > MAX_RANK) {
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
}
