package io.jcnn.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcnn.data.IdxReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Any bytes, raw or gzip, as an IDX images file and as an IDX labels file (docs/fuzzing.md). */
class IdxReaderFuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5s")
    void readsOrRefusesAnyBytes(byte[] contents) throws IOException {
        Path file = Files.write(dir.resolve("input-idx"), contents);
        Refusals.readOrRefuse(() -> {
            IdxReader.Images images = IdxReader.readImages(file);
            long rows = Math.multiplyExact((long) images.count(), images.rows());
            assertEquals(Math.multiplyExact(rows, images.columns()), images.pixels().length);
        }, file);
        Refusals.readOrRefuse(() -> IdxReader.readLabels(file, 10), file);
    }
}
