package io.jcnn.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcnn.data.Cifar10;
import io.jcnn.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any bytes as one to three CIFAR-10 batch files (docs/fuzzing.md): the first byte modulo 3, plus one, is the number
 * of files; the rest is cut into that many equal parts, the last taking the remainder.
 */
class Cifar10FuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5s")
    void readsOrRefusesAnyBatchFiles(byte[] input) throws IOException {
        int count = input.length == 0 ? 1 : 1 + Byte.toUnsignedInt(input[0]) % 3;
        int start = Math.min(1, input.length);
        int part = (input.length - start) / count;
        Path[] files = new Path[count];
        for (int f = 0; f < count; f++) {
            int end = f == count - 1 ? input.length : start + part;
            files[f] = Files.write(dir.resolve("batch_" + f + ".bin"), Arrays.copyOfRange(input, start, end));
            start = end;
        }
        Refusals.readOrRefuse(() -> {
            Dataset dataset = Cifar10.read("fuzzed CIFAR-10", files);
            assertEquals((long) dataset.size() * dataset.sampleSize(), dataset.pixels().length);
        }, files);
    }
}
