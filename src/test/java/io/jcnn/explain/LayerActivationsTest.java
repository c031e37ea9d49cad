package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Every layer's output for one batch item, in forward order. */
class LayerActivationsTest {
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void everyLayersOutputForTheChosenItem(Backend backend) {
        Shape input = Shape.nchw(2, 1, 3, 3);
        try (Sequential model = TinyNetworks.compiled(backend, input,
                new Conv2d("conv", 2, 1, 1, ConvSpec.defaults(), false, Initializer.heNormal()),
                new ReLU("relu"), new Flatten("flatten"), new Linear("fc", 5));
             Tensor x = backend.allocate(input)) {
            TinyNetworks.set(model, "conv.weight", 1, -1); // channel 0 copies the image, channel 1 negates it
            float[] pixels = new float[18];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = i - 12; // item 1 holds −3 .. 5
            }
            x.copyFrom(pixels);
            List<LayerActivations> layers = LayerActivations.of(model, x, 1);
            assertEquals(List.of("conv", "relu", "flatten", "fc"),
                    layers.stream().map(LayerActivations::layer).toList());
            LayerActivations relu = layers.get(1);
            assertEquals("ReLU", relu.type());
            assertEquals(Shape.of(2, 3, 3), relu.shape());
            assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 3, 4, 5, 3, 2, 1, 0, 0, 0, 0, 0, 0}, relu.values());
            assertEquals(2, relu.pictures().size(), "one picture per feature map");
            assertEquals(Shape.of(5), layers.get(3).shape());
            Picture vector = layers.get(3).pictures().get(0);
            assertEquals(2, vector.height());
            assertEquals(3, vector.width());
            assertTrue(Float.isNaN(vector.at(0, 1, 2)), "5 values in a 2×3 grid: the last cell is empty");
            SaliencyMapTest.assertMessage(() -> LayerActivations.of(model, x, 2), "item 2 is out of range");
        }
    }
}
