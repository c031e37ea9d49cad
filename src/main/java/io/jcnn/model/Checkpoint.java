package io.jcnn.model;

import io.jcnn.nn.Param;
import io.jcnn.optim.Optimizer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A model's parameters, and optionally its optimizer's state and where training stands, in one file that loads on
 * any backend. Values are stored as host float32 data, so a checkpoint saved from a GPU loads on the CPU and back.
 *
 * <h2>Format, version 2</h2>
 * All numbers little-endian; a string is an int32 byte count then UTF-8 bytes; a tensor is a string name, an int32
 * rank, rank int32 dimensions, then its float32 values in row-major order.
 * <pre>
 * magic          8 bytes "JCNNCKPT"
 * version        int32 (2)
 * model name     string
 * sample shape   int32 rank, then the dimensions of one input sample (C, H, W)
 * architecture   int32 layer count (0: not described), then per layer its kind string ("Conv2d"), name string,
 *                int32 count and count (key string, value string) settings, sorted by key ({@link Architecture})
 * metadata       int32 count, then count (key string, value string) pairs, e.g. the input normalisation
 * training state byte 0 (absent) or 1, then int64 seed, int32 epoch, int32 batch in epoch, int32 step,
 *                float32 learning rate
 * parameters     int32 count, then count tensors, in the model's parameter order ("conv1.weight", ...)
 * buffers        int32 count, then count tensors named "buffer0", ... (such as batch-norm running statistics)
 * optimizer      byte 0 (absent) or 1, then kind string ("Sgd", "Adam"), int32 steps, float32 learning rate,
 *                int32 count, then count state tensors in the optimizer's order
 * checksum       int32 CRC32C of every byte before it
 * </pre>
 * Version 1 is the same without the architecture; it is still read.
 *
 * <p>Saving writes a temporary file in the target's directory, forces it to disk and renames it over the target in
 * one atomic step, so a crash or a full disk mid-save leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    /** The first eight bytes of every checkpoint. */
    public static final byte[] MAGIC = "JCNNCKPT".getBytes(StandardCharsets.US_ASCII);
    /** The format version this code writes; it reads every version from {@link #FIRST_VERSION} on. */
    public static final int VERSION = 2;
    /** The oldest format version read: version 1 names a zoo model but holds no architecture. */
    public static final int FIRST_VERSION = 1;
    /** A Shape has 1 to 4 dimensions. */
    static final int MAX_RANK = 4;
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
     * @param architecture  the model's layers, which rebuild it without the zoo; empty when the checkpoint does not
     *                      describe them (format version 1, or a model with layers of the caller's own)
     */
    public record Header(String modelName, Shape sampleShape, Map<String, String> metadata, TrainingState state,
                         String optimizerKind, long parameters, List<LayerSpec> architecture) {
        /**
         * Copies the metadata and the architecture.
         *
         * @throws NullPointerException if {@code metadata} or one of its keys or values is null, or
         *     {@code architecture} is null or holds a null
         */
        public Header {
            metadata = Map.copyOf(metadata);
            architecture = List.copyOf(architecture);
        }

        /** Whether the checkpoint describes its layers, so that {@link Architecture#build} rebuilds the model. */
        public boolean hasArchitecture() {
            return !architecture.isEmpty();
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
                CheckpointOutput out = new CheckpointOutput(channel);
                out.bytes(MAGIC);
                out.int32(VERSION);
                out.string(model.name());
                Shape input = model.inputShape();
                if (input == null) {
                    throw new IllegalStateException("cannot save model '" + model.name() + "': it is not compiled");
                }
                int[] sample = Arrays.copyOfRange(input.dims(), 1, input.rank());
                out.dims(sample);
                out.architecture(Architecture.describe(model).orElse(List.of()));
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

    /**
     * A new, uncompiled model of the kind {@code header} describes: rebuilt from its architecture where it holds one,
     * otherwise the zoo model it names. {@link #load} then fills in the parameters.
     *
     * @throws IllegalArgumentException if the architecture cannot be rebuilt, or there is none and the name is not
     *     in the zoo
     */
    public static Sequential newModel(Header header) {
        if (header.hasArchitecture()) {
            return Architecture.build(header.modelName(), header.architecture());
        }
        if (!Models.names().contains(header.modelName())) {
            throw new IllegalArgumentException("it holds model '" + header.modelName() + "', which is not in the zoo ("
                    + String.join(", ", Models.names()) + "), and does not describe its layers");
        }
        return Models.byName(header.modelName());
    }

    /** Reads and verifies {@code file}'s header. */
    public static Header readHeader(Path file) throws IOException {
        return new CheckpointInput(file).header();
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
        CheckpointInput in = new CheckpointInput(file);
        Header header = in.header();
        if (!header.modelName().equals(model.name())) {
            throw new IllegalArgumentException("checkpoint " + file + " holds model '" + header.modelName()
                    + "' but the model is '" + model.name() + "'");
        }
        checkLayers(file, header, model);
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

    /**
     * Refuses a model whose layers differ from those the checkpoint describes, even where the parameters' shapes
     * agree (another stride, say), which would otherwise load and compute something else.
     */
    private static void checkLayers(Path file, Header header, Sequential model) {
        if (!header.hasArchitecture()) {
            return;
        }
        List<LayerSpec> saved = header.architecture();
        List<LayerSpec> now = Architecture.describe(model).orElse(null);
        if (now == null) {
            return;
        }
        for (int i = 0; i < Math.max(saved.size(), now.size()); i++) {
            LayerSpec a = i < saved.size() ? saved.get(i) : null;
            LayerSpec b = i < now.size() ? now.get(i) : null;
            if (a == null || !a.equals(b)) {
                throw new IllegalArgumentException("checkpoint " + file + " holds a model whose layer " + (i + 1)
                        + " is " + Architecture.summary(a) + " but the model's is " + Architecture.summary(b));
            }
        }
    }
}
