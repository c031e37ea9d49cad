package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code jcnn} launcher script, run by bash in a scratch copy of the repository layout with stand-ins for
 * Maven (and for Java where the test is about Java), so that it neither builds nor depends on this build's jar.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LauncherScriptTest {
    /** The script, from the library module's directory where tests run. */
    private static final Path SCRIPT = Path.of("..", "jcnn");

    @TempDir
    Path scratch;
    private Path repository;
    private Path tools;

    private record Result(int exitCode, String out, String err) {
    }

    @BeforeEach
    void copyTheScript() throws IOException {
        repository = Files.createDirectories(scratch.resolve("repo"));
        Files.copy(SCRIPT, repository.resolve("jcnn"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(repository.resolve("src/main/java"));
        Files.writeString(repository.resolve("src/main/java/A.java"), "class A {}");
        Files.writeString(repository.resolve("pom.xml"), "<project/>");
        Files.writeString(repository.resolve("src/pom.xml"), "<project/>");
        // Only the commands the script needs besides java and mvn, so that the real ones are not found on the PATH.
        tools = Files.createDirectories(scratch.resolve("bin"));
        for (String tool : List.of("dirname", "sed", "find", "ls", "head", "readlink", "cat", "mkdir", "touch")) {
            for (String dir : List.of("/usr/bin", "/bin")) {
                Path found = Path.of(dir, tool);
                if (Files.isExecutable(found)) {
                    Files.createSymbolicLink(tools.resolve(tool), found);
                    break;
                }
            }
        }
    }

    private Path executable(String name, String body) throws IOException {
        Path file = tools.resolve(name);
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** Real Java, through JAVA_HOME. */
    private Map<String, String> realJava() {
        return Map.of("JAVA_HOME", System.getProperty("java.home"));
    }

    /** Maven stand-in: records its arguments and directory, and "builds" an (empty) shaded jar. */
    private void fakeMaven() throws IOException {
        executable("mvn", """
                echo "$PWD $*" >> "$PWD/mvn-calls"
                mkdir -p src/target && echo fake > src/target/jcnn-9.9-all.jar""");
    }

    private Result run(Map<String, String> environment, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder();
        builder.command().add("/bin/bash");
        builder.command().add(repository.resolve("jcnn").toString());
        builder.command().addAll(List.of(args));
        builder.directory(scratch.toFile()); // not the repository: the script finds its own root
        builder.environment().clear();
        builder.environment().put("PATH", tools.toString());
        builder.environment().putAll(environment);
        Path out = scratch.resolve("out.txt");
        Path err = scratch.resolve("err.txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private List<String> mavenCalls() throws IOException {
        Path calls = repository.resolve("mvn-calls");
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    @Test
    void missingJavaSaysWhatToInstall() throws Exception {
        Result result = run(Map.of());
        assertEquals(1, result.exitCode());
        assertEquals("jcnn: java not found: install a JDK 17 or newer (for example: apt-get install openjdk-17-jdk)"
                + " or set JAVA_HOME\n", result.err());
    }

    @Test
    void oldJavaIsRefused() throws Exception {
        Path java = executable("java", "echo '    java.specification.version = 11' >&2");
        Result result = run(Map.of());
        assertEquals(1, result.exitCode());
        assertEquals("jcnn: " + java + " is Java 11; jcnn needs Java 17 or newer (install a JDK 17+ or set JAVA_HOME)\n",
                result.err());
        executable("java", "echo '    java.specification.version = 1.8' >&2");
        assertTrue(run(Map.of()).err().contains(" is Java 1.8; jcnn needs Java 17 or newer"));
    }

    @Test
    void missingMavenSaysWhatToInstall() throws Exception {
        Result result = run(realJava());
        assertEquals(1, result.exitCode());
        assertEquals("jcnn: the jar in src/target is missing or out of date and Maven is not installed: install Maven"
                + " 3.8+ (for example: apt-get install maven) and a JDK 17+\n", result.err());
    }

    @Test
    void buildsWhenTheJarIsMissingOrOlderThanTheSources() throws Exception {
        fakeMaven();
        Result first = run(realJava(), "info");
        // The stand-in jar is not a real one, so Java's own complaint follows the build.
        assertTrue(first.err().startsWith("building jcnn ...\n"), first.err());
        assertTrue(first.err().contains("fake") || first.err().contains("jarfile"), first.err());
        String root = repository.toRealPath().toString();
        assertEquals(List.of(root + " -B -q -DskipTests package -pl src -am"), mavenCalls());

        Result upToDate = run(realJava(), "info");
        assertFalse(upToDate.err().contains("building"), upToDate.err());
        assertEquals(1, mavenCalls().size());

        Path source = repository.resolve("src/main/java/A.java");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(60)));
        Result stale = run(realJava(), "info");
        assertTrue(stale.err().startsWith("building jcnn ...\n"), stale.err());
        assertEquals(2, mavenCalls().size());
    }

    @Test
    void failedBuildIsReported() throws Exception {
        executable("mvn", "echo '[ERROR] compilation failure'; exit 1");
        Result result = run(realJava());
        assertEquals(1, result.exitCode());
        String root = repository.toRealPath().toString();
        assertEquals("building jcnn ...\n[ERROR] compilation failure\njcnn: build failed (mvn -B -q -DskipTests package"
                + " -pl src -am in " + root + "); see the messages above\n", result.err());
        assertEquals("", result.out(), "Maven's messages go to standard error");
    }

    @Test
    void runsTheJarWithTheVectorModuleAndTheUsersOptions() throws Exception {
        fakeMaven();
        run(realJava()); // builds the stand-in jar
        // A java stand-in that reports a modern version and prints how it was called.
        executable("java", """
                if [ "$1" = -XshowSettings:properties ]; then echo '    java.specification.version = 21' >&2; exit 0; fi
                echo "$@"
                """);
        Path link = scratch.resolve("elsewhere/jcnn");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, repository.resolve("jcnn"));
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", link.toString(), "info", "a b");
        builder.environment().clear();
        builder.environment().put("PATH", tools.toString());
        builder.environment().put("JCNN_JAVA_OPTS", "-Xmx2g -Dx=1");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String jar = repository.toRealPath().resolve("src/target/jcnn-9.9-all.jar").toString();
        assertEquals("--add-modules jdk.incubator.vector -Xmx2g -Dx=1 -jar " + jar + " info a b\n", output);
        assertEquals(0, process.exitValue());
    }
}
