package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The bookkeeping every layer shares: compile caching, the owned output and input-gradient tensors, input checks
 * that name the layer, and the forward-before-backward rule. Subclasses supply the shape rule, the parameters and
 * the two passes.
 */
public abstract class AbstractLayer implements Layer {
    private final String name;
    private final List<Param> params = new ArrayList<>();
    private final List<Tensor> ownedState = new ArrayList<>();
    private Backend backend;
    private Shape inputShape;
    private Shape outputShape;
    private Tensor output;
    private Tensor inputGradient;
    private Tensor lastInput;
    private boolean created;
    private boolean inputGradientNeeded = true;

    /**
     * A layer called {@code name}, unique within its model.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    protected AbstractLayer(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a layer needs a non-blank name");
        }
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    /** The backend of the last compile. */
    protected final Backend backend() {
        if (backend == null) {
            throw new IllegalStateException(describe() + " is not compiled; call compile(backend, inputShape, seed) first");
        }
        return backend;
    }

    /** The input shape of the last compile. */
    public final Shape inputShape() {
        return inputShape;
    }

    @Override
    public final Shape outputShape() {
        return outputShape;
    }

    @Override
    public final Shape compile(Backend target, Shape shape, long seed) {
        if (target == null || shape == null) {
            throw new IllegalArgumentException(describe() + ": compile needs a backend and an input shape");
        }
        if (backend != null && backend != target) {
            throw new IllegalArgumentException(describe() + " is compiled on " + backend.name()
                    + "; it cannot be re-compiled on " + target.name() + " (copy its parameters to a new model)");
        }
        if (target == backend && shape.equals(inputShape)) {
            return outputShape;
        }
        releaseShapeState();
        // Until the new plan stands, the layer is compiled for no shape: a refused shape must not leave the old one
        // looking valid (its plan and tensors are gone), so that compiling for it again plans it again.
        inputShape = null;
        outputShape = null;
        backend = target;
        Shape out = plan(target, shape);
        inputShape = shape;
        outputShape = out;
        if (!created) {
            createParams(target, seed);
            created = true;
        }
        output = target.allocate(out);
        inputGradient = target.allocate(shape);
        return out;
    }

    /**
     * Validates {@code input} and returns the output shape, making any per-shape plans and tensors (released in
     * {@link #releasePlan}). Throw {@link IllegalArgumentException} via {@link #reject} when the shape does not fit.
     */
    protected abstract Shape plan(Backend backend, Shape input);

    /** Creates parameters with {@link #addParam} and state with {@link #addState}; called once. */
    protected void createParams(Backend backend, long seed) {
    }

    /** y = f(x) into the layer-owned output. */
    protected abstract void forward(Tensor x, Tensor y, boolean training);

    /** dx (layer-owned) and parameter gradients from x, y and dy. */
    protected abstract void backward(Tensor x, Tensor y, Tensor dy, Tensor dx);

    /** Frees what {@link #plan} made. */
    protected void releasePlan() {
    }

    @Override
    public final void setInputGradientNeeded(boolean needed) {
        inputGradientNeeded = needed;
    }

    /** False when nobody reads ∂L/∂x: {@link #backward(Tensor, Tensor, Tensor, Tensor)} may leave dx unwritten. */
    protected final boolean inputGradientNeeded() {
        return inputGradientNeeded;
    }

    /** Registers a parameter and allocates its gradient; the layer owns both tensors. */
    protected final Param addParam(String paramName, Tensor value, boolean decayed) {
        Param p = new Param(name + "." + paramName, value, backend().allocate(value.shape()), decayed);
        params.add(p);
        return p;
    }

    /** Registers a non-trainable tensor the layer owns and frees on close. */
    protected final Tensor addState(Tensor t) {
        ownedState.add(t);
        return t;
    }

    @Override
    public List<Param> params() {
        return Collections.unmodifiableList(params);
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        checkInput("forward", "input", input, inputShape);
        lastInput = input;
        forward(input, output, training);
        return output;
    }

    @Override
    public Tensor backward(Tensor outputGradient) {
        checkBackward(outputGradient);
        backward(lastInput, output, outputGradient, inputGradient);
        return inputGradientNeeded ? inputGradient : null;
    }

    /** What {@link #backward(Tensor)} checks before it runs: a forward before it, and the gradient's shape. */
    final void checkBackward(Tensor outputGradient) {
        if (lastInput == null) {
            throw new IllegalStateException(describe() + ": backward called before forward");
        }
        if (lastInput.isClosed()) {
            throw new IllegalStateException(describe() + ": the input of the last forward was closed before backward");
        }
        checkInput("backward", "output gradient", outputGradient, outputShape);
    }

    /** The input of the last forward, or null before one. */
    final Tensor lastInput() {
        return lastInput;
    }

    /** The layer-owned output of forward. */
    final Tensor output() {
        return output;
    }

    /** The layer-owned ∂L/∂x that backward writes. */
    final Tensor inputGradient() {
        return inputGradient;
    }

    private void checkInput(String pass, String role, Tensor t, Shape expected) {
        if (backend == null) {
            throw new IllegalStateException(describe() + ": " + pass + " before compile");
        }
        if (t == null) {
            throw new IllegalArgumentException(describe() + ": " + pass + " " + role + " is null");
        }
        if (t.backend() != backend) {
            throw new IllegalArgumentException(describe() + ": " + pass + " " + role + " is on "
                    + OpChecks.where(t.backend(), backend) + ", expected " + backend.name());
        }
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(describe() + ": " + pass + " expected " + role + " " + expected
                    + ", got " + t.shape() + (pass.equals("forward") ? " (compile again for a new input shape)" : ""));
        }
    }

    /** An {@link IllegalArgumentException} for a shape the layer cannot take, naming the layer. */
    protected final IllegalArgumentException reject(Shape input, String expectation) {
        return new IllegalArgumentException(describe() + ": expected input " + expectation + ", got " + input);
    }

    /** For example {@code Conv2d 'conv1'}. */
    protected final String describe() {
        return getClass().getSimpleName() + " '" + name + "'";
    }

    private void releaseShapeState() {
        releasePlan();
        if (output != null) {
            output.close();
            output = null;
        }
        if (inputGradient != null) {
            inputGradient.close();
            inputGradient = null;
        }
        lastInput = null;
    }

    @Override
    public void close() {
        releaseShapeState();
        for (Param p : params) {
            p.value().close();
            p.gradient().close();
        }
        for (Tensor t : ownedState) {
            t.close();
        }
        params.clear();
        ownedState.clear();
        created = false;
        backend = null;
        inputShape = null;
        outputShape = null;
    }

    @Override
    public String toString() {
        return describe() + (inputShape == null ? "" : " " + inputShape + " -> " + outputShape);
    }
}
