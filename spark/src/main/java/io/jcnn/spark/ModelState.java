package io.jcnn.spark;

import io.jcnn.model.Sequential;
import io.jcnn.nn.Param;
import io.jcnn.optim.Optimizer;
import io.jcnn.tensor.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's trainable state as host arrays, what the driver broadcasts each round and the partitions send back: the
 * parameters, the buffers (batch-norm running statistics), the optimizer's state tensors (SGD's velocities, Adam's
 * moments), in that order, and the optimizer's step count.
 */
final class ModelState implements Serializable {
    private static final long serialVersionUID = 1L;
    private final float[][] tensors;
    private final int optimizerSteps;

    ModelState(float[][] tensors, int optimizerSteps) {
        this.tensors = tensors;
        this.optimizerSteps = optimizerSteps;
    }

    /** Copies {@code model}'s and {@code optimizer}'s state to the host. */
    static ModelState capture(Sequential model, Optimizer optimizer) {
        List<float[]> all = new ArrayList<>();
        for (Tensor t : tensorsOf(model, optimizer)) {
            all.add(t.toArray());
        }
        return new ModelState(all.toArray(float[][]::new), optimizer.steps());
    }

    /** Copies this state into {@code model} and {@code optimizer} (compiled alike). */
    void restore(Sequential model, Optimizer optimizer) {
        List<Tensor> targets = tensorsOf(model, optimizer);
        if (targets.size() != tensors.length) {
            throw new IllegalStateException("a model state of " + tensors.length + " tensors cannot be restored into "
                    + targets.size());
        }
        for (int i = 0; i < tensors.length; i++) {
            targets.get(i).copyFrom(tensors[i]);
        }
        optimizer.restoreSteps(optimizerSteps);
    }

    private static List<Tensor> tensorsOf(Sequential model, Optimizer optimizer) {
        List<Tensor> all = new ArrayList<>();
        for (Param p : model.params()) {
            all.add(p.value());
        }
        all.addAll(model.buffers());
        all.addAll(optimizer.state());
        return all;
    }

    float[][] tensors() {
        return tensors;
    }

    int optimizerSteps() {
        return optimizerSteps;
    }
}
