package io.jcnn.model;

import io.jcnn.backend.Backend;
import io.jcnn.nn.Layer;
import io.jcnn.nn.Param;
import io.jcnn.nn.ReluPoolBackward;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Layers applied one after another. A Sequential is itself a {@link Layer}, so models nest. Compiling plans every
 * layer for the input shape and allocates all parameters and activations; forward and backward then allocate
 * nothing. Layer i is initialised from a seed derived from the model seed and i, so a fixed seed gives the same
 * weights on every backend. Backward runs a ReLU and the pooling layer after it as one op
 * ({@link ReluPoolBackward}), with the same result as the two layers' backward passes in turn.
 */
public final class Sequential implements Layer {
    private final String name;
    private final List<Layer> layers;
    private Shape inputShape;
    private Shape outputShape;
    private Backend backend;

    /**
     * A model named {@code "model"} of {@code layers}, in order.
     *
     * @throws IllegalArgumentException if there are no layers or two share a name
     */
    public Sequential(Layer... layers) {
        this("model", layers);
    }

    /**
     * A model called {@code name} of {@code layers}, in order.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, there are no layers, or two share a name
     */
    public Sequential(String name, Layer... layers) {
        this(name, List.of(layers));
    }

    /**
     * A model called {@code name} of {@code layers}, in order; the list is copied.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, there are no layers, or two share a name
     */
    public Sequential(String name, List<Layer> layers) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a Sequential needs a name (it is stored in checkpoints), got "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("Sequential '" + name + "' needs at least one layer");
        }
        Set<String> names = new HashSet<>();
        for (Layer layer : layers) {
            if (!names.add(layer.name())) {
                throw new IllegalArgumentException("Sequential '" + name + "': two layers are named '" + layer.name()
                        + "'; layer names must be unique");
            }
        }
        this.name = name;
        this.layers = List.copyOf(layers);
    }

    @Override
    public String name() {
        return name;
    }

    /** The layers in order, unmodifiable. */
    public List<Layer> layers() {
        return layers;
    }

    /** The layer with this name. */
    public Layer layer(String layerName) {
        for (Layer layer : layers) {
            if (layer.name().equals(layerName)) {
                return layer;
            }
        }
        throw new IllegalArgumentException("Sequential '" + name + "' has no layer named '" + layerName + "'");
    }

    @Override
    public Shape compile(Backend backend, Shape input, long seed) {
        Shape shape = input;
        for (int i = 0; i < layers.size(); i++) {
            shape = layers.get(i).compile(backend, shape, CounterRandom.derive(seed, i));
        }
        inputShape = input;
        outputShape = shape;
        this.backend = backend;
        return shape;
    }

    /** The backend the model was compiled on. */
    public Backend backend() {
        if (backend == null) {
            throw new IllegalStateException("Sequential '" + name + "' is not compiled yet; call compile first");
        }
        return backend;
    }

    /** The input shape of the last compile, or null before the first. */
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public Shape outputShape() {
        return outputShape;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        Tensor x = input;
        for (Layer layer : layers) {
            x = layer.forward(x, training);
        }
        return x;
    }

    @Override
    public Tensor backward(Tensor outputGradient) {
        Tensor d = outputGradient;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer layer = layers.get(i);
            if (i > 0 && ReluPoolBackward.applies(layers.get(i - 1), layer)) {
                d = ReluPoolBackward.backward(layers.get(--i), layer, d);
            } else {
                d = layer.backward(d);
            }
        }
        return d; // null when the first layer's input gradient is not needed
    }

    /** Applies to the first layer, the only one whose input gradient leaves the model. */
    @Override
    public void setInputGradientNeeded(boolean needed) {
        layers.get(0).setInputGradientNeeded(needed);
    }

    @Override
    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (Layer layer : layers) {
            all.addAll(layer.params());
        }
        return all;
    }

    @Override
    public List<Tensor> buffers() {
        List<Tensor> all = new ArrayList<>();
        for (Layer layer : layers) {
            all.addAll(layer.buffers());
        }
        return all;
    }

    @Override
    public void reseed(long seed) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).reseed(CounterRandom.derive(seed, i));
        }
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long count = 0;
        for (Param p : params()) {
            count += p.value().size();
        }
        return count;
    }

    @Override
    public long forwardFlops() {
        long flops = 0;
        for (Layer layer : layers) {
            flops += layer.forwardFlops();
        }
        return flops;
    }

    /** One line per layer: name, type, output shape, parameter count and forward MFLOPs (after compile). */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-12s %-18s %-22s %12s %12s%n", "layer", "type", "output", "params", "fwd MFLOP"));
        for (Layer layer : layers) {
            long count = 0;
            for (Param p : layer.params()) {
                count += p.value().size();
            }
            b.append(String.format(java.util.Locale.ROOT, "%-12s %-18s %-22s %12d %12.1f%n", layer.name(),
                    layer.getClass().getSimpleName(), layer.outputShape(), count, layer.forwardFlops() / 1e6));
        }
        b.append(String.format(java.util.Locale.ROOT, "%-12s %-18s %-22s %12d %12.1f%n", "total", "",
                inputShape + " in", parameterCount(), forwardFlops() / 1e6));
        return b.toString();
    }

    @Override
    public void close() {
        for (Layer layer : layers) {
            layer.close();
        }
    }
}
