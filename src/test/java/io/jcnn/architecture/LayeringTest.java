package io.jcnn.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the architecture honest: layers, losses, optimizers, models and tools speak only to the Backend
 * interface, never to a particular backend.
 */
class LayeringTest {
    private static final Path SOURCES = Path.of("main/java/io/jcnn");

    private static List<String> filesImporting(String packageName, String forbidden) {
        Path dir = SOURCES.resolve(packageName);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> read(p).contains("import " + forbidden))
                    .map(Path::toString)
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void onlyBackendPackagesKnowConcreteBackends() {
        for (String pkg : List.of("nn", "loss", "optim", "model", "check", "init", "tensor")) {
            assertEquals(List.of(), filesImporting(pkg, "io.jcnn.backend.cpu"), pkg + " must not import the CPU backend");
            assertEquals(List.of(), filesImporting(pkg, "io.jcnn.backend.cuda"), pkg + " must not import the CUDA backend");
            assertEquals(List.of(), filesImporting(pkg, "jcuda"), pkg + " must not import JCuda");
        }
    }
}
