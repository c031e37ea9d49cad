package io.jcnn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library jar works as the Java module {@code io.jcnn}: a modular program that {@code requires io.jcnn}
 * compiles and runs a backend op with the library and JCuda's jars on the module path, and nothing else (the
 * command line's dependencies are not needed).
 */
class ModulePathTest {
    private static final Path LIBRARY = Path.of(System.getProperty("jcnn.library.jar", "../src/target/jcnn.jar"));

    @Test
    void aModuleRequiringIoJcnnCompilesAndRuns(@TempDir Path dir) throws Exception {
        assertTrue(Files.isRegularFile(LIBRARY), LIBRARY + " is missing: the library module's package phase builds it");
        List<String> modulePath = new ArrayList<>(List.of(LIBRARY.toString()));
        // JCuda's jars, from this test's class path (the library's dependencies); no picocli, progressbar or XChart.
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Path.of(entry).getFileName().toString().matches("jc(uda|ublas|udnn)-.*\\.jar"))
                .forEach(modulePath::add);
        assertEquals(6, modulePath.size() - 1, "JCuda, JCublas, JCudnn and their natives: " + modulePath);

        Path source = dir.resolve("src/app");
        Files.createDirectories(source.resolve("app"));
        Files.writeString(source.resolve("module-info.java"), "module app { requires io.jcnn; }\n");
        Files.writeString(source.resolve("app/Main.java"), """
                package app;

                import io.jcnn.backend.Backend;
                import io.jcnn.backend.Backends;
                import io.jcnn.tensor.Shape;
                import io.jcnn.tensor.Tensor;

                public class Main {
                    public static void main(String[] args) {
                        try (Backend cpu = Backends.create("cpu", 1);
                             Tensor a = cpu.tensor(Shape.of(2, 2), 1, 2, 3, 4);
                             Tensor c = cpu.allocate(Shape.of(2, 2))) {
                            cpu.gemm(false, false, 2, 2, 2, 1f, a, a, 0f, c);
                            System.out.println(java.util.Arrays.toString(c.toArray()));
                        }
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int compiled = javac.run(null, null, null, "-d", classes.toString(), "--module-path",
                String.join(File.pathSeparator, modulePath), source.resolve("module-info.java").toString(),
                source.resolve("app/Main.java").toString());
        assertEquals(0, compiled, "javac of a module requiring io.jcnn");

        modulePath.add(classes.toString());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Djava.util.logging.config.file=/dev/null",
                "--module-path", String.join(File.pathSeparator, modulePath), "-m", "app/app.Main")
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("the modular program did not finish: " + output);
        }
        assertEquals(0, process.exitValue(), output);
        assertEquals("[7.0, 10.0, 15.0, 22.0]\n", output.replace(System.lineSeparator(), "\n"));
    }
}
