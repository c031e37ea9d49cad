package io.jcnn.backend.cpu;

import static io.jcnn.backend.cpu.TestPools.TWO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvReference;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.TestData;
import io.jcnn.model.ModelSpec;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Layer;
import io.jcnn.tensor.Shape;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The specialised forward algorithms (Winograd, and direct for few taps) against the double-precision definition,
 * on shapes that reach every edge of each: output rows not a whole number of vectors or tiles, padding, a last
 * Winograd panel only partly filled, filter counts not a multiple of a register block, groups, many channels; the
 * same bits for every thread count; which algorithm each shape gets; and the Winograd transform matrices.
 */
class CpuConvForwardTest {
    @BeforeAll
    static void vectorKernelAvailable() {
        TestPools.assumeVectorKernel();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(CpuConvForward.WINOGRAD, "lenet conv2", Shape.nchw(9, 20, 12, 12),
                        Shape.nchw(50, 20, 5, 5), ConvSpec.defaults()),
                Arguments.of(CpuConvForward.WINOGRAD, "5x5 pad 2, output not a multiple of 4", Shape.nchw(4, 6, 11, 9),
                        Shape.nchw(7, 6, 5, 5), ConvSpec.of(1, 2)),
                Arguments.of(CpuConvForward.WINOGRAD, "3x3 pad 1, 13x13 as in AlexNet", Shape.nchw(4, 8, 13, 13),
                        Shape.nchw(13, 8, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of(CpuConvForward.WINOGRAD, "3x3, groups 2, uneven padding", Shape.nchw(10, 12, 10, 14),
                        Shape.nchw(10, 6, 3, 3), new ConvSpec(1, 1, 1, 0, 1, 1, 2)),
                Arguments.of(CpuConvForward.WINOGRAD, "5x5, 70 channels", Shape.nchw(2, 70, 20, 20),
                        Shape.nchw(4, 70, 5, 5), ConvSpec.defaults()),
                Arguments.of(CpuConvForward.WINOGRAD, "exactly one panel", Shape.nchw(CpuPackedGemm.NR, 4, 8, 8),
                        Shape.nchw(6, 4, 5, 5), ConvSpec.defaults()),
                Arguments.of(CpuConvForward.DIRECT, "lenet conv1", Shape.nchw(3, 1, 28, 28), Shape.nchw(20, 1, 5, 5),
                        ConvSpec.defaults()),
                Arguments.of(CpuConvForward.DIRECT, "RGB 3x3 pad 1, 7 filters, rows of 13", Shape.nchw(2, 3, 13, 13),
                        Shape.nchw(7, 3, 3, 3), ConvSpec.of(1, 1)),
                Arguments.of(CpuConvForward.DIRECT, "rows narrower than a vector", Shape.nchw(1, 2, 9, 6),
                        Shape.nchw(5, 2, 2, 2), ConvSpec.defaults()),
                Arguments.of(CpuConvForward.DIRECT, "5x5 pad 2, rows of 33", Shape.nchw(2, 3, 30, 33),
                        Shape.nchw(6, 3, 5, 5), ConvSpec.of(1, 2)),
                Arguments.of(CpuConvForward.DIRECT, "uneven padding, one filter", Shape.nchw(4, 1, 7, 26),
                        Shape.nchw(1, 1, 3, 4), new ConvSpec(1, 1, 0, 2, 1, 1, 1)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("shapes")
    void matchesTheDefinitionWithTheSameBitsForEveryThreadCount(CpuConvForward algorithm, String name, Shape input,
                                                              Shape filter, ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of("test", input, filter, spec);
        assertEquals(algorithm, CpuConvForward.choose(g), name);
        float[] x = TestData.uniform(21, input.size());
        float[] w = TestData.uniform(22, filter.size());
        double[] expected = ConvReference.forward(g, TestData.toDouble(x), TestData.toDouble(w));
        double largest = Arrays.stream(expected).map(Math::abs).max().orElse(0);
        float[] first = null;
        for (CpuParallel parallel : TestPools.all()) {
            float[] ws = new float[(int) algorithm.workspaceFloats(g, parallel.threads())];
            Arrays.fill(ws, Float.NaN);
            float[] y = new float[g.output().size()];
            Arrays.fill(y, Float.NaN);
            algorithm.forward(parallel, g, x, w, null, y, ws);
            String what = name + ", " + parallel.threads() + " threads";
            // Winograd's error grows with the largest output, not each element's own size: bound it by 1e-5 of that.
            TestData.assertClose(what, expected, y, 1e-5, 1e-5 * largest);
            if (first == null) {
                first = y;
            } else {
                assertArrayEquals(first, y, what + ": bits differ from 1 thread");
            }
        }
        float[] bias = TestData.uniform(23, g.outChannels());
        float[] withBias = new float[g.output().size()];
        algorithm.forward(TWO, g, x, w, bias, withBias, new float[(int) algorithm.workspaceFloats(g, 2)]);
        int plane = g.outHeight() * g.outWidth();
        for (int i = 0; i < first.length; i++) {
            assertEquals(first[i] + bias[i / plane % g.outChannels()], withBias[i], name + ": bias at " + i);
        }
    }

    /** The same choices at every vector width: the rules count tiles per panel and cache per tile, not lanes. */
    @Test
    void eachShapeGetsTheAlgorithmThatPays() {
        assertEquals(CpuConvForward.WINOGRAD, choose(Shape.nchw(64, 20, 12, 12), Shape.nchw(50, 20, 5, 5),
                ConvSpec.defaults()), "lenet conv2");
        assertEquals(CpuConvForward.DIRECT, choose(Shape.nchw(64, 1, 28, 28), Shape.nchw(20, 1, 5, 5),
                ConvSpec.defaults()), "lenet conv1: 25 taps");
        assertEquals(CpuConvForward.GEMM, choose(Shape.nchw(1, 20, 12, 12), Shape.nchw(50, 20, 5, 5),
                ConvSpec.defaults()), "4 Winograd tiles, less than a panel");
        assertEquals(CpuConvForward.GEMM, choose(Shape.nchw(64, 8, 28, 28), Shape.nchw(20, 8, 5, 5),
                ConvSpec.of(2, 0)), "stride 2");
        assertEquals(CpuConvForward.GEMM, choose(Shape.nchw(64, 8, 28, 28), Shape.nchw(20, 8, 5, 5),
                new ConvSpec(1, 1, 0, 0, 2, 2, 1)), "dilation");
        assertEquals(CpuConvForward.GEMM, choose(Shape.nchw(64, 8, 28, 28), Shape.nchw(20, 8, 7, 7),
                ConvSpec.defaults()), "7x7, 392 taps");
        assertEquals(CpuConvForward.GEMM, choose(Shape.nchw(64, 8, 28, 28), Shape.nchw(20, 8, 3, 5),
                ConvSpec.defaults()), "3x5");
        assertEquals(CpuConvForward.WINOGRAD, choose(Shape.nchw(8, 96, 27, 27), Shape.nchw(256, 48, 5, 5),
                ConvSpec.of(1, 2).withGroups(2)), "AlexNet conv2: V and M in 44 KiB per tile");
        assertEquals(CpuConvForward.CHANNEL_VECTOR, choose(Shape.nchw(8, 256, 13, 13), Shape.nchw(384, 256, 3, 3),
                ConvSpec.of(1, 1)), "AlexNet conv3: 13×13 output, 384 filters (as fast as its GEMM)");
        assertEquals(CpuConvForward.CHANNEL_VECTOR, choose(Shape.nchw(128, 64, 8, 8), Shape.nchw(96, 64, 3, 3),
                ConvSpec.of(1, 1)), "AlexNet-32 conv3: 8×8 output");
        assertEquals(CpuConvForward.WINOGRAD, choose(Shape.nchw(128, 32, 16, 16), Shape.nchw(64, 32, 3, 3),
                ConvSpec.of(1, 1)), "AlexNet-32 conv2: 16×16 output");
        assertEquals(CpuConvForward.GEMM, choose(Shape.nchw(8, 384, 13, 13), Shape.nchw(256, 192, 3, 3),
                ConvSpec.of(1, 1).withGroups(2)), "AlexNet conv5: 80 KiB per tile");
        assertEquals(CpuConvForward.GEMM, choose(Shape.nchw(8, 4, 28, 28), Shape.nchw(8, 2, 3, 3),
                new ConvSpec(1, 1, 1, 1, 1, 1, 2)), "groups of 2 channels: too few for Winograd, grouped for direct");
    }

    /**
     * Every convolution of the zoo's models, at the batches they train with, gets the same forward algorithm and the
     * same backward-filter path with 8-lane vectors as with 16-lane ones: 512-bit machines keep every fast path that
     * 256-bit ones take. Both rules are evaluated here, whatever this JVM's width.
     */
    @Test
    void zooLayersGetTheSameAlgorithmsAtBothWidths() {
        Object[][] models = {{"lenet", 64}, {"lenet-classic", 64}, {"alexnet32", 128}, {"alexnet", 8}, {"alexnet", 128}};
        int convolutions = 0;
        for (Object[] entry : models) {
            ModelSpec spec = Models.spec((String) entry[0]);
            Shape input = Shape.nchw((int) entry[1], spec.channels(), spec.height(), spec.width());
            try (CpuBackend backend = new CpuBackend(2); Sequential model = spec.create()) {
                model.compile(backend, input, 1);
                for (Layer layer : model.layers()) {
                    if (layer instanceof Conv2d conv) {
                        ConvGeometry g = ConvGeometry.of(conv.name(), conv.inputShape(),
                                conv.weight().value().shape(), conv.spec());
                        String what = spec.name() + " " + conv.name() + " at batch " + entry[1];
                        assertEquals(CpuConvForward.choose(g, 8), CpuConvForward.choose(g, 16), what + ": forward");
                        CpuConvolution.Dims d = new CpuConvolution.Dims(g, 2, true);
                        assertEquals(CpuVectorFilterGradient.applies(d, 8), CpuVectorFilterGradient.applies(d, 16),
                                what + ": backward-filter");
                        convolutions++;
                    }
                }
            }
        }
        assertEquals(19, convolutions, "LeNet's two, LeNet-classic's two, AlexNet-32's five and AlexNet's five twice");
        // And the layers the fast paths were made for take them.
        ConvGeometry lenetConv1 = ConvGeometry.of("conv1", Shape.nchw(64, 1, 28, 28), Shape.nchw(20, 1, 5, 5),
                ConvSpec.defaults());
        assertEquals(CpuConvForward.DIRECT, CpuConvForward.choose(lenetConv1, 16));
        assertTrue(CpuVectorFilterGradient.applies(new CpuConvolution.Dims(lenetConv1, 2, true), 16));
        assertEquals(CpuConvForward.WINOGRAD, CpuConvForward.choose(ConvGeometry.of("conv2",
                Shape.nchw(64, 20, 12, 12), Shape.nchw(50, 20, 5, 5), ConvSpec.defaults()), 16));
    }

    private static CpuConvForward choose(Shape input, Shape filter, ConvSpec spec) {
        return CpuConvForward.choose(ConvGeometry.of("test", input, filter, spec));
    }

    /** The 1-D identity behind Winograd: Σ_j Aᵀ[i][j]·G[j][k]·Bᵀ[j][l] = 1 where l = i + k, else 0. */
    @Test
    void winogradTransformsComputeCorrelation() {
        double[][] bt = CpuWinogradConvolution.inputTransform();
        for (int r : new int[] {3, 5}) {
            CpuWinogradConvolution.Variant v = new CpuWinogradConvolution.Variant(r);
            assertEquals(CpuWinogradConvolution.ALPHA + 1 - r, v.m);
            for (int i = 0; i < v.m; i++) {
                for (int k = 0; k < r; k++) {
                    for (int l = 0; l < CpuWinogradConvolution.ALPHA; l++) {
                        double sum = 0;
                        for (int j = 0; j < CpuWinogradConvolution.ALPHA; j++) {
                            sum += v.at[i][j] * v.g[j][k] * bt[j][l];
                        }
                        assertEquals(l == i + k ? 1 : 0, sum, 1e-12,
                                "F(" + v.m + ", " + r + ") at " + i + "," + k + "," + l);
                    }
                }
            }
        }
    }

    @Test
    void winogradsFilterCacheFollowsTheWeightsWithTheSameBits() {
        // LeNet conv2 at batch 8: 32 tiles, a panel at either width.
        ConvGeometry g = ConvGeometry.of("test", Shape.nchw(8, 20, 12, 12), Shape.nchw(50, 20, 5, 5),
                ConvSpec.defaults());
        assertEquals(CpuConvForward.WINOGRAD, CpuConvForward.choose(g));
        float[] x = TestData.uniform(31, g.input().size());
        float[] w = TestData.uniform(32, g.filter().size());
        float[] ws = new float[(int) CpuConvForward.WINOGRAD.workspaceFloats(g, 2)];
        CpuWinogradConvolution.FilterCache cache = CpuConvForward.WINOGRAD.newFilterCache();
        for (int call = 0; call < 5; call++) {
            if (call == 2) {
                w[7] += 0.5f; // changed in place: the cache must notice
            } else if (call == 3) {
                w = w.clone(); // another array, same weights: reused
            } else if (call == 4) {
                w[w.length - 1] = -w[w.length - 1]; // the last weight only
            }
            float[] uncached = new float[g.output().size()];
            CpuConvForward.WINOGRAD.forward(TWO, g, x, w, null, uncached, ws);
            float[] cached = new float[g.output().size()];
            Arrays.fill(ws, Float.NaN); // so that U must come from the cache, not from the call before
            CpuConvForward.WINOGRAD.forward(TWO, g, x, w, null, cached, ws, cache);
            assertArrayEquals(uncached, cached, "call " + call);
        }
    }
}
