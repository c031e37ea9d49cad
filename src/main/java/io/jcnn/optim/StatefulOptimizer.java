package io.jcnn.optim;

import io.jcnn.backend.Backend;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What every optimizer here shares: the learning rate, the step count, and per-parameter state tensors allocated
 * once by {@link #compile} and freed by {@link #close}. Subclasses say how many state tensors a parameter needs and
 * how one parameter is updated; {@link #step} loops over arrays and allocates nothing.
 */
abstract class StatefulOptimizer implements Optimizer {
    private final String name;
    private final int statePerParam;
    private float learningRate;
    private Backend backend;
    private Param[] params;
    private Tensor[] state;
    private List<Tensor> stateView = List.of();
    private int steps;
    private boolean closed;

    StatefulOptimizer(String name, int statePerParam, float learningRate) {
        this.name = name;
        this.statePerParam = statePerParam;
        this.learningRate = checkLearningRate(name, learningRate);
    }

    static float checkLearningRate(String name, float learningRate) {
        if (!(learningRate >= 0f) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException(name + ": learning rate must be finite and >= 0, got " + learningRate);
        }
        return learningRate;
    }

    static float checkWeightDecay(String name, float weightDecay) {
        if (!(weightDecay >= 0f) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException(name + ": weight decay must be finite and >= 0, got " + weightDecay);
        }
        return weightDecay;
    }

    /** In [0, 1): 1 would make the running average never forget. */
    static float checkUnitInterval(String name, String what, float value) {
        if (!(value >= 0f && value < 1f)) {
            throw new IllegalArgumentException(name + ": " + what + " must be in [0, 1), got " + value);
        }
        return value;
    }

    @Override
    public final void compile(Backend backend, List<Param> params) {
        if (closed) {
            throw new IllegalStateException(name + ": closed; make a new optimizer");
        }
        if (this.backend != null) {
            throw new IllegalStateException(name + ": already compiled for " + this.params.length
                    + " params; make a new optimizer for another model");
        }
        Objects.requireNonNull(backend, name + ": backend is null");
        Objects.requireNonNull(params, name + ": params is null");
        Param[] list = params.toArray(new Param[0]);
        for (int i = 0; i < list.length; i++) {
            Param p = list[i];
            if (p == null) {
                throw new IllegalArgumentException(name + ": param " + i + " is null");
            }
            if (p.value().backend() != backend || p.gradient().backend() != backend) {
                throw new IllegalArgumentException(name + ": param " + p.name() + " lives on "
                        + p.value().backend().name() + ", expected " + backend.name());
            }
        }
        Tensor[] allocated = new Tensor[list.length * statePerParam];
        try {
            for (int i = 0; i < list.length; i++) {
                for (int k = 0; k < statePerParam; k++) {
                    // allocate() zero-fills, which is the initial velocity and moments.
                    allocated[i * statePerParam + k] = backend.allocate(list[i].value().shape());
                }
            }
        } catch (RuntimeException e) {
            for (Tensor t : allocated) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        this.backend = backend;
        this.params = list;
        this.state = allocated;
        this.stateView = List.copyOf(Arrays.asList(allocated));
    }

    @Override
    public final void step() {
        if (closed) {
            throw new IllegalStateException(name + ": step() after close()");
        }
        if (backend == null) {
            throw new IllegalStateException(name + ": step() before compile()");
        }
        steps++;
        for (int i = 0; i < params.length; i++) {
            update(backend, params[i], state, i * statePerParam, learningRate, steps);
        }
    }

    /**
     * Updates one parameter in place through the backend. Its state tensors are
     * {@code state[first .. first + statePerParam)}; {@code step} counts from 1.
     */
    abstract void update(Backend backend, Param param, Tensor[] state, int first, float learningRate, int step);

    @Override
    public final float learningRate() {
        return learningRate;
    }

    @Override
    public final void setLearningRate(float learningRate) {
        this.learningRate = checkLearningRate(name, learningRate);
    }

    @Override
    public final int steps() {
        return steps;
    }

    @Override
    public final void restoreSteps(int steps) {
        if (backend == null) {
            throw new IllegalStateException(name + ": restoreSteps() before compile()");
        }
        if (steps < 0) {
            throw new IllegalArgumentException(name + ": step count must be >= 0, got " + steps);
        }
        this.steps = steps;
    }

    @Override
    public final List<Tensor> state() {
        return stateView;
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (state != null) {
            for (Tensor t : state) {
                t.close();
            }
        }
        stateView = List.of();
    }
}
