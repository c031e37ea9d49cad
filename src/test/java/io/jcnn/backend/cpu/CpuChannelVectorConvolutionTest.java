package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Forward (with and without bias) by {@link CpuChannelVectorConvolution} against the double-precision reference:
 * AlexNet-32's padded 3×3 layers at small batches, channel counts that fill no whole panel at either vector width, a
 * pixel count that leaves the last tile part-empty, padding that differs between height and width, a non-square kernel,
 * and unpadded LeNet conv2. Also: the bits are the same for every thread count, and the geometries it refuses or leaves
 * to Winograd.
 */
class CpuChannelVectorConvolutionTest {
    @BeforeAll
    static void vectorKernelAvailable() {
        TestPools.assumeVectorKernel();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("alexnet32 conv2", Shape.nchw(2, 32, 16, 16), Shape.nchw(64, 32, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("alexnet32 conv5", Shape.nchw(3, 96, 8, 8), Shape.nchw(64, 96, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("alexnet32 conv4", Shape.nchw(3, 96, 8, 8), Shape.nchw(96, 96, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("48 channels, 7x9 pixels", Shape.nchw(3, 16, 7, 9), Shape.nchw(48, 16, 3, 3),
                        ConvSpec.of(1, 1)),
                Arguments.of("128 channels, 5x5 pixels", Shape.nchw(1, 8, 5, 5), Shape.nchw(128, 8, 3, 3),
                        ConvSpec.of(1, 1)),
                Arguments.of("17 and 19 channels, 7x5 pixels", Shape.nchw(1, 19, 7, 5), Shape.nchw(17, 19, 3, 3),
                        ConvSpec.of(1, 1)),
                Arguments.of("pad 2 by 1, 5x3 kernel", Shape.nchw(2, 24, 9, 6), Shape.nchw(40, 24, 5, 3),
                        new ConvSpec(1, 1, 2, 1, 1, 1, 1)),
                Arguments.of("lenet conv2, no padding", Shape.nchw(3, 20, 12, 12), Shape.nchw(50, 20, 5, 5),
                        ConvSpec.defaults()));
    }

    @Test
    void takesStride1ConvolutionsAndIsPreferredForSmallOutputsWithWholePanels() {
        ConvGeometry conv4 = ConvGeometry.of("t", Shape.nchw(2, 96, 8, 8), Shape.nchw(96, 96, 3, 3), ConvSpec.of(1, 1));
        assertTrue(CpuChannelVectorConvolution.forwardApplies(conv4));
        assertTrue(CpuChannelVectorConvolution.preferredForward(conv4), "AlexNet-32 conv4");
        assertFalse(CpuChannelVectorConvolution.preferredForward(ConvGeometry.of("t", Shape.nchw(2, 32, 16, 16),
                Shape.nchw(64, 32, 3, 3), ConvSpec.of(1, 1))), "16x16 output: Winograd's");
        assertFalse(CpuChannelVectorConvolution.preferredForward(ConvGeometry.of("t", Shape.nchw(2, 20, 12, 12),
                Shape.nchw(50, 20, 5, 5), ConvSpec.defaults())), "50 filters: part-empty panels");
        assertFalse(CpuChannelVectorConvolution.preferredForward(ConvGeometry.of("t", Shape.nchw(2, 6, 14, 14),
                Shape.nchw(16, 6, 5, 5), ConvSpec.defaults())), "16 filters: half a panel at 512 bits");
        assertFalse(CpuChannelVectorConvolution.forwardApplies(ConvGeometry.of("t", Shape.nchw(2, 32, 8, 8),
                Shape.nchw(32, 32, 3, 3), ConvSpec.of(2, 1))), "stride 2");
        assertFalse(CpuChannelVectorConvolution.forwardApplies(ConvGeometry.of("t", Shape.nchw(2, 32, 8, 8),
                Shape.nchw(32, 16, 3, 3), ConvSpec.of(1, 1).withGroups(2))), "groups 2");
        assertFalse(CpuChannelVectorConvolution.forwardApplies(ConvGeometry.of("t", Shape.nchw(2, 32, 8, 8),
                Shape.nchw(4, 32, 3, 3), ConvSpec.of(1, 1))), "4 filters");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void matchesTheReferenceWithTheSameBitsForEveryThreadCount(String name, Shape input, Shape filter,
                                                               ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of("test", input, filter, spec);
        float[] x = TestData.uniform(41, input.size());
        float[] w = TestData.uniform(42, filter.size());
        float[] bias = TestData.uniform(43, filter.dim(0));
        double[] forward = ConvReference.forward(g, TestData.toDouble(x), TestData.toDouble(w));
        double[] forwardBias = forward.clone();
        int pq = g.outHeight() * g.outWidth();
        for (int i = 0; i < forwardBias.length; i++) {
            forwardBias[i] += bias[i / pq % g.outChannels()];
        }
        assertTrue(CpuChannelVectorConvolution.forwardApplies(g), name + ": forward path not taken");
        float[][] first = null;
        for (CpuParallel parallel : TestPools.all()) {
            String what = name + ", " + parallel.threads() + " threads";
            float[] ws = TestData.uniform(45, (int) CpuChannelVectorConvolution.forwardWorkspaceFloats(g));
            float[] y = TestData.uniform(46, g.output().size());
            CpuChannelVectorConvolution.forward(parallel, g, x, w, null, y, ws);
            TestData.assertClose(what + ": forward", forward, y, 1e-4, 1e-4);
            float[] yb = TestData.uniform(47, g.output().size());
            CpuChannelVectorConvolution.forward(parallel, g, x, w, bias, yb, ws);
            TestData.assertClose(what + ": forward with bias", forwardBias, yb, 1e-4, 1e-4);
            if (first == null) {
                first = new float[][] {y, yb};
            } else {
                assertArrayEquals(first[0], y, what + ": forward bits differ from another thread count");
                assertArrayEquals(first[1], yb, what + ": forward-with-bias bits differ from another thread count");
            }
        }
    }
}
