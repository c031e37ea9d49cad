package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvReference;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.TestData;
import io.jcnn.tensor.Shape;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward-filter by {@link CpuVectorFilterGradient} against the double-precision reference, on the shapes it takes:
 * LeNet conv1, batch 1 (split over output channels) and odd batches (split over images), an odd number of output
 * channels (the last one paired with itself), several input channels, groups, padding, stride and dilation along
 * the height, a 10-wide kernel, 3-wide kernels on padded inputs (AlexNet-32 conv1), and rows that are not a whole
 * number of vectors at either width (the last vector of a row overlaps the one before). Also: the path is really
 * taken, two runs give the same bits, and rows narrower than one vector are left to the GEMM route.
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
                Arguments.of("groups 2, dilation in height", Shape.nchw(2, 4, 13, 20), Shape.nchw(6, 2, 3, 5),
                        new ConvSpec(1, 1, 1, 0, 2, 1, 2)),
                Arguments.of("rows of 37, a whole number of no vector", Shape.nchw(3, 1, 7, 41), Shape.nchw(5, 1, 3, 5),
                        ConvSpec.defaults()),
                Arguments.of("rows of 20: last vector overlaps at 256 and 512 bits", Shape.nchw(2, 3, 6, 24),
                        Shape.nchw(4, 3, 2, 5), ConvSpec.defaults()),
                Arguments.of("10-wide kernel", Shape.nchw(2, 1, 6, 25), Shape.nchw(3, 1, 2, 10), ConvSpec.defaults()),
                Arguments.of("alexnet32 conv1: 3x3, padded", Shape.nchw(3, 1, 32, 32), Shape.nchw(32, 1, 3, 3),
                        ConvSpec.of(1, 1)),
                Arguments.of("3-wide, 2 channels, pad 1 by 2, 5 filters", Shape.nchw(2, 2, 9, 20),
                        Shape.nchw(5, 2, 3, 3), new ConvSpec(1, 1, 1, 2, 1, 1, 1)));
    }

    @Test
    void rowsNarrowerThanAVectorTakeTheGemmRoute() {
        int lanes = CpuVectorWidth.LANES;
        ConvGeometry narrow = ConvGeometry.of("test", Shape.nchw(2, 1, 8, lanes + 3), Shape.nchw(4, 1, 5, 5),
                ConvSpec.defaults());
        assertFalse(CpuVectorFilterGradient.applies(new CpuConvolution.Dims(narrow, 1, true)), "Q = LANES - 1");
        ConvGeometry exact = ConvGeometry.of("test", Shape.nchw(2, 1, 8, lanes + 4), Shape.nchw(4, 1, 5, 5),
                ConvSpec.defaults());
        assertTrue(CpuVectorFilterGradient.applies(new CpuConvolution.Dims(exact, 1, true)), "Q = LANES");
    }

    @Test
    void overlappingLanesAreWeightedOut() {
        int lanes = CpuVectorWidth.LANES;
        float[] whole = CpuVectorFilterGradient.rowWeights(2 * lanes);
        assertArrayEquals(ones(2 * lanes), whole);
        float[] partial = CpuVectorFilterGradient.rowWeights(lanes + 3);
        // Two vectors: columns 0 … LANES−1, then LANES−(LANES−3) … : the first LANES−3 lanes were counted already.
        float[] expected = ones(2 * lanes);
        Arrays.fill(expected, lanes, 2 * lanes - 3, 0f);
        assertArrayEquals(expected, partial);
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
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
