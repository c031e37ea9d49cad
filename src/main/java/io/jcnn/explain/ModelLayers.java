package io.jcnn.explain;

import io.jcnn.model.Sequential;
import io.jcnn.nn.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A model's layers as its forward pass runs them: nested {@link Sequential}s expanded into their layers. */
final class ModelLayers {
    private ModelLayers() {
    }

    /** The layers {@link Sequential#forward} runs, in order. */
    static List<Layer> leaves(Sequential model) {
        List<Layer> all = new ArrayList<>();
        for (Layer layer : model.layers()) {
            if (layer instanceof Sequential inner) {
                all.addAll(leaves(inner));
            } else {
                all.add(layer);
            }
        }
        return all;
    }

    /** For messages: {@code conv1 Conv2d, pool1 MaxPool2d, ...}. */
    static String describe(Sequential model) {
        return leaves(model).stream()
                .map(l -> l.name() + " " + l.getClass().getSimpleName())
                .collect(Collectors.joining(", "));
    }
}
