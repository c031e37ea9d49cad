package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvReference;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.TestData;
import io.jcnn.tensor.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward-filter by {@link CpuVectorFilterGradient} against the double-precision reference, on the shapes it takes:
 * LeNet conv1, batch 1 (split over output channels) and odd batches (split over images), an odd number of output
 * channels (the last one paired with itself), several input channels, groups, padding, stride and dilation along
 * the height, and a 10-wide kernel. Also: the path is really taken, and two runs give the same bits.
 */
class CpuVectorFilterGradientTest {
    @BeforeAll
    static void vectorKernelAvailable() {
        TestPools.assumeVectorKernel();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("lenet conv1", Shape.nchw(5, 1, 28, 28), Shape.nchw(20, 1, 5, 5), ConvSpec.defaults()),
                Arguments.of("batch 1, 7 filters", Shape.nchw(1, 1, 12, 20), Shape.nchw(7, 1, 5, 5),
                        ConvSpec.defaults()),
                Arguments.of("2 channels, pad and stride in height", Shape.nchw(3, 2, 11, 20), Shape.nchw(3, 2, 1, 5),
                        new ConvSpec(2, 1, 2, 0, 1, 1, 1)),
                Arguments.of("groups 2, dilation in height", Shape.nchw(2, 4, 13, 12), Shape.nchw(6, 2, 3, 5),
                        new ConvSpec(1, 1, 1, 0, 2, 1, 2)),
                Arguments.of("10-wide kernel", Shape.nchw(2, 1, 6, 25), Shape.nchw(3, 1, 2, 10), ConvSpec.defaults()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void matchesTheReferenceForEveryThreadCount(String name, Shape input, Shape filter, ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of("test", input, filter, spec);
        float[] x = TestData.uniform(21, input.size());
        float[] dy = TestData.uniform(22, g.output().size());
        double[] expected = ConvReference.backwardFilter(g, TestData.toDouble(x), TestData.toDouble(dy));
        for (CpuParallel parallel : TestPools.all()) {
            String what = name + ", " + parallel.threads() + " threads";
            assertTrue(CpuVectorFilterGradient.applies(new CpuConvolution.Dims(g, parallel.threads(), true)),
                    what + ": path not taken");
            float[] ws = new float[(int) CpuConvolution.workspaceFloats(g, parallel.threads())];
            float[] dw = TestData.uniform(23, filter.size());
            CpuConvolution.backwardFilter(parallel, g, x, dy, dw, ws, true);
            TestData.assertClose(what, expected, dw, 1e-4, 1e-4);
            float[] again = TestData.uniform(24, filter.size());
            CpuConvolution.backwardFilter(parallel, g, x, dy, again, ws, true);
            assertArrayEquals(dw, again, what + ": second run");
        }
    }
}
