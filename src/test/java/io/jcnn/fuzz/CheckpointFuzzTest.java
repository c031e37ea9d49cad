package io.jcnn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.RunHistory;
import io.jcnn.model.Sequential;
import io.jcnn.nn.BatchNorm2d;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Linear;
import io.jcnn.nn.ReLU;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any checkpoint body, framed by the magic, the current version and a checksum computed over it, so that the fuzzer
 * reaches past the checksum into the reader itself (docs/fuzzing.md): reading its header and rebuilding the model its
 * architecture describes (not compiled: sizes the file makes up would only measure the heap), and loading it into a
 * small model with and without an optimizer, must succeed or fail with an IOException or IllegalArgumentException
 * naming the file. The committed inputs are the bodies of real checkpoints of that model (SGD with state, Adam,
 * weights only).
 */
class CheckpointFuzzTest {
    @TempDir
    static Path dir;
    private static CpuBackend cpu;
    private static Sequential model;
    private static Sgd sgd;

    @BeforeAll
    static void model() {
        cpu = new CpuBackend(1);
        model = new Sequential("fuzz", new Conv2d("conv", 2, 3, ConvSpec.of(1, 1)), new BatchNorm2d("bn"),
                new ReLU("relu"), new Linear("fc", 3));
        model.compile(cpu, Shape.of(2, 1, 4, 4), 3);
        sgd = new Sgd(0.1f).withMomentum(0.9f);
        sgd.compile(cpu, model.params());
    }

    @AfterAll
    static void close() {
        sgd.close();
        model.close();
        cpu.close();
    }

    @FuzzTest(maxDuration = "5s")
    void readsOrRefusesAnyCheckpoint(byte[] body) throws IOException {
        Path file = Files.write(dir.resolve("input.jcnn"), framed(body));
        Refusals.readOrRefuse(() -> refusingArguments(file, () -> {
            Checkpoint.Header header = Checkpoint.readHeader(file);
            RunHistory.fromMetadata(header.metadata(), file.toString());
            if (header.hasArchitecture()) {
                try {
                    Checkpoint.newModel(header).close();
                } catch (IllegalArgumentException e) {
                    // The header, not the file, is what newModel reads; the commands add the file's name.
                    throw new IOException(file + ": " + e.getMessage(), e);
                }
            }
        }), file);
        Refusals.readOrRefuse(() -> refusingArguments(file, () -> Checkpoint.load(file, model, sgd)), file);
        Refusals.readOrRefuse(() -> refusingArguments(file, () -> Checkpoint.load(file, model, null)), file);
    }

    /** An IllegalArgumentException (a checkpoint of another model, a malformed history) is a refusal too. */
    private static void refusingArguments(Path file, Refusals.Read read) throws IOException {
        try {
            read.run();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** MAGIC, the current version, the body, then the CRC32C of all of it: a checkpoint whose checksum always matches. */
    static byte[] framed(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Checkpoint.MAGIC);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Checkpoint.VERSION).array());
        out.writeBytes(body);
        CRC32C crc = new CRC32C();
        crc.update(out.toByteArray());
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}
