package io.jcnn.explain;

import io.jcnn.model.Sequential;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Layer;
import io.jcnn.nn.Linear;
import io.jcnn.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained network's first-layer weights as pictures: what its first layer looks for in the input.
 * <ul>
 *   <li>{@link #firstConvolutionFilters}: the filters of the first convolution, one picture per filter.</li>
 *   <li>{@link #firstLayerTemplates}: for a model whose first weighted layer is dense (a linear classifier or an
 *       MLP), each output's weight row reshaped to the input image: a linear classifier's class templates, or an
 *       MLP's first-layer features.</li>
 * </ul>
 * The model must be compiled; weights are copied from its backend.
 */
public final class WeightPictures {
    private WeightPictures() {
    }

    /**
     * The first {@link Conv2d} layer's filters, K pictures of C/groups × R × S in output-channel order; a filter of
     * 1 or 3 channels is one picture, any other count is split into one picture per channel (K × C pictures, filter
     * by filter).
     *
     * @throws IllegalArgumentException when the model has no convolution layer
     */
    public static List<Picture> firstConvolutionFilters(Sequential model) {
        Conv2d conv = firstConvolution(model);
        Shape filter = conv.weight().value().shape();
        float[] weights = conv.weight().value().toArray();
        int count = filter.dim(0);
        int channels = filter.dim(1);
        int size = filter.sampleSize();
        List<Picture> pictures = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            Picture picture = new Picture(channels, filter.dim(2), filter.dim(3),
                    Arrays.copyOfRange(weights, k * size, (k + 1) * size));
            if (channels == 1 || channels == 3) {
                pictures.add(picture);
            } else {
                for (int c = 0; c < channels; c++) {
                    pictures.add(picture.channel(c));
                }
            }
        }
        return pictures;
    }

    /** The first convolution layer of {@code model}. */
    public static Conv2d firstConvolution(Sequential model) {
        for (Layer layer : ModelLayers.leaves(model)) {
            if (layer instanceof Conv2d conv) {
                return conv;
            }
        }
        throw new IllegalArgumentException("model '" + model.name() + "' has no convolution layer to draw the filters"
                + " of (its layers: " + ModelLayers.describe(model) + "); for a model whose first layer is dense,"
                + " draw its templates instead");
    }

    /**
     * The rows of the model's first weighted layer, which must be {@link Linear}, each reshaped to the input sample
     * (C×H×W) in output order: a picture per class for a linear classifier, per hidden unit for an MLP.
     *
     * @throws IllegalArgumentException when the first layer with weights is not dense
     */
    public static List<Picture> firstLayerTemplates(Sequential model) {
        Linear dense = firstDense(model);
        Shape input = model.inputShape();
        Shape weight = dense.weight().value().shape();
        if (input.rank() != 4 || weight.dim(1) != input.sampleSize()) {
            throw new IllegalArgumentException("model '" + model.name() + "': the rows of layer '" + dense.name()
                    + "' (" + weight.dim(1) + " inputs) cannot be drawn as the model's " + input.withBatch(1)
                    + " input images");
        }
        float[] weights = dense.weight().value().toArray();
        int size = input.sampleSize();
        List<Picture> pictures = new ArrayList<>();
        for (int row = 0; row < weight.dim(0); row++) {
            pictures.add(new Picture(input.channels(), input.height(), input.width(),
                    Arrays.copyOfRange(weights, row * size, (row + 1) * size)));
        }
        return pictures;
    }

    private static Linear firstDense(Sequential model) {
        for (Layer layer : ModelLayers.leaves(model)) {
            if (layer instanceof Linear dense) {
                return dense;
            }
            if (!layer.params().isEmpty()) {
                throw new IllegalArgumentException("model '" + model.name() + "' starts with "
                        + layer.getClass().getSimpleName() + " '" + layer.name() + "', not a dense layer, so it has no"
                        + " input-sized templates; draw its first convolution's filters instead");
            }
        }
        throw new IllegalArgumentException("model '" + model.name() + "' has no dense (Linear) layer (its layers: "
                + ModelLayers.describe(model) + ")");
    }
}
