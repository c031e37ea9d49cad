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
 * Backward-filter by {@link CpuChannelVectorFilterGradient} against the double-precision reference: LeNet conv2 and
 * AlexNet-32's padded 3×3 layers (smaller batches), output channels that fill no whole panel at either vector width
 * (50, 17), taps that fill no whole block (27, 9, 18), padding that differs between height and width, a non-square
 * kernel, a batch of one, and pixel counts that cross cache blocks in the middle of an image. Also: the path is really
 * taken, and the bits are the same for every thread count and on a second run.
 */
class CpuChannelVectorFilterGradientTest {
    @BeforeAll
    static void vectorKernelAvailable() {
        TestPools.assumeVectorKernel();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("lenet conv2", Shape.nchw(5, 20, 12, 12), Shape.nchw(50, 20, 5, 5), ConvSpec.defaults()),
                Arguments.of("alexnet32 conv2", Shape.nchw(3, 32, 16, 16), Shape.nchw(64, 32, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("alexnet32 conv4", Shape.nchw(4, 96, 8, 8), Shape.nchw(96, 96, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("17 filters, 27 taps, batch 1", Shape.nchw(1, 3, 9, 9), Shape.nchw(17, 3, 3, 3),
                        ConvSpec.defaults()),
                Arguments.of("pad 2 in height, 1 in width, 3×5 kernel", Shape.nchw(3, 5, 7, 10),
                        Shape.nchw(40, 5, 3, 5), new ConvSpec(1, 1, 2, 1, 1, 1, 1)),
                Arguments.of("300 pixels per image: blocks end mid-image", Shape.nchw(3, 8, 12, 32),
                        Shape.nchw(33, 8, 3, 3), ConvSpec.defaults()),
                Arguments.of("48 filters: panels of three vectors at 512 bits", Shape.nchw(3, 8, 12, 32),
                        Shape.nchw(48, 8, 3, 3), ConvSpec.defaults()),
                Arguments.of("128 filters, padded 10×7 images", Shape.nchw(3, 6, 10, 7),
                        Shape.nchw(128, 6, 3, 3), ConvSpec.of(1, 1)));
    }

    @Test
    void stridedDilatedGroupedAndNarrowConvolutionsTakeOtherRoutes() {
        Shape input = Shape.nchw(2, 8, 12, 12);
        Shape filter = Shape.nchw(64, 8, 3, 3);
        assertTrue(applies(input, filter, ConvSpec.of(1, 1)));
        assertFalse(applies(input, filter, ConvSpec.of(2, 1)), "stride 2");
        assertFalse(applies(input, filter, new ConvSpec(1, 1, 0, 0, 2, 2, 1)), "dilation 2");
        assertFalse(applies(input, Shape.nchw(64, 4, 3, 3), ConvSpec.of(1, 1).withGroups(2)), "groups 2");
        assertFalse(applies(input, Shape.nchw(4, 8, 3, 3), ConvSpec.of(1, 1)), "4 output channels");
        assertFalse(applies(Shape.nchw(2, 1, 12, 12), Shape.nchw(64, 1, 2, 2), ConvSpec.of(1, 1)), "4 taps");
    }

    private static boolean applies(Shape input, Shape filter, ConvSpec spec) {
        return CpuChannelVectorFilterGradient.applies(new CpuConvolution.Dims(ConvGeometry.of("test", input, filter,
                spec), 2, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void matchesTheReferenceWithTheSameBitsForEveryThreadCount(String name, Shape input, Shape filter,
                                                               ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of("test", input, filter, spec);
        float[] x = TestData.uniform(31, input.size());
        float[] dy = TestData.uniform(32, g.output().size());
        double[] expected = ConvReference.backwardFilter(g, TestData.toDouble(x), TestData.toDouble(dy));
        float[] first = null;
        for (CpuParallel parallel : TestPools.all()) {
            String what = name + ", " + parallel.threads() + " threads";
            CpuConvolution.Dims d = new CpuConvolution.Dims(g, parallel.threads(), true);
            assertTrue(CpuChannelVectorFilterGradient.applies(d) && !CpuVectorFilterGradient.applies(d),
                    what + ": path not taken");
            float[] ws = TestData.uniform(33, (int) CpuConvolution.workspaceFloats(g, parallel.threads()));
            float[] dw = TestData.uniform(34, filter.size());
            CpuConvolution.backwardFilter(parallel, g, x, dy, dw, ws, true);
            TestData.assertClose(what, expected, dw, 1e-4, 1e-4);
            float[] again = TestData.uniform(35, filter.size());
            CpuConvolution.backwardFilter(parallel, g, x, dy, again, ws, true);
            assertArrayEquals(dw, again, what + ": second run");
            if (first == null) {
                first = dw;
            } else {
                assertArrayEquals(first, dw, what + ": bits differ from another thread count");
            }
        }
    }
}
