package io.jcnn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistTest {
    @TempDir
    Path dir;

    @Test
    void theBundledSampleHoldsEightThousandAndTwoThousandRealDigitsOfEveryClass() {
        DatasetSplit sample = Mnist.sample();
        assertEquals(8000, sample.train().size());
        assertEquals(2000, sample.test().size());
        for (Dataset d : new Dataset[]{sample.train(), sample.test()}) {
            assertEquals(1, d.channels());
            assertEquals(28, d.height());
            assertEquals(28, d.width());
            for (int count : d.classCounts()) {
                assertTrue(count > d.size() / 20, "every digit is well represented: " + count);
            }
            // Real digits are mostly black background with a bright stroke.
            assertTrue(d.pixelMean() > 0.08 && d.pixelMean() < 0.2, "mean " + d.pixelMean());
        }
    }

    @Test
    void loadsADirectoryOfRawOrGzippedFiles() throws IOException {
        IdxFiles.writeMnist(dir, 30, 12, true);
        DatasetSplit split = Mnist.load(dir);
        assertEquals(30, split.train().size());
        assertEquals(12, split.test().size());
        assertEquals(7, split.train().label(17));
        assertEquals((byte) (5 * 7 + 3), split.test().pixels()[5]);
        Path raw = Files.createDirectory(dir.resolve("raw"));
        IdxFiles.writeMnist(raw, 20, 10, false);
        assertEquals(20, Mnist.load(raw).train().size());
    }

    @Test
    void missingFilesAndMismatchedCountsAreNamed() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(missing.getMessage().contains("train-images-idx3-ubyte") && missing.getMessage().contains(
                "jcnn download"), missing.getMessage());
        IdxFiles.writeMnist(dir, 30, 12, true);
        IdxFiles.write(dir, Mnist.TRAIN_LABELS, IdxFiles.labels(IdxFiles.labelPattern(29)), true);
        IOException mismatch = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(mismatch.getMessage().contains("30 images") && mismatch.getMessage().contains("29 labels"),
                mismatch.getMessage());
        assertTrue(assertThrows(IOException.class, () -> Mnist.load(dir.resolve("absent"))).getMessage()
                .contains("does not exist"));
    }

    @Test
    void imagesOfAnotherSizeAreNotMnist() throws IOException {
        IdxFiles.writeMnist(dir, 4, 4, false);
        IdxFiles.write(dir, Mnist.TEST_IMAGES, IdxFiles.images(4, 32, 32, new byte[4 * 1024]), false);
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains("32×32") && e.getMessage().contains("28×28"), e.getMessage());
    }
}
