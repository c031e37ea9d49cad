package io.jcnn.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcnn.cli.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Any bytes as an image file (PNG, JPEG, or another format Java decodes) for a network input (docs/fuzzing.md). */
class ImageLoaderFuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5s")
    void loadsOrRefusesAnyBytes(byte[] contents) throws IOException {
        Path file = Files.write(dir.resolve("input-image"), contents);
        Refusals.readOrRefuse(() -> {
            BufferedImage image = ImageLoader.read(file);
            assertEquals(28 * 28, ImageLoader.convert(image, 1, 28, 28).length);
            assertEquals(3 * 5 * 7, ImageLoader.convert(image, 3, 5, 7).length);
        }, file);
    }
}
