package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Style transfer on an (untrained, seeded) LeNet, and its Gram and total-variation gradients. */
class StyleTransferTest {
    private static final Shape ONE_DIGIT = Shape.nchw(1, 1, 28, 28);

    private static Sequential lenet(Backend backend) {
        Sequential model = Models.lenet();
        model.compile(backend, ONE_DIGIT, 7);
        return model;
    }

    private static Picture image(long seed, int height, int width) {
        return new Picture(1, height, width, TestData.uniform(seed, height * width));
    }

    /** The backend's Gram loss and gradient against a double-precision reference and its central differences. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void theGramGradientMatchesFiniteDifferences(Backend backend) {
        int channels = 3;
        int positions = 20;
        Shape maps = Shape.nchw(1, channels, 4, 5);
        float[] f = TestData.uniform(11, maps.size());
        float[] a = TestData.uniform(12, channels * channels);
        for (int i = 0; i < channels; i++) {
            for (int j = 0; j < i; j++) {
                a[i * channels + j] = a[j * channels + i]; // a Gram matrix is symmetric
            }
        }
        float weight = 0.7f;
        try (GramLoss gram = new GramLoss(backend, maps);
             Tensor features = backend.tensor(maps, f);
             Tensor target = backend.tensor(gram.gramShape(), a);
             Tensor gradient = backend.allocate(maps)) {
            double loss = gram.lossAndGradient(features, target, weight, gradient, false);
            assertEquals(reference(f, a, channels, positions), loss, 1e-5 * Math.max(1, loss));
            float[] analytic = gradient.toArray();
            double[] x = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                x[i] = f[i];
            }
            double h = 1e-4;
            for (int i = 0; i < f.length; i++) {
                double saved = x[i];
                x[i] = saved + h;
                double up = reference(x, a, channels, positions);
                x[i] = saved - h;
                double down = reference(x, a, channels, positions);
                x[i] = saved;
                double numeric = weight * (up - down) / (2 * h);
                assertEquals(numeric, analytic[i], 1e-4 + 1e-3 * Math.abs(numeric), "∂L/∂F[" + i + "]");
            }
            // Accumulating adds the same gradient again.
            gram.lossAndGradient(features, target, weight, gradient, true);
            float[] twice = gradient.toArray();
            for (int i = 0; i < f.length; i++) {
                assertEquals(2 * analytic[i], twice[i], 1e-6 + 1e-5 * Math.abs(analytic[i]));
            }
        }
    }

    private static double reference(float[] f, float[] a, int channels, int positions) {
        double[] x = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            x[i] = f[i];
        }
        return reference(x, a, channels, positions);
    }

    /** Σ (F·Fᵀ/(N·M) − A)² in double precision. */
    private static double reference(double[] f, float[] a, int channels, int positions) {
        double loss = 0;
        for (int i = 0; i < channels; i++) {
            for (int j = 0; j < channels; j++) {
                double g = 0;
                for (int p = 0; p < positions; p++) {
                    g += f[i * positions + p] * f[j * positions + p];
                }
                double d = g / (channels * positions) - a[i * channels + j];
                loss += d * d;
            }
        }
        return loss;
    }

    @Test
    void theTotalVariationGradientMatchesFiniteDifferences() {
        int c = 2;
        int h = 3;
        int w = 4;
        float[] x = TestData.uniform(5, c * h * w);
        float[] gradient = new float[x.length];
        double tv = TotalVariation.lossAndGradient(x, c, h, w, gradient);
        assertTrue(tv > 0);
        float step = 1e-2f;
        float[] scratch = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float saved = x[i];
            x[i] = saved + step;
            double up = TotalVariation.lossAndGradient(x, c, h, w, scratch);
            x[i] = saved - step;
            double down = TotalVariation.lossAndGradient(x, c, h, w, scratch);
            x[i] = saved;
            assertEquals((up - down) / (2 * step), gradient[i], 1e-4, "∂TV/∂x[" + i + "]");
        }
        assertEquals(0, TotalVariation.lossAndGradient(new float[] {3f}, 1, 1, 1, new float[1]));
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void theStyleLossFallsAndSoDoesTheWeightedTotal(Backend backend) {
        try (Sequential model = lenet(backend)) {
            StyleTransfer.Settings styleOnly = StyleTransfer.Settings.defaults().withSteps(30).withWeights(0f, 1f, 0f);
            StyleTransfer.Result result = StyleTransfer.run(model, "conv2", List.of("conv1", "conv2"), image(1, 28, 28),
                    image(2, 40, 36), styleOnly);
            double[] style = result.style();
            assertEquals(31, style.length, "the start and every step");
            assertTrue(style[30] < 0.2 * style[0], Arrays.toString(style));
            assertEquals(0, result.content()[0], 1e-12, "it starts from the content image");
            assertEquals(28, result.image().height(), "the content image's size");
            // All three terms, weighted so that style matters for an untrained network's small activations.
            StyleTransfer.Settings all = StyleTransfer.Settings.defaults().withSteps(30).withWeights(1f, 1e5f, 0.01f);
            double[] total = StyleTransfer.run(model, "conv2", List.of("conv1", "conv2"), image(1, 28, 28),
                    image(2, 40, 36), all).total();
            assertTrue(total[30] < 0.5 * total[0], Arrays.toString(total));
        }
    }

    @Test
    void theContentTermAloneReproducesTheContentImagesActivations() {
        StyleTransfer.Settings settings = StyleTransfer.Settings.defaults().withSteps(300).withWeights(1f, 0f, 0f)
                .startingFromNoise(true);
        try (CpuBackend cpu = new CpuBackend(2); Sequential model = lenet(cpu)) {
            Picture content = image(3, 28, 28);
            StyleTransfer.Result result = StyleTransfer.run(model, "conv1", List.of("conv1"), content,
                    image(4, 28, 28), settings);
            double[] loss = result.content();
            assertTrue(loss[300] < 0.01 * loss[0], "content loss " + loss[0] + " → " + loss[300]);
            float[] wanted = conv1(model, cpu, content);
            float[] got = conv1(model, cpu, result.image());
            double error = 0;
            double norm = 0;
            for (int i = 0; i < wanted.length; i++) {
                error += (got[i] - wanted[i]) * (got[i] - wanted[i]);
                norm += wanted[i] * wanted[i];
            }
            assertTrue(Math.sqrt(error / norm) < 0.1, "relative error of the activations " + Math.sqrt(error / norm));
        }
    }

    private static float[] conv1(Sequential model, CpuBackend cpu, Picture image) {
        try (Tensor x = cpu.tensor(ONE_DIGIT, image.values())) {
            return model.layers().get(0).forward(x, false).toArray();
        }
    }

    @Test
    void aFixedSeedReproducesTheImageBitForBit() {
        StyleTransfer.Settings settings = StyleTransfer.Settings.defaults().withSteps(10).startingFromNoise(true);
        try (CpuBackend cpu = new CpuBackend(2); Sequential model = lenet(cpu)) {
            List<String> layers = StyleTransfer.defaultStyleLayers(model);
            assertEquals(List.of("conv1", "conv2"), layers, "LeNet's convolutions have no activation of their own");
            assertEquals("conv2", StyleTransfer.defaultContentLayer(model));
            Picture first = StyleTransfer.run(model, "conv2", layers, image(1, 28, 28), image(2, 28, 28), settings)
                    .image();
            Picture again = StyleTransfer.run(model, "conv2", layers, image(1, 28, 28), image(2, 28, 28), settings)
                    .image();
            assertArrayEquals(first.values(), again.values());
        }
    }

    @Test
    void badInputIsRefusedNamingWhatWasWrong() {
        StyleTransfer.Settings settings = StyleTransfer.Settings.defaults().withSteps(1);
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = lenet(cpu)) {
            Picture digit = image(1, 28, 28);
            assertEquals("style: layer 'ip1' (Linear) outputs 1×500, with no spatial extent; style layers need"
                    + " feature maps (C×H×W)", assertThrows(IllegalArgumentException.class,
                    () -> StyleTransfer.run(model, "conv2", List.of("conv1", "ip1"), digit, digit, settings))
                    .getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> StyleTransfer.run(model, "conv7", List.of("conv1"), digit, digit, settings)).getMessage()
                    .startsWith("style (content layer): model 'lenet' has no layer 'conv7'; its layers are conv1"));
            String small = assertThrows(IllegalArgumentException.class, () -> StyleTransfer.run(model, "conv2",
                    List.of("conv1"), digit, image(2, 10, 10), settings)).getMessage();
            assertTrue(small.startsWith("style (the style image): model 'lenet' cannot take a 1×10×10 image up to"
                    + " layer 'conv2'"), small);
            assertThrows(IllegalArgumentException.class,
                    () -> StyleTransfer.Settings.defaults().withWeights(0f, 0f, 0f));
            assertThrows(IllegalArgumentException.class,
                    () -> StyleTransfer.run(model, "conv2", List.of(), digit, digit, settings));
            try (Tensor x = cpu.tensor(ONE_DIGIT, digit.values())) {
                assertEquals(Shape.of(1, 10), model.forward(x, false).shape(), "the model is whole afterwards");
            }
        }
    }
}
