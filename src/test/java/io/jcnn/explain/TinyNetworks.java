package io.jcnn.explain;

import io.jcnn.backend.Backend;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Layer;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Shape;

/** Small networks with hand-set weights, compiled on a backend, for checks against hand calculations. */
final class TinyNetworks {
    private TinyNetworks() {
    }

    /** {@code layers} as a model compiled on {@code backend} for {@code input}. */
    static Sequential compiled(Backend backend, Shape input, Layer... layers) {
        Sequential model = new Sequential("tiny", layers);
        model.compile(backend, input, 1);
        return model;
    }

    /** Overwrites parameter {@code name} (such as {@code fc1.weight}) with {@code values}, row-major. */
    static void set(Sequential model, String name, float... values) {
        for (Param p : model.params()) {
            if (p.name().equals(name)) {
                p.value().copyFrom(values);
                return;
            }
        }
        throw new IllegalArgumentException("no parameter " + name + " in " + model.params());
    }
}
