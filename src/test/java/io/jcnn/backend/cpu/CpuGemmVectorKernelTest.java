package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API kernel against the portable kernel, bit for bit, and the choice between them. The build runs its
 * tests with {@code --add-modules jdk.incubator.vector}, so the vector kernel is available here on any CPU with
 * 256-bit vectors; elsewhere the comparisons are skipped with the reason.
 */
class CpuGemmVectorKernelTest {
    private static final CpuParallel ONE = new CpuParallel(1);
    private static final CpuParallel TWO = new CpuParallel(2);
    private static final CpuParallel THREE = new CpuParallel(3);

    @AfterAll
    static void closePools() {
        ONE.close();
        TWO.close();
        THREE.close();
    }

    @BeforeAll
    static void vectorKernelAvailable() {
        String reason = CpuGemm.vectorUnavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "vector kernel unavailable: " + reason);
    }

    static Stream<Arguments> shapes() {
        int[][] mnk = {
            {1, 1, 1}, {7, 7, 7}, {1, 257, 7}, {257, 1, 7}, {7, 255, 1}, {255, 256, 257}, {257, 255, 256},
            {256, 257, 255}, {6, 16, 256}, {12, 32, 512}, {13, 40, 9}, {50, 64, 500}, {64, 10, 500},
            {20, 576, 25}, {97, 33, 300}, {5, 2100, 30}, {200, 7, 129}, {64, 130, 300}, {8, 70, 520},
        };
        float[][] alphaBeta = {{1f, 0f}, {0.75f, -0.5f}, {-2f, 1f}};
        Stream.Builder<Arguments> out = Stream.builder();
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                for (float[] ab : alphaBeta) {
                    out.add(Arguments.of(t >= 2, (t & 1) == 1, s[0], s[1], s[2], ab[0], ab[1]));
                }
            }
        }
        return out.build();
    }

    @ParameterizedTest(name = "ta={0} tb={1} {2}x{3}x{4} alpha={5} beta={6}")
    @MethodSource("shapes")
    void sameBitsAsThePortableKernelForEveryThreadCount(boolean ta, boolean tb, int m, int n, int k,
                                                        float alpha, float beta) {
        for (int pad : new int[] {0, 3}) {
            GemmCase cs = GemmCase.of(m * 131L + n * 17L + k + pad, ta, tb, m, n, k, alpha, beta, pad);
            float[] portable = cs.run(CpuGemm.Kernel.PORTABLE, ONE);
            String what = m + "x" + n + "x" + k + " pad " + pad;
            assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, null), what + ", calling thread only");
            assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, ONE), what + ", 1 thread");
            assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, TWO), what + ", 2 threads");
            assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, THREE), what + ", 3 threads");
        }
    }

    @Test
    void largeProductSpanningSeveralBlocksMatchesPortable() {
        // More than one block of rows, columns and depth: 2·MC+5 rows, NC+40 columns, 2·KC+3 steps.
        int m = 2 * CpuGemmVectorKernel.MC + 5;
        int n = CpuGemmVectorKernel.NC + 40;
        int k = 2 * CpuGemmVectorKernel.KC + 3;
        GemmCase cs = GemmCase.of(3, false, false, m, n, k, 1f, 0.5f, 1);
        float[] portable = cs.run(CpuGemm.Kernel.PORTABLE, TWO);
        assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, TWO), "2 threads");
        assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, THREE), "3 threads");
    }

    @Test
    void fewRowsWithTransposedBSpanningSeveralBlocksMatchesPortable() {
        // Rows fit one A block, so B (transposed) is packed one micro-panel at a time: NC+40 columns (an edge
        // panel), 2·KC+3 steps (a padded last block), in every split between threads.
        int m = CpuGemmVectorKernel.MC - 32;
        int n = CpuGemmVectorKernel.NC + 40;
        int k = 2 * CpuGemmVectorKernel.KC + 3;
        for (float beta : new float[] {0f, 0.5f}) {
            GemmCase cs = GemmCase.of(5, false, true, m, n, k, 1.5f, beta, 2);
            float[] portable = cs.run(CpuGemm.Kernel.PORTABLE, ONE);
            assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, null), "calling thread only, beta " + beta);
            assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, TWO), "2 threads, beta " + beta);
            assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, THREE), "3 threads, beta " + beta);
        }
    }

    /** −0 survives a product of −0 terms unless the last k block is padded, where both kernels add +0. */
    @Test
    void signOfZeroMatchesThePortableKernelsPadding() {
        for (int k : new int[] {1, 2, 3, 6, 7}) {
            GemmCase cs = GemmCase.of(1, false, false, 7, 20, k, 1f, 1f, 0);
            Arrays.fill(cs.a(), -0f);
            Arrays.fill(cs.b(), 1f);
            Arrays.fill(cs.c(), -0f);
            float[] portable = cs.run(CpuGemm.Kernel.PORTABLE, ONE);
            float expected = CpuGemm.padsDepth(k) ? 0f : -0f;
            assertEquals(expected, portable[0], "portable, k=" + k);
            assertArrayEquals(portable, cs.run(CpuGemm.Kernel.VECTOR, ONE), "k=" + k);
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        GemmCase cs = GemmCase.of(5, true, false, 13, 40, 9, 2f, 0f, 2);
        Arrays.fill(cs.c(), Float.NaN);
        float[] got = cs.run(CpuGemm.Kernel.VECTOR, TWO);
        assertArrayEquals(cs.run(CpuGemm.Kernel.PORTABLE, TWO), got);
        assertTrue(Float.isNaN(got[cs.cOffset() + cs.n()]), "padding after row 0 untouched");
        assertTrue(!Float.isNaN(got[cs.cOffset()]), "C[0][0] computed");
    }

    @Test
    void thisJvmSelectsTheVectorKernelByDefault() {
        Assumptions.assumeTrue(System.getProperty(CpuGemm.KERNEL_PROPERTY) == null, "kernel property set");
        assertEquals(CpuGemm.Kernel.VECTOR, CpuGemm.selectedKernel());
        assertTrue(CpuGemm.kernelName().startsWith("vector API"), CpuGemm.kernelName());
        try (CpuBackend backend = new CpuBackend(1)) {
            assertTrue(backend.description().contains("gemm: vector API"), backend.description());
        }
    }

    @Test
    void propertyValuesChooseTheKernel() {
        String missing = "module missing";
        assertEquals(new CpuGemm.Choice(CpuGemm.Kernel.VECTOR, null), CpuGemm.choose(null, null));
        assertEquals(new CpuGemm.Choice(CpuGemm.Kernel.VECTOR, null), CpuGemm.choose("auto", null));
        assertEquals(new CpuGemm.Choice(CpuGemm.Kernel.PORTABLE, null), CpuGemm.choose(null, missing));
        assertEquals(new CpuGemm.Choice(CpuGemm.Kernel.PORTABLE, null), CpuGemm.choose("portable", null));
        assertEquals(new CpuGemm.Choice(CpuGemm.Kernel.PORTABLE, null), CpuGemm.choose("portable", missing));
        assertEquals(new CpuGemm.Choice(CpuGemm.Kernel.VECTOR, null), CpuGemm.choose("vector", null));
        assertTrue(CpuGemm.choose("vector", missing).error().contains(missing));
        assertNull(CpuGemm.choose("vector", missing).kernel());
        assertTrue(CpuGemm.choose("fast", null).error().contains("'fast'"));
    }

    /** Fresh JVMs: with and without the module, with each property value; a bad value fails the backend. */
    @Test
    void freshJvmsHonourTheModuleAndTheProperty() throws Exception {
        assertEquals("vector", probe(true, null));
        assertEquals("portable", probe(true, "portable"));
        assertEquals("vector", probe(true, "vector"));
        assertEquals("portable", probe(false, null));
        assertEquals("portable", probe(false, "auto"));
        String strict = probe(false, "vector");
        assertTrue(strict.startsWith("error: ") && strict.contains("--add-modules jdk.incubator.vector"), strict);
        String bad = probe(true, "fastest");
        assertTrue(bad.startsWith("error: ") && bad.contains("'fastest'"), bad);
    }

    /** Runs {@link KernelProbe} in a new JVM and returns its one line of output. */
    private static String probe(boolean module, String property) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (module) {
            command.add("--add-modules");
            command.add("jdk.incubator.vector");
        }
        if (property != null) {
            command.add("-D" + CpuGemm.KERNEL_PROPERTY + "=" + property);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KernelProbe.class.getName());
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe JVM finished");
        assertEquals(0, process.exitValue(), "probe exit status; output: " + out);
        return out;
    }
}
