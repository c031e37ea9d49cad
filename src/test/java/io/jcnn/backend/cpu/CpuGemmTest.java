package io.jcnn.backend.cpu;

import static io.jcnn.backend.cpu.TestPools.ONE;
import static io.jcnn.backend.cpu.TestPools.TWO;
import static io.jcnn.backend.cpu.TestPools.THREE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.TestData;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The blocked GEMM kernels directly, with offsets and leading dimensions the public API never passes. Results are
 * compared with a double-precision reference, and bit-for-bit with a scalar loop that performs the same sequence of
 * fused multiply-adds the kernels promise (so blocking, orientation, kernel and thread count may not change any bit).
 * Tests that do not name a kernel use the one this JVM selected.
 */
class CpuGemmTest {
    static Stream<Arguments> shapes() {
        int[][] mnk = {
            {1, 1, 1}, {1, 7, 1}, {7, 1, 7}, {2, 3, 4}, {7, 7, 7}, {1, 300, 5}, {300, 1, 5}, {5, 9, 257},
            {20, 576, 25}, {50, 64, 500}, {64, 10, 500}, {10, 300, 3}, {255, 257, 256}, {257, 255, 7},
            {4, 700, 600}, {130, 40, 70},
        };
        Stream.Builder<Arguments> out = Stream.builder();
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                out.add(Arguments.of(t >= 2, (t & 1) == 1, s[0], s[1], s[2]));
            }
        }
        return out.build();
    }

    @ParameterizedTest(name = "ta={0} tb={1} {2}x{3}x{4}")
    @MethodSource("shapes")
    void matchesReferenceWithOffsetsAndLeadingDimensions(boolean ta, boolean tb, int m, int n, int k) {
        GemmCase cs = GemmCase.of(m * 31L + n * 7L + k, ta, tb, m, n, k, 0.75f, -0.5f, 3);
        double[] reference = cs.reference();
        for (CpuGemm.Kernel kernel : kernels()) {
            TestData.assertClose(kernel + " gemm " + m + "x" + n + "x" + k, reference, cs.run(kernel, TWO),
                    1e-5, 1e-5 * Math.sqrt(k));
        }
    }

    @ParameterizedTest(name = "ta={0} tb={1} {2}x{3}x{4}")
    @MethodSource("shapes")
    void bitsDoNotDependOnThreadCountAndFollowTheDocumentedFmaOrder(boolean ta, boolean tb, int m, int n, int k) {
        GemmCase cs = GemmCase.of(m + n + k, ta, tb, m, n, k, 1.25f, 0.5f, 1);
        float[] expected = cs.fmaSequence();
        for (CpuGemm.Kernel kernel : kernels()) {
            assertArrayEquals(expected, cs.run(kernel, null), kernel + ", calling thread only");
            assertArrayEquals(expected, cs.run(kernel, ONE), kernel + ", 1 thread");
            assertArrayEquals(expected, cs.run(kernel, TWO), kernel + ", 2 threads");
            assertArrayEquals(expected, cs.run(kernel, THREE), kernel + ", 3 threads");
        }
    }

    /** The portable kernel, and the vector kernel where this JVM can run it (the build's tests always can). */
    static List<CpuGemm.Kernel> kernels() {
        return CpuGemm.vectorUnavailableReason() == null ? List.of(CpuGemm.Kernel.PORTABLE, CpuGemm.Kernel.VECTOR)
                : List.of(CpuGemm.Kernel.PORTABLE);
    }

    @Test
    void largeSquareMatchesReferenceAndIsRepeatable() {
        GemmCase cs = GemmCase.of(11, false, false, 300, 520, 530, 1f, 0f, 0);
        float[] first = cs.run(THREE);
        TestData.assertClose("gemm 300x520x530", cs.reference(), first, 1e-5, 1e-4);
        assertArrayEquals(first, cs.run(THREE), "same call twice");
        assertArrayEquals(first, cs.run(ONE), "1 vs 3 threads");
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        for (int t = 0; t < 4; t++) {
            GemmCase cs = GemmCase.of(5, t >= 2, (t & 1) == 1, 13, 40, 9, 2f, 0f, 2);
            Arrays.fill(cs.c(), Float.NaN);
            float[] got = cs.run(TWO);
            for (int i = 0; i < cs.m(); i++) {
                for (int j = 0; j < cs.n(); j++) {
                    float v = got[cs.cOffset() + i * cs.ldc() + j];
                    assertEquals(false, Float.isNaN(v), "C[" + i + "][" + j + "] is NaN");
                }
            }
            // Padding between rows of C is not part of C and stays as it was.
            assertEquals(true, Float.isNaN(got[cs.cOffset() + cs.n()]), "padding after row 0 untouched");
        }
    }

    @Test
    void betaOneAccumulatesAndAlphaZeroOnlyScales() {
        GemmCase cs = GemmCase.of(9, false, true, 6, 33, 17, 1f, 1f, 1);
        TestData.assertClose("beta 1", cs.reference(), cs.run(TWO), 1e-5, 1e-5);
        GemmCase scaleOnly = GemmCase.of(9, true, false, 6, 33, 17, 0f, 3f, 1);
        float[] got = scaleOnly.run(TWO);
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 33; j++) {
                int at = scaleOnly.cOffset() + i * scaleOnly.ldc() + j;
                assertEquals(3f * scaleOnly.c()[at], got[at]);
            }
        }
    }

    @Test
    void handWorkedTwoByThreeTimesThreeByTwo() {
        float[] a = {1, 2, 3, 4, 5, 6};        // 2×3
        float[] b = {7, 8, 9, 10, 11, 12};     // 3×2
        float[] c = {100, 200, 300, 400};      // 2×2
        // A·B = [[58, 64], [139, 154]]; 2·A·B + 0.5·C = [[166, 228], [428, 508]]
        CpuGemm.gemm(ONE, false, false, 2, 2, 3, 2f, a, 0, 3, b, 0, 2, 0.5f, c, 0, 2);
        assertArrayEquals(new float[] {166, 228, 428, 508}, c);
    }

    /**
     * CpuGemm.kernel must stay above C2's hot-inlining limit (FreqInlineSize, 325 bytecodes): inlined into its
     * caller, its loop was left scalar and GEMM ran four to five times slower, with every result still correct.
     */
    @Test
    void kernelStaysTooLargeToBeInlined() throws IOException {
        assertTrue(bytecodeLength(CpuGemm.class, "kernel") > 325, "CpuGemm.kernel bytecode must exceed 325 bytes");
    }

    /** The length of a method's bytecode, read from its class file. */
    private static int bytecodeLength(Class<?> type, String method) throws IOException {
        try (InputStream raw = type.getResourceAsStream(type.getSimpleName() + ".class");
             DataInputStream in = new DataInputStream(raw)) {
            in.skipNBytes(8); // magic, minor and major version
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                    case 15 -> in.skipNBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                    case 5, 6 -> {
                        in.skipNBytes(8);
                        i++;
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag);
                }
            }
            in.skipNBytes(6); // access flags, this class, super class
            in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
            skipMembers(in, false, utf8, method); // fields
            return skipMembers(in, true, utf8, method);
        }
    }

    private static int skipMembers(DataInputStream in, boolean methods, String[] utf8, String wanted)
            throws IOException {
        int members = in.readUnsignedShort();
        for (int m = 0; m < members; m++) {
            in.skipNBytes(2);
            String name = utf8[in.readUnsignedShort()];
            in.skipNBytes(2);
            int attributes = in.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                String attribute = utf8[in.readUnsignedShort()];
                int length = in.readInt();
                if (methods && name.equals(wanted) && attribute.equals("Code")) {
                    in.skipNBytes(4); // max stack, max locals
                    return in.readInt();
                }
                in.skipNBytes(length);
            }
        }
        return -1;
    }
}
