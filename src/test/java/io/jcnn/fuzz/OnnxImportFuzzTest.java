package io.jcnn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.Sequential;
import io.jcnn.onnx.OnnxImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any bytes as an ONNX file (docs/fuzzing.md): importing it must give a model or fail with an IOException naming the
 * file or a one-line IllegalArgumentException (an op, shape or value import does not read). The committed inputs
 * are small models exported by jcnn: convolution, batch norm, ReLU, pooling, LRN, dropout and dense layers.
 */
class OnnxImportFuzzTest {
    @TempDir
    static Path dir;
    private static CpuBackend cpu;

    @BeforeAll
    static void backend() {
        cpu = new CpuBackend(1);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    @FuzzTest(maxDuration = "5s")
    void readsOrRefusesAnyModel(byte[] input) throws IOException {
        Path file = Files.write(dir.resolve("input.onnx"), input);
        Refusals.readOrRefuse(() -> {
            try (Sequential model = OnnxImport.read(file, cpu)) {
                model.outputShape();
            } catch (IllegalArgumentException e) {
                if (e.getMessage() == null || e.getMessage().lines().count() != 1) {
                    throw new AssertionError("a refusal must be one line: " + e, e);
                }
            }
        }, file);
    }
}
