package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The one-vector-shape rule: how {@code jcnn.cpu.vectorBits} is read, and that no kernel picks a species of its own
 * (a second shape in the JVM makes JDK 17 run every 512-bit kernel as Java code, eight times slower).
 */
class CpuVectorWidthTest {
    private static final Path CPU_SOURCES = Path.of("main/java/io/jcnn/backend/cpu");
    /** Any way of naming a float species other than taking {@link CpuVectorWidth#SPECIES}. */
    private static final Pattern OWN_SPECIES = Pattern.compile(
            "SPECIES_(PREFERRED|MAX|64|128|256|512)|VectorSpecies\\.of|withShape|\\.withLanes|VectorShape\\.");

    @Test
    void onlyTheWidthClassNamesASpecies() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(CPU_SOURCES)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
        assertTrue(sources.size() > 10, "found only " + sources.size() + " sources under " + CPU_SOURCES);
        List<String> offenders = sources.stream()
                .filter(p -> !p.getFileName().toString().equals("CpuVectorWidth.java"))
                .filter(p -> OWN_SPECIES.matcher(read(p)).find())
                .map(p -> p.getFileName().toString())
                .collect(Collectors.toList());
        assertEquals(List.of(), offenders, "vector kernels must use CpuVectorWidth.SPECIES, not a species of their own");
    }

    @Test
    void autoTakesThePreferredWidth() {
        assertNull(CpuVectorWidth.problem(null, 512));
        assertEquals(512, CpuVectorWidth.bits(null, 512));
        assertEquals(256, CpuVectorWidth.bits("auto", 256));
        assertEquals(512, CpuVectorWidth.bits(" ", 512));
    }

    @Test
    void aNarrowerWidthMayBeAskedFor() {
        assertNull(CpuVectorWidth.problem("256", 512));
        assertEquals(256, CpuVectorWidth.bits("256", 512));
        assertNull(CpuVectorWidth.problem("512", 512));
    }

    @Test
    void aWidthTheCpuLacksIsRefusedByName() {
        String problem = CpuVectorWidth.problem("512", 256);
        assertTrue(problem.contains("jcnn.cpu.vectorBits=512") && problem.contains("256 bits"), problem);
    }

    @Test
    void anUnknownValueIsRefusedByName() {
        String problem = CpuVectorWidth.problem("wide", 512);
        assertEquals("jcnn.cpu.vectorBits must be auto, 256 or 512, got 'wide'", problem);
        assertTrue(CpuVectorWidth.problem("128", 512).contains("got '128'"));
    }

    @Test
    void theJvmUsesTheWidthItWasAskedFor() {
        TestPools.assumeVectorKernel();
        int expected = CpuVectorWidth.bits(System.getProperty(CpuVectorWidth.PROPERTY), CpuVectorWidth.preferredBits());
        assertEquals(expected, CpuVectorWidth.SPECIES.vectorBitSize());
        assertEquals(expected / Float.SIZE, CpuVectorWidth.LANES);
        assertTrue(CpuGemm.kernelName().contains(expected + "-bit"), CpuGemm.kernelName());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
