package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.TestData;
import io.jcnn.tensor.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector kernel's convolution paths (column panels packed straight from the image, vector im2row) against the
 * portable im2col path, bit for bit, for
 * all three passes, on shapes that hit every edge of its blocking: batch 1 and below the thread count,
 * output pixels not a multiple of a panel and beyond one column block, more taps than one k block, filters not a
 * multiple of the register tile, groups, stride, padding and dilation. Both paths are checked against the
 * double-precision reference by {@code Conv2dTest}; here they must agree exactly.
 */
class CpuFusedConvolutionTest {
    @BeforeAll
    static void vectorKernelAvailable() {
        TestPools.assumeVectorKernel();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("lenet conv1", Shape.nchw(3, 1, 28, 28), Shape.nchw(20, 1, 5, 5), ConvSpec.defaults()),
                Arguments.of("lenet conv2", Shape.nchw(5, 20, 12, 12), Shape.nchw(50, 20, 5, 5), ConvSpec.defaults()),
                Arguments.of("batch 1, 1x1", Shape.nchw(1, 3, 5, 7), Shape.nchw(4, 3, 1, 1), ConvSpec.defaults()),
                Arguments.of("1x2 kernel, many channels", Shape.nchw(3, 9, 4, 6), Shape.nchw(5, 9, 1, 2),
                        ConvSpec.defaults()),
                Arguments.of("3x3 pad 1 stride 1", Shape.nchw(2, 5, 13, 13), Shape.nchw(8, 5, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("padding, odd sizes", Shape.nchw(2, 3, 9, 11), Shape.nchw(7, 3, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("stride 2 pad 2", Shape.nchw(3, 4, 15, 13), Shape.nchw(5, 4, 5, 5), ConvSpec.of(2, 2)),
                Arguments.of("over 512 pixels and 256 taps", Shape.nchw(2, 13, 26, 25), Shape.nchw(11, 13, 5, 5),
                        ConvSpec.of(1, 2)),
                Arguments.of("groups 3, dilation 2, rectangular", Shape.nchw(4, 6, 11, 14), Shape.nchw(9, 2, 2, 5),
                        new ConvSpec(1, 2, 1, 2, 2, 2, 3)),
                Arguments.of("rows of 4, a vector spans several", Shape.nchw(3, 4, 6, 4), Shape.nchw(5, 4, 3, 3),
                        ConvSpec.defaults()),
                Arguments.of("kernel larger than input, padded", Shape.nchw(2, 2, 4, 5), Shape.nchw(3, 2, 6, 7),
                        ConvSpec.of(1, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sameBitsAsIm2colForEveryThreadCount(String name, Shape input, Shape filter, ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of("test", input, filter, spec);
        float[] x = TestData.uniform(11, input.size());
        float[] w = TestData.uniform(12, filter.size());
        float[] dy = TestData.uniform(13, g.output().size());
        for (CpuParallel parallel : TestPools.all()) {
            float[] ws = new float[(int) CpuConvolution.workspaceFloats(g, parallel.threads())];
            String what = name + ", " + parallel.threads() + " threads";

            float[] expected = new float[g.output().size()];
            CpuConvolution.forward(parallel, g, x, w, expected, ws, false);
            float[] actual = TestData.uniform(14, g.output().size());
            CpuConvolution.forward(parallel, g, x, w, actual, ws, true);
            assertArrayEquals(expected, actual, what + ": forward");

            expected = new float[input.size()];
            CpuConvolution.backwardData(parallel, g, dy, w, expected, ws, false);
            actual = TestData.uniform(15, input.size());
            CpuConvolution.backwardData(parallel, g, dy, w, actual, ws, true);
            assertArrayEquals(expected, actual, what + ": backward data");

            CpuConvolution.Dims d = new CpuConvolution.Dims(g, parallel.threads(), true);
            if (CpuVectorFilterGradient.applies(d) || CpuChannelVectorFilterGradient.applies(d)) {
                // Their own orders of additions: CpuVectorFilterGradientTest and CpuChannelVectorFilterGradientTest
                // check them against the reference.
                continue;
            }
            expected = new float[filter.size()];
            CpuConvolution.backwardFilter(parallel, g, x, dy, expected, ws, false);
            actual = TestData.uniform(16, filter.size());
            CpuConvolution.backwardFilter(parallel, g, x, dy, actual, ws, true);
            assertArrayEquals(expected, actual, what + ": backward filter");
        }
    }
}
