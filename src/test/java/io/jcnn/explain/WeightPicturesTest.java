package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.init.Initializer;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Flatten;
import io.jcnn.nn.Linear;
import io.jcnn.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** First-layer weights as pictures: filters of convolutions, templates of dense layers. */
class WeightPicturesTest {
    @Test
    void filtersAreTheFirstConvolutionsWeightsOnePicturePerFilter() {
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = Models.lenet()) {
            model.compile(cpu, Shape.nchw(1, 1, 28, 28), 3);
            List<Picture> filters = WeightPictures.firstConvolutionFilters(model);
            assertEquals(20, filters.size());
            float[] weights = model.params().get(0).value().toArray();
            assertEquals("conv1.weight", model.params().get(0).name());
            Picture third = filters.get(2);
            assertEquals(1, third.channels());
            assertEquals(5, third.height());
            assertEquals(5, third.width());
            assertArrayEquals(java.util.Arrays.copyOfRange(weights, 2 * 25, 3 * 25), third.values());
        }
    }

    @Test
    void filtersOfOtherChannelCountsAreSplitPerChannel() {
        try (CpuBackend cpu = new CpuBackend(1);
             Sequential model = TinyNetworks.compiled(cpu, Shape.nchw(1, 2, 4, 4),
                     new Conv2d("conv", 3, 2, 2, ConvSpec.defaults(), false, Initializer.heNormal()))) {
            float[] weights = new float[3 * 2 * 4];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = i;
            }
            TinyNetworks.set(model, "conv.weight", weights);
            List<Picture> tiles = WeightPictures.firstConvolutionFilters(model);
            assertEquals(6, tiles.size(), "3 filters × 2 channels");
            assertArrayEquals(new float[] {12, 13, 14, 15}, tiles.get(3).values(), "filter 1, channel 1");
        }
    }

    @Test
    void templatesAreTheDenseRowsAsInputImages() {
        try (CpuBackend cpu = new CpuBackend(1);
             Sequential model = TinyNetworks.compiled(cpu, Shape.nchw(1, 1, 2, 3), new Flatten("flatten"),
                     new Linear("fc", 2))) {
            TinyNetworks.set(model, "fc.weight", 1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6);
            List<Picture> templates = WeightPictures.firstLayerTemplates(model);
            assertEquals(2, templates.size());
            assertEquals(2, templates.get(1).height());
            assertEquals(3, templates.get(1).width());
            assertEquals(-6f, templates.get(1).at(0, 1, 2));
        }
    }

    @Test
    void aModelWithoutTheRightFirstLayerIsNamed() {
        try (CpuBackend cpu = new CpuBackend(1); Sequential mlp = Models.mlp(); Sequential lenet = Models.lenet()) {
            mlp.compile(cpu, Shape.nchw(1, 1, 28, 28), 1);
            lenet.compile(cpu, Shape.nchw(1, 1, 28, 28), 1);
            SaliencyMapTest.assertMessage(() -> WeightPictures.firstConvolutionFilters(mlp),
                    "model 'mlp' has no convolution layer to draw the filters of (its layers: fc1 Linear, relu1 ReLU");
            SaliencyMapTest.assertMessage(() -> WeightPictures.firstLayerTemplates(lenet),
                    "model 'lenet' starts with Conv2d 'conv1', not a dense layer");
            assertEquals(512, WeightPictures.firstLayerTemplates(mlp).size());
        }
    }
}
