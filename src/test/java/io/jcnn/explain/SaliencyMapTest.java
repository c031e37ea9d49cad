package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvSpec;
import io.jcnn.init.Initializer;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Flatten;
import io.jcnn.nn.Linear;
import io.jcnn.nn.ReLU;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Saliency maps against networks whose gradients are known exactly, on every backend. */
class SaliencyMapTest {
    private static final String BACKENDS = "io.jcnn.backend.TestBackends#all";

    /**
     * conv (identity kernel) → ReLU → dense, where class 0 reads only pixel (2, 4) of the 6×6 image and class 1 reads
     * nothing: the map of class 0 is 1 at that pixel and 0 everywhere else; the map of class 1 is all 0. With a
     * negative weight the plain map is unchanged, and guided backpropagation, which passes only positive gradients
     * through the ReLU, shows nothing.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource(BACKENDS)
    void aScoreThatReadsOnePixelIsSalientAtExactlyThatPixel(Backend backend) {
        Shape input = Shape.nchw(1, 1, 6, 6);
        try (Sequential model = TinyNetworks.compiled(backend, input,
                new Conv2d("conv", 1, 3, 3, ConvSpec.of(1, 1), true, Initializer.heNormal()),
                new ReLU("relu"), new Flatten("flatten"), new Linear("fc", 2));
             InputGradient gradients = new InputGradient(model);
             Tensor image = backend.allocate(input)) {
            TinyNetworks.set(model, "conv.weight", 0, 0, 0, 0, 1, 0, 0, 0, 0);
            float[] weights = new float[2 * 36];
            weights[2 * 6 + 4] = 0.7f;
            TinyNetworks.set(model, "fc.weight", weights);
            float[] pixels = new float[36];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = 0.1f + i / 36f;
            }
            image.copyFrom(pixels);
            for (GradientRule rule : GradientRule.values()) {
                SaliencyMap map = SaliencyMap.of(gradients, image, new int[] {0}, rule).get(0);
                for (int y = 0; y < 6; y++) {
                    for (int x = 0; x < 6; x++) {
                        assertEquals(y == 2 && x == 4 ? 1f : 0f, map.at(y, x), rule + " at " + y + ", " + x);
                    }
                }
            }
            SaliencyMap none = SaliencyMap.of(gradients, image, new int[] {1}, GradientRule.PLAIN).get(0);
            assertEquals(0f, none.picture().maxAbs(), "class 1 reads no pixel");

            weights[2 * 6 + 4] = -0.7f;
            TinyNetworks.set(model, "fc.weight", weights);
            SaliencyMap plain = SaliencyMap.of(gradients, image, new int[] {0}, GradientRule.PLAIN).get(0);
            assertEquals(1f, plain.at(2, 4));
            assertEquals(1f, sum(plain), "that pixel and no other");
            SaliencyMap guided = SaliencyMap.of(gradients, image, new int[] {0}, GradientRule.GUIDED).get(0);
            assertEquals(0f, guided.picture().maxAbs(), "a negative gradient does not pass a guided ReLU");
        }
    }

    /** |gradient|, the largest over the channels, divided by the largest: checked per item of a batch. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource(BACKENDS)
    void mapIsTheLargestAbsoluteGradientOverChannelsScaledToOne(Backend backend) {
        Shape input = Shape.nchw(2, 2, 2, 2);
        try (Sequential model = TinyNetworks.compiled(backend, input, new Flatten("flatten"), new Linear("fc", 2));
             InputGradient gradients = new InputGradient(model);
             Tensor image = backend.allocate(input)) {
            // Rows are the classes' weights over (channel 0: 4 pixels, channel 1: 4 pixels).
            TinyNetworks.set(model, "fc.weight", 1, -4, 0, 2, -3, 1, 0, 0,
                    /* class 1 */ 0, 0, 0.5f, 0, 0, 0, 0, -0.25f);
            List<SaliencyMap> maps = SaliencyMap.of(gradients, image, new int[] {0, 1}, GradientRule.PLAIN);
            assertArrayEquals(new float[] {0.75f, 1f, 0f, 0.5f}, maps.get(0).picture().values());
            assertArrayEquals(new float[] {0f, 0f, 1f, 0.5f}, maps.get(1).picture().values());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource(BACKENDS)
    void badClassesAndInputsNameWhatWasExpected(Backend backend) {
        Shape input = Shape.nchw(1, 1, 4, 4);
        try (Sequential model = TinyNetworks.compiled(backend, input, new Flatten("flatten"), new Linear("fc", 3));
             InputGradient gradients = new InputGradient(model);
             Tensor image = backend.allocate(input);
             Tensor wrongSize = backend.allocate(Shape.nchw(1, 1, 5, 5))) {
            assertMessage(() -> SaliencyMap.of(gradients, image, new int[] {3}, GradientRule.PLAIN),
                    "class 3 is out of range; the model has 3 classes (0 to 2)");
            assertMessage(() -> SaliencyMap.of(gradients, image, new int[] {-1}, GradientRule.PLAIN),
                    "class -1 is out of range");
            assertMessage(() -> SaliencyMap.of(gradients, image, new int[] {0, 1}, GradientRule.PLAIN),
                    "one class per batch item (1), got 2");
            assertMessage(() -> SaliencyMap.of(gradients, wrongSize, new int[] {0}, GradientRule.PLAIN),
                    "expected an input of 1×1×4×4 (the shape model 'tiny' is compiled for), got 1×1×5×5");
        }
        Sequential uncompiled = new Sequential("fresh", new Linear("fc", 2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new InputGradient(uncompiled));
        assertTrue(e.getMessage().contains("model 'fresh' is not compiled"), e.getMessage());
    }

    private static float sum(SaliencyMap map) {
        float total = 0;
        for (float v : map.picture().values()) {
            total += v;
        }
        return total;
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
