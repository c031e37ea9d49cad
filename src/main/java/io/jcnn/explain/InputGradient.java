package io.jcnn.explain;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.model.Sequential;
import io.jcnn.nn.ActivationLayer;
import io.jcnn.nn.Layer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Differentiates a compiled classifier's class scores (its outputs, the logits before any softmax) with respect to
 * its input: the engine behind saliency maps, guided backpropagation, class visualisation and adversarial examples.
 *
 * <p>The model must be compiled for the input shape to explain (N×C×H×W) and output N×classes scores. Everything runs
 * on the model's backend through its layers' own forward and backward passes; the forward pass is in inference mode
 * (no dropout, running batch-norm statistics). Creating an {@code InputGradient} turns on the model's input gradient
 * ({@link Layer#setInputGradientNeeded}). Parameter gradients are overwritten as a side effect of backward.
 *
 * <p>Guided backpropagation needs nothing but backend operations: a ReLU layer's backward gives (x &gt; 0)·g, and a
 * ReLU forward of that gives (x &gt; 0)·max(g, 0).
 */
public final class InputGradient implements AutoCloseable {
    private final Sequential model;
    private final Backend backend;
    private final List<Layer> layers;
    private final int classes;
    private final Map<Layer, Tensor> guidedGradients = new IdentityHashMap<>();
    private Tensor scoreGradient;
    private boolean forwardDone;

    /** For {@code model}, compiled for the input shape to explain. */
    public InputGradient(Sequential model) {
        if (model.inputShape() == null) {
            throw new IllegalStateException("model '" + model.name() + "' is not compiled; compile it for the input"
                    + " shape to explain first");
        }
        Shape output = model.outputShape();
        if (output.rank() != 2) {
            throw new IllegalArgumentException("model '" + model.name() + "' outputs " + output
                    + "; explaining a classifier needs N×classes scores");
        }
        this.model = model;
        this.backend = model.backend();
        this.layers = ModelLayers.leaves(model);
        this.classes = output.dim(1);
        model.setInputGradientNeeded(true);
    }

    /** The model being differentiated. */
    public Sequential model() {
        return model;
    }

    /** Number of classes the model scores. */
    public int classes() {
        return classes;
    }

    /** The input shape the model is compiled for. */
    public Shape inputShape() {
        return model.inputShape();
    }

    /**
     * Runs the model forward in inference mode on {@code input} (the compiled shape, on the model's backend) and
     * returns its class scores. A following {@link #gradient} differentiates this forward pass.
     */
    public ClassScores scores(Tensor input) {
        checkInput(input, "explain");
        forwardDone = true;
        Tensor output = model.forward(input, false);
        return new ClassScores(output.toArray(), output.shape().dim(0), classes);
    }

    /**
     * ∂/∂input of Σₙ score[n, classes[n]] for the last {@link #scores} call: for each batch item, the gradient of
     * its chosen class's score with respect to that item. The tensor (input shape) belongs to the model or to this
     * object and is overwritten by the next call.
     */
    public Tensor gradientOfScores(int[] chosen, GradientRule rule) {
        int batch = inputShape().dim(0);
        if (chosen.length != batch) {
            throw new IllegalArgumentException("explain: expected one class per batch item (" + batch + "), got "
                    + chosen.length);
        }
        float[] oneHot = new float[batch * classes];
        for (int n = 0; n < batch; n++) {
            ClassScores.checkClass(chosen[n], classes, "explain");
            oneHot[n * classes + chosen[n]] = 1f;
        }
        if (scoreGradient == null) {
            scoreGradient = backend.allocate(model.outputShape());
        }
        scoreGradient.copyFrom(oneHot);
        return gradient(scoreGradient, rule);
    }

    /**
     * ∂L/∂input for the last {@link #scores} call, given ∂L/∂scores ({@code scoreGradient}, N×classes on the model's
     * backend), crossing ReLUs by {@code rule}. The tensor belongs to the model or to this object and is overwritten
     * by the next call.
     */
    public Tensor gradient(Tensor scoreGradient, GradientRule rule) {
        if (!forwardDone) {
            throw new IllegalStateException("explain: call scores(input) before asking for a gradient");
        }
        if (!scoreGradient.shape().equals(model.outputShape())) {
            throw new IllegalArgumentException("explain: expected a score gradient " + model.outputShape()
                    + " (the model's output), got " + scoreGradient.shape());
        }
        Tensor d = scoreGradient;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer layer = layers.get(i);
            d = layer.backward(d);
            if (rule == GradientRule.GUIDED && isRelu(layer)) {
                Tensor guided = guidedGradients.computeIfAbsent(layer, l -> backend.allocate(l.outputShape()));
                backend.activationForward(Activation.RELU, d, guided); // (x > 0)·g  →  (x > 0)·max(g, 0)
                d = guided;
            }
        }
        return d;
    }

    private static boolean isRelu(Layer layer) {
        return layer instanceof ActivationLayer activation && activation.activation().kind() == Activation.Kind.RELU;
    }

    /** Whether the model has a ReLU layer, the only kind {@link GradientRule#GUIDED} treats differently. */
    public boolean hasRelu() {
        return layers.stream().anyMatch(InputGradient::isRelu);
    }

    void checkInput(Tensor input, String what) {
        if (input.backend() != backend) {
            throw new IllegalArgumentException(what + ": the input is on " + input.backend().name() + " but model '"
                    + model.name() + "' is on " + backend.name());
        }
        if (!input.shape().equals(inputShape())) {
            throw new IllegalArgumentException(what + ": expected an input of " + inputShape() + " (the shape model '"
                    + model.name() + "' is compiled for), got " + input.shape());
        }
    }

    Backend backend() {
        return backend;
    }

    /** Frees this object's own tensors; the model stays open. */
    @Override
    public void close() {
        for (Tensor t : guidedGradients.values()) {
            t.close();
        }
        guidedGradients.clear();
        if (scoreGradient != null) {
            scoreGradient.close();
            scoreGradient = null;
        }
    }
}
