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

    /**
     * Gathers, scatters and masked loads and stores take other vector classes (an int index vector, a mask) into the
     * Vector API's shared methods, which on JDK 17 is what makes kernels fall back to Java code. Gathers that packed a
     * transposed matrix, faster in a benchmark of their own, came with a LeNet inference step a quarter slower in one
     * JVM run of two, and saved only 2-7% of a training step; as a precaution kernels load and store whole vectors at
     * an offset only: {@code fromArray(SPECIES, array, offset)}, {@code intoArray(array, offset)}.
     */
    @Test
    void kernelsLoadAndStoreWholeVectorsOnly() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(CPU_SOURCES)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
        List<String> offenders = new java.util.ArrayList<>();
        for (Path p : sources) {
            String text = read(p);
            for (String call : List.of("fromArray(", "intoArray(")) {
                int expected = call.equals("fromArray(") ? 3 : 2;
                for (int at = text.indexOf(call); at >= 0; at = text.indexOf(call, at + 1)) {
                    int arguments = arguments(text, at + call.length());
                    if (arguments != expected) {
                        offenders.add(p.getFileName() + ": " + call + " with " + arguments + " arguments");
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "whole-vector loads and stores only (no gathers, scatters or masks)");
    }

    /** The number of top-level arguments of the call whose argument list starts at {@code from}. */
    private static int arguments(String text, int from) {
        int depth = 0;
        int commas = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if ((c == ')' || c == ']') && depth > 0) {
                depth--;
            } else if (c == ')') {
                return commas + 1;
            } else if (c == ',' && depth == 0) {
                commas++;
            }
        }
        return -1;
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
