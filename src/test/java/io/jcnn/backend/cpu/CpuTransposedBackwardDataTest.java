package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvReference;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.TestData;
import io.jcnn.tensor.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward-data as the forward of the transposed convolution ({@link CpuTransposedBackwardData}) against the
 * double-precision reference, on geometries whose transpose takes each specialised forward algorithm, with
 * non-square kernels and channel counts that fill no whole panel; the bits are the same for every thread count; and
 * the geometries it leaves to the GEMM route.
 */
class CpuTransposedBackwardDataTest {
    @BeforeAll
    static void vectorKernelAvailable() {
        TestPools.assumeVectorKernel();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                // Transpose: 96 -> 64 channels on 8x8, the channel-vector path (AlexNet-32 conv3, small batch).
                Arguments.of("alexnet32 conv3", Shape.nchw(2, 64, 8, 8), Shape.nchw(96, 64, 3, 3), ConvSpec.of(1, 1),
                        CpuConvForward.CHANNEL_VECTOR),
                // Transpose: 64 -> 32 channels on 16x16, Winograd's F(6x6, 3x3) (AlexNet-32 conv2).
                Arguments.of("alexnet32 conv2", Shape.nchw(4, 32, 16, 16), Shape.nchw(64, 32, 3, 3),
                        ConvSpec.of(1, 1), CpuConvForward.WINOGRAD),
                // 5x3 kernel with padding 2 by 1; 40 -> 32 channels on 9x6 pixels.
                Arguments.of("5x3 kernel, pad 2 by 1", Shape.nchw(3, 32, 9, 6), Shape.nchw(40, 32, 5, 3),
                        new ConvSpec(1, 1, 2, 1, 1, 1, 1), CpuConvForward.CHANNEL_VECTOR));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void matchesTheReferenceWithTheSameBitsForEveryThreadCount(String name, Shape input, Shape filter, ConvSpec spec,
                                                                CpuConvForward expected) {
        ConvGeometry g = ConvGeometry.of("test", input, filter, spec);
        CpuTransposedBackwardData transposed = CpuTransposedBackwardData.plan(g);
        assertNotNull(transposed, name + ": not taken");
        assertEquals(expected.label() + " on the transpose",
                transposed.describe(), name);
        float[] dy = TestData.uniform(51, g.output().size());
        float[] w = TestData.uniform(52, filter.size());
        double[] reference = ConvReference.backwardData(g, TestData.toDouble(dy), TestData.toDouble(w));
        // Winograd's error grows with the largest result, not each element's own size (as in CpuConvForwardTest).
        double largest = java.util.Arrays.stream(reference).map(Math::abs).max().orElse(0);
        float[] first = null;
        for (CpuParallel parallel : TestPools.all()) {
            float[] ws = new float[(int) transposed.workspaceFloats(parallel.threads())];
            float[] dx = new float[input.size()];
            java.util.Arrays.fill(dx, Float.NaN);
            transposed.backwardData(parallel, dy, w, dx, ws);
            String what = name + ", " + parallel.threads() + " threads";
            TestData.assertClose(what, reference, dx, 1e-5, 1e-5 * largest);
            if (first == null) {
                first = dx;
            } else {
                assertArrayEquals(first, dx, what + ": bits differ from 1 thread");
            }
        }
    }

    @Test
    void leavesValidStridedDilatedAndGroupedConvolutionsToTheGemmRoute() {
        assertNull(CpuTransposedBackwardData.transpose(ConvGeometry.of("t", Shape.nchw(2, 20, 12, 12),
                Shape.nchw(50, 20, 5, 5), ConvSpec.defaults())), "valid: the transpose pads by 4");
        assertNull(CpuTransposedBackwardData.transpose(ConvGeometry.of("t", Shape.nchw(2, 32, 8, 8),
                Shape.nchw(32, 32, 3, 3), ConvSpec.of(2, 1))), "stride 2");
        assertNull(CpuTransposedBackwardData.transpose(ConvGeometry.of("t", Shape.nchw(2, 32, 8, 8),
                Shape.nchw(32, 32, 3, 3), ConvSpec.of(1, 2).withDilation(2))), "dilation 2");
        assertNull(CpuTransposedBackwardData.transpose(ConvGeometry.of("t", Shape.nchw(2, 64, 8, 8),
                Shape.nchw(64, 32, 3, 3), ConvSpec.of(1, 1).withGroups(2))), "groups 2");
        assertNull(CpuTransposedBackwardData.plan(ConvGeometry.of("t", Shape.nchw(2, 16, 8, 8),
                Shape.nchw(16, 16, 3, 3), ConvSpec.of(1, 1))), "16 input channels: no specialised forward applies");
        assertNull(CpuTransposedBackwardData.plan(ConvGeometry.of("t", Shape.nchw(128, 1, 32, 32),
                Shape.nchw(32, 1, 3, 3), ConvSpec.of(1, 1))), "one input channel: Winograd on the transpose would be slow");
    }
}
