package io.jcnn.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * interface, never to a particular backend; and the command line's dependencies stay out of the library.
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

    /** Every source file outside the command line's package. */
    private static List<Path> librarySources() {
        Path cli = SOURCES.resolve("cli");
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java")).filter(p -> !p.startsWith(cli))
                    .sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * picocli, progressbar and XChart are optional dependencies that library users do not get, so only the command
     * line may use them; and the library never depends on the command line.
     */
    @Test
    void onlyTheCommandLineUsesItsDependencies() {
        List<Path> library = librarySources();
        assertTrue(library.size() > 50, "found only " + library.size() + " library sources under " + SOURCES);
        for (String forbidden : List.of("picocli", "me.tongfei", "org.knowm", "io.jcnn.cli")) {
            List<String> offenders = library.stream()
                    .filter(p -> read(p).contains("import " + forbidden) || read(p).contains("import static " + forbidden))
                    .map(Path::toString)
                    .collect(Collectors.toList());
            assertEquals(List.of(), offenders, "only io.jcnn.cli may import " + forbidden);
        }
    }

    @Test
    void onlyBackendPackagesKnowConcreteBackends() {
        for (String pkg : List.of("nn", "loss", "optim", "model", "check", "init", "tensor", "data", "explain")) {
            assertEquals(List.of(), filesImporting(pkg, "io.jcnn.backend.cpu"), pkg + " must not import the CPU backend");
            assertEquals(List.of(), filesImporting(pkg, "io.jcnn.backend.cuda"), pkg + " must not import the CUDA backend");
            assertEquals(List.of(), filesImporting(pkg, "jcuda"), pkg + " must not import JCuda");
        }
    }

    /**
     * A library does not print: what it has to say goes to {@code System.Logger} (which the application routes
     * where it likes) or into an exception. Only the command line writes to the console.
     */
    @Test
    void onlyTheCommandLinePrints() {
        List<String> offenders = librarySources().stream()
                .filter(p -> {
                    String text = read(p);
                    return text.contains("System.out") || text.contains("System.err") || text.contains("printStackTrace");
                })
                .map(Path::toString)
                .collect(Collectors.toList());
        assertEquals(List.of(), offenders, "library code must log through System.Logger, not print");
    }
}
