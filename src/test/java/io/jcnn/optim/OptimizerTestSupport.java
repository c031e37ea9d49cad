package io.jcnn.optim;

import io.jcnn.backend.Backend;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.List;

/** Builds params by hand for the optimizer tests and frees them afterwards. */
final class OptimizerTestSupport {
    private OptimizerTestSupport() {
    }

    /** A param holding {@code values} whose gradient holds {@code gradient}. */
    static Param param(Backend backend, String name, boolean decayed, float[] values, float[] gradient) {
        Shape shape = Shape.of(values.length);
        Param p = new Param(name, backend.tensor(shape, values), backend.allocate(shape), decayed);
        p.gradient().copyFrom(gradient);
        return p;
    }

    static void close(List<Param> params) {
        for (Param p : params) {
            p.value().close();
            p.gradient().close();
        }
    }
}
