package io.jcnn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.distribution.Dockerfile.Instruction;
import io.jcnn.distribution.Dockerfile.Stage;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The top-level Dockerfile, checked without a Docker engine: its stages and base images, that everything it copies
 * from the build context exists and is not excluded by .dockerignore, that the build stage has every POM the
 * reactor needs, and that the runtime stage runs what bundle/install.sh installs. {@link InstallTest} runs that
 * script and the installed launcher the way the image does.
 */
class DockerfileTest {
    static final Path ROOT = Path.of(System.getProperty("jcnn.root", "..")).toAbsolutePath().normalize();

    private static Dockerfile dockerfile;
    private static List<String> ignored;

    @BeforeAll
    static void read() throws IOException {
        dockerfile = Dockerfile.read(ROOT.resolve("Dockerfile"));
        ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }

    @Test
    void aMavenBuildStageThenNvidiasCuda12RuntimeWithCudnn9() {
        assertEquals(2, dockerfile.stages().size(), dockerfile.toString());
        Stage build = dockerfile.stages().get(0);
        assertEquals("build", build.name());
        assertTrue(build.image().matches("maven:3\\.9\\.\\d+-eclipse-temurin-17"), build.image());
        String runtime = dockerfile.last().image();
        // A pinned CUDA 12 runtime (cuBLAS 12 included) with cuDNN 9: the libraries JCublas 12.6 and JCudnn load.
        assertTrue(runtime.matches("nvidia/cuda:12\\.\\d+\\.\\d+-cudnn-runtime-ubuntu\\d+\\.\\d+"), runtime);
    }

    @Test
    void everythingCopiedFromTheContextExistsAndIsNotIgnored() throws IOException {
        int sources = 0;
        for (Stage stage : dockerfile.stages()) {
            for (Instruction copy : stage.all("COPY")) {
                List<String> words = copy.words();
                if (words.get(0).startsWith("--from=")) {
                    continue;
                }
                for (String source : words.subList(0, words.size() - 1)) {
                    Path path = ROOT.resolve(source).normalize();
                    assertTrue(Files.exists(path), "COPY " + source + ": no such file in the repository");
                    assertEquals(null, ignoredBy(source), "COPY " + source + " is excluded by .dockerignore");
                    sources++;
                    if (Files.isDirectory(path)) {
                        assertEquals(List.of(), ignoredInside(path), "files of " + source + " that .dockerignore drops");
                    }
                }
            }
        }
        assertTrue(sources >= 6, "found only " + sources + " copied sources");
    }

    @Test
    void theBuildStageHasEveryPomTheReactorReads() throws IOException {
        List<String> copied = dockerfile.stage("build").all("COPY").stream()
                .flatMap(c -> c.words().subList(0, c.words().size() - 1).stream()).toList();
        assertTrue(copied.contains("pom.xml"), copied.toString());
        String rootPom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(rootPom);
        int modules = 0;
        while (module.find()) {
            String pom = module.group(1) + "/pom.xml";
            assertTrue(copied.contains(pom) || copied.contains(module.group(1)),
                    "the root POM lists module " + module.group(1) + " but the build stage does not copy " + pom);
            modules++;
        }
        assertTrue(modules >= 4, "modules in the root POM: " + modules);
    }

    @Test
    void theBuildStageBuildsTheLibraryModuleAndInstallsIt() {
        List<String> runs = dockerfile.stage("build").all("RUN").stream().map(Instruction::arguments).toList();
        assertTrue(runs.stream().anyMatch(r -> r.contains("mvn ") && r.contains("-DskipTests") && r.contains("package")
                && r.contains("-pl src")), runs.toString());
        assertTrue(Files.isRegularFile(ROOT.resolve("src/pom.xml")));
        assertEquals("/opt/jcnn", installPrefix(), runs.toString());
    }

    @Test
    void theImageRunsTheInstalledLauncherAndLetsAutoChooseTheGpu() {
        Stage runtime = dockerfile.last();
        List<Instruction> copies = runtime.all("COPY");
        assertEquals(1, copies.size(), copies.toString());
        List<String> words = copies.get(0).words();
        assertEquals(List.of("--from=build", installPrefix(), installPrefix()), words);
        String env = String.join(" ", runtime.all("ENV").stream().map(Instruction::arguments).toList());
        assertTrue(env.contains("PATH=" + installPrefix() + ":$PATH"), env);
        assertTrue(env.contains("JCNN_CUDA_AUTO=true"), env);
        assertEquals("[\"jcnn\"]", runtime.all("ENTRYPOINT").get(0).arguments());
        // The default command is a jcnn subcommand that InstallTest runs with the installed launcher.
        assertEquals("[\"info\"]", runtime.all("CMD").get(0).arguments());
    }

    /** The folder the build stage passes to bundle/install.sh. */
    static String installPrefix() {
        for (Instruction run : dockerfile.stage("build").all("RUN")) {
            Matcher m = Pattern.compile("bash bundle/install\\.sh (\\S+)").matcher(run.arguments());
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("the build stage never runs bundle/install.sh");
    }

    /** The .dockerignore pattern excluding {@code relative} or one of its parent folders, or null. */
    private static String ignoredBy(String relative) {
        Path path = Path.of(relative).normalize();
        for (String pattern : ignored) {
            for (String glob : List.of(pattern, pattern.startsWith("**/") ? pattern.substring(3) : pattern)) {
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                for (Path p = path; p != null; p = p.getParent()) {
                    if (matcher.matches(p)) {
                        return pattern;
                    }
                }
            }
        }
        return null;
    }

    /** Files under a copied folder that .dockerignore drops, other than build outputs (target/). */
    private static List<String> ignoredInside(Path dir) throws IOException {
        List<String> dropped = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile)
                    .map(f -> ROOT.relativize(f).toString())
                    .filter(f -> !f.contains("/target/"))
                    .filter(f -> ignoredBy(f) != null)
                    .forEach(dropped::add);
        }
        return dropped;
    }
}
