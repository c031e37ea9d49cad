package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.init.Initializer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/** Creates parameter tensors initialised on the host and uploaded, so all backends start identically. */
final class Parameters {
    private Parameters() {
    }

    static Tensor initialised(Backend backend, Shape shape, Initializer init, int fanIn, int fanOut, long seed) {
        float[] values = new float[shape.size()];
        init.fill(values, fanIn, fanOut, seed);
        return backend.tensor(shape, values);
    }

    static Tensor filled(Backend backend, Shape shape, float value) {
        Tensor t = backend.allocate(shape);
        if (value != 0f) {
            backend.fill(t, value);
        }
        return t;
    }
}
