package io.jcnn.explain;

import io.jcnn.backend.Backend;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Layer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A compiled model's layers from the input up to a chosen one, re-compiled for images of any size the layers take:
 * what optimising the input against an inner layer (a dream, a style) runs. Only those layers are run, so the later
 * dense layers, which fix the input size, do not constrain the image. Backward takes gradients at several layers'
 * outputs at once and returns the gradient with respect to the image.
 *
 * <p>Closing it compiles the layers back for the model's own input shape, so the model is whole again afterwards.
 * All computation is on the model's backend.
 */
final class LayerChain implements AutoCloseable {
    private final Sequential model;
    private final Backend backend;
    private final List<Layer> layers;
    private final Map<Integer, Tensor> sums = new HashMap<>();
    private final List<Tensor> outputs = new ArrayList<>();
    private Shape input;

    /** The layers of {@code model} (compiled) from the first to {@code last}, an index into its leaves. */
    LayerChain(Sequential model, int last) {
        if (model.inputShape() == null) {
            throw new IllegalStateException("model '" + model.name() + "' is not compiled");
        }
        List<Layer> leaves = ModelLayers.leaves(model);
        if (last < 0 || last >= leaves.size()) {
            throw new IllegalArgumentException("layer index " + last + " is out of range for model '" + model.name()
                    + "'");
        }
        this.model = model;
        this.backend = model.backend();
        this.layers = List.copyOf(leaves.subList(0, last + 1));
        layers.get(0).setInputGradientNeeded(true);
    }

    /**
     * The index among {@code model}'s leaves of the layer called {@code name}.
     *
     * @throws IllegalArgumentException naming the layers there are, if none is called that
     */
    static int indexOf(Sequential model, String name, String what) {
        List<Layer> leaves = ModelLayers.leaves(model);
        for (int i = 0; i < leaves.size(); i++) {
            if (leaves.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(what + ": model '" + model.name() + "' has no layer '" + name
                + "'; its layers are " + ModelLayers.describe(model));
    }

    /** The backend the chain runs on: the model's. */
    Backend backend() {
        return backend;
    }

    /** The chain's layer at {@code index}. */
    Layer layer(int index) {
        return layers.get(index);
    }

    /**
     * Compiles the chain for one image of {@code channels}×{@code height}×{@code width}; returns the shape of the
     * input.
     *
     * @throws IllegalArgumentException naming the layer and the size, if a layer cannot take it
     */
    Shape compile(int channels, int height, int width, String what) {
        Shape shape = Shape.nchw(1, channels, height, width);
        if (shape.equals(input)) {
            return input;
        }
        Shape s = shape;
        input = null; // a failure part-way leaves the first layers compiled for the size refused
        try {
            for (Layer layer : layers) {
                s = layer.compile(backend, s, 0);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": model '" + model.name() + "' cannot take a " + channels + "×"
                    + height + "×" + width + " image up to layer '" + layers.get(layers.size() - 1).name() + "' ("
                    + e.getMessage() + ")", e);
        }
        input = shape;
        return shape;
    }

    /** Runs the chain in inference mode on {@code x}; every layer's output is then readable by {@link #output}. */
    Tensor forward(Tensor x) {
        outputs.clear();
        Tensor y = x;
        for (Layer layer : layers) {
            y = layer.forward(y, false);
            outputs.add(y);
        }
        return y;
    }

    /** Layer {@code index}'s output of the last forward pass (owned by the layer). */
    Tensor output(int index) {
        if (index >= outputs.size()) {
            throw new IllegalStateException("run forward before reading layer outputs");
        }
        return outputs.get(index);
    }

    /**
     * ∂L/∂image for the last forward pass, given ∂L/∂(output of layer i) for each i in {@code gradients} (tensors of
     * those outputs' shapes). The returned tensor belongs to the first layer and is overwritten by the next call.
     */
    Tensor backward(Map<Integer, Tensor> gradients) {
        NavigableMap<Integer, Tensor> sorted = new TreeMap<>(gradients);
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("backward needs the gradient at one layer at least");
        }
        Tensor d = null;
        for (int i = sorted.lastKey(); i >= 0; i--) {
            Tensor injected = sorted.get(i);
            if (injected != null) {
                if (d == null) {
                    d = injected;
                } else {
                    Tensor sum = sums.computeIfAbsent(i, k -> backend.allocate(injected.shape()));
                    if (!sum.shape().equals(injected.shape())) {
                        sum.close();
                        sum = backend.allocate(injected.shape());
                        sums.put(i, sum);
                    }
                    backend.copy(d, sum);
                    backend.axpy(1f, injected, sum);
                    d = sum;
                }
            }
            d = layers.get(i).backward(d);
        }
        return d;
    }

    /** Frees the chain's own tensors and compiles its layers back for the model's input shape. */
    @Override
    public void close() {
        for (Tensor t : sums.values()) {
            t.close();
        }
        sums.clear();
        outputs.clear();
        Shape s = model.inputShape();
        for (Layer layer : layers) {
            s = layer.compile(backend, s, 0);
        }
        input = null;
    }

    /** The image shape the chain is compiled for, or null before {@link #compile}. */
    Shape inputShape() {
        return input;
    }

    /** Every layer's output shape for the compiled input, in order. */
    List<Shape> outputShapes() {
        List<Shape> shapes = new ArrayList<>();
        for (Layer layer : layers) {
            shapes.add(layer.outputShape());
        }
        return shapes;
    }
}
