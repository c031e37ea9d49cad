package io.jcnn.explain;

import io.jcnn.model.Sequential;
import io.jcnn.nn.Layer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one layer outputs for one image: its feature maps (C×H×W) or its feature vector (F), copied to the host.
 *
 * @param layer  the layer's name
 * @param type   the layer's class, such as {@code Conv2d}
 * @param shape  the output shape of one sample, C×H×W or F
 * @param values the output values, row-major
 */
public record LayerActivations(String layer, String type, Shape shape, float[] values) {
    /**
     * Checks the value count and copies the values.
     *
     * @throws IllegalArgumentException if {@code values} does not hold {@code shape.size()} floats
     */
    public LayerActivations {
        if (values.length != shape.size()) {
            throw new IllegalArgumentException("layer '" + layer + "': " + shape + " activations need " + shape.size()
                    + " values, got " + values.length);
        }
        values = values.clone();
    }

    /** A copy of the output values, row-major. */
    @Override
    public float[] values() {
        return values.clone();
    }

    /**
     * Runs {@code model} forward in inference mode on {@code input} (its compiled shape) and returns every layer's
     * output for batch item {@code item}, in forward order.
     */
    public static List<LayerActivations> of(Sequential model, Tensor input, int item) {
        Shape compiled = model.inputShape();
        if (compiled == null) {
            throw new IllegalStateException("model '" + model.name() + "' is not compiled; compile it for the input"
                    + " shape first");
        }
        if (!input.shape().equals(compiled)) {
            throw new IllegalArgumentException("activations: expected an input of " + compiled + " (the shape model '"
                    + model.name() + "' is compiled for), got " + input.shape());
        }
        if (item < 0 || item >= compiled.batch()) {
            throw new IllegalArgumentException("activations: item " + item + " is out of range; the batch has "
                    + compiled.batch());
        }
        List<LayerActivations> all = new ArrayList<>();
        Tensor x = input;
        for (Layer layer : ModelLayers.leaves(model)) {
            x = layer.forward(x, false);
            Shape out = x.shape();
            int size = out.sampleSize();
            float[] values = Arrays.copyOfRange(x.toArray(), item * size, (item + 1) * size);
            int[] dims = Arrays.copyOfRange(out.dims(), 1, out.rank());
            Shape sample = dims.length == 0 ? Shape.of(1) : Shape.of(dims);
            all.add(new LayerActivations(layer.name(), layer.getClass().getSimpleName(), sample, values));
        }
        return all;
    }

    /** One picture per feature map (C pictures of H×W) for C×H×W output, else the values as one near-square grid. */
    public List<Picture> pictures() {
        if (shape.rank() != 3) {
            return List.of(Picture.ofVector(values));
        }
        Picture maps = new Picture(shape.dim(0), shape.dim(1), shape.dim(2), values);
        List<Picture> pictures = new ArrayList<>();
        for (int c = 0; c < shape.dim(0); c++) {
            pictures.add(maps.channel(c));
        }
        return pictures;
    }
}
