package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.TestData;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CpuBackend#conv2dBackwardFilterBias}, which sums dy's planes for the bias gradient inside the filter-gradient
 * kernels, gives the same bits as {@code conv2dBackwardFilter} followed by {@code biasGradient}, for every thread
 * count, where it fuses and where it falls back to the two passes.
 */
class CpuFilterBiasFusionTest {

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("lenet conv1 (direct vector loop)", Shape.nchw(5, 1, 28, 28), Shape.nchw(20, 1, 5, 5),
                        ConvSpec.defaults()),
                Arguments.of("lenet conv2 (channel-vector)", Shape.nchw(6, 20, 12, 12), Shape.nchw(50, 20, 5, 5),
                        ConvSpec.defaults()),
                Arguments.of("alexnet-32 conv3, padded (channel-vector)", Shape.nchw(3, 64, 8, 8),
                        Shape.nchw(96, 64, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of("alexnet-32 conv1, 3 wide, padded", Shape.nchw(3, 1, 32, 32), Shape.nchw(32, 1, 3, 3),
                        ConvSpec.of(1, 1)),
                Arguments.of("odd channel count", Shape.nchw(4, 3, 12, 12), Shape.nchw(7, 3, 5, 5), ConvSpec.defaults()),
                Arguments.of("groups 2", Shape.nchw(3, 4, 10, 10), Shape.nchw(6, 2, 3, 3),
                        new ConvSpec(1, 1, 1, 1, 1, 1, 2)),
                Arguments.of("4x4 output: planes too small to fuse", Shape.nchw(3, 32, 4, 4), Shape.nchw(64, 32, 3, 3),
                        ConvSpec.of(1, 1)),
                Arguments.of("stride 2: another kernel", Shape.nchw(2, 3, 15, 15), Shape.nchw(8, 3, 3, 3),
                        ConvSpec.of(2, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sameBitsAsTheTwoPassesForEveryThreadCount(String name, Shape input, Shape filter, ConvSpec spec) {
        for (int threads = 1; threads <= 3; threads++) {
            try (CpuBackend cpu = new CpuBackend(threads)) {
                ConvPlan plan = cpu.planConv2d(input, filter, spec);
                Shape output = plan.geometry().output();
                int k = output.channels();
                try (Tensor x = cpu.tensor(input, TestData.uniform(21, input.size()));
                     Tensor dy = cpu.tensor(output, TestData.uniform(22, output.size()));
                     Tensor dwApart = cpu.allocate(filter);
                     Tensor dbApart = cpu.allocate(Shape.of(k));
                     Tensor dwFused = cpu.tensor(filter, TestData.uniform(23, filter.size()));
                     Tensor dbFused = cpu.tensor(Shape.of(k), TestData.uniform(24, k))) {
                    cpu.conv2dBackwardFilter(plan, x, dy, dwApart);
                    cpu.biasGradient(dy, dbApart);
                    cpu.conv2dBackwardFilterBias(plan, x, dy, dwFused, dbFused);
                    String what = name + ", " + threads + " threads";
                    assertArrayEquals(dwApart.toArray(), dwFused.toArray(), what + ": filter gradient");
                    assertArrayEquals(dbApart.toArray(), dbFused.toArray(), what + ": bias gradient");
                }
            }
        }
    }

    @Test
    void fusesWhereTheKernelsReadDyImageByImage() {
        TestPools.assumeVectorKernel();
        ConvGeometry lenetConv1 = ConvGeometry.of("conv1", Shape.nchw(64, 1, 28, 28), Shape.nchw(20, 1, 5, 5),
                ConvSpec.defaults());
        ConvGeometry lenetConv2 = ConvGeometry.of("conv2", Shape.nchw(64, 20, 12, 12), Shape.nchw(50, 20, 5, 5),
                ConvSpec.defaults());
        ConvGeometry small = ConvGeometry.of("4x4", Shape.nchw(64, 32, 4, 4), Shape.nchw(64, 32, 3, 3),
                ConvSpec.of(1, 1));
        assertEquals(64 * 20, CpuConvolution.planeSumsLength(lenetConv1, 2));
        assertEquals(64 * 50, CpuConvolution.planeSumsLength(lenetConv2, 2));
        assertEquals(0, CpuConvolution.planeSumsLength(small, 2), "16-pixel planes are summed by the scalar loop");
        assertTrue(CpuConvolution.planeSumsLength(lenetConv2, 1) > 0, "independent of the thread count");
    }
}
