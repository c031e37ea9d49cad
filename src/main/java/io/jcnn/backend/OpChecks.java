package io.jcnn.backend;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.function.Supplier;

/**
 * Argument validation shared by every backend, so each op rejects bad input the same way, before any work, with a
 * message naming the op, the argument, what was expected and what was given.
 */
public final class OpChecks {
    private OpChecks() {
    }

    /**
     * Refuses any use of a closed backend: an op, an allocation, a transfer or a plan.
     *
     * @throws IllegalStateException if {@code backend} is closed
     */
    public static void open(Backend backend, String op) {
        if (backend.isClosed()) {
            throw new IllegalStateException(op + ": backend " + backend.name() + " is closed");
        }
    }

    /** Fails unless every tensor is open and lives on {@code backend}. */
    public static void onBackend(Backend backend, String op, Tensor... tensors) {
        open(backend, op);
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (t == null) {
                throw new IllegalArgumentException(op + ": tensor argument " + (i + 1) + " is null");
            }
            if (t.isClosed()) {
                throw new IllegalArgumentException(op + ": tensor argument " + (i + 1) + " " + t.shape() + " is closed");
            }
            if (t.backend() != backend) {
                throw new IllegalArgumentException(op + ": tensor argument " + (i + 1) + " " + t.shape() + " is on "
                        + where(t.backend(), backend) + ", expected " + backend.name()
                        + "; copy it explicitly with Tensor.copyTo");
            }
        }
    }

    /** Names the backend {@code actual}, telling it apart from {@code expected} when both share a name. */
    public static String where(Backend actual, Backend expected) {
        return actual.name().equals(expected.name()) ? "another " + actual.name() + " backend instance" : actual.name();
    }

    /**
     * Fails unless {@code t} has exactly the shape {@code expected}; {@code role} names the argument in the message.
     *
     * @throws IllegalArgumentException if the shapes differ
     */
    public static void shape(String op, String role, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + role + " must be " + expected + ", got " + t.shape());
        }
    }

    /**
     * Fails unless {@code t} holds exactly {@code expected} elements, whatever its shape.
     *
     * @throws IllegalArgumentException if the element counts differ
     */
    public static void size(String op, String role, Tensor t, long expected) {
        if (t.size() != expected) {
            throw new IllegalArgumentException(op + ": " + role + " must hold " + expected + " elements, got "
                    + t.size() + " (" + t.shape() + ")");
        }
    }

    /** As {@link #size(String, String, Tensor, long)}, with a role described only when the check fails. */
    static void size(String op, Supplier<String> role, Tensor t, long expected) {
        if (t.size() != expected) {
            size(op, role.get(), t, expected);
        }
    }

    /** upload: target on the backend, and exactly target.size() floats to copy. */
    public static void upload(Backend backend, float[] source, Tensor target) {
        onBackend(backend, "upload", target);
        if (source == null || source.length != target.size()) {
            throw new IllegalArgumentException("upload: expected " + target.size() + " floats for " + target.shape()
                    + ", got " + (source == null ? "null" : source.length));
        }
    }

    /** download: source on the backend, and room for its floats. */
    public static void download(Backend backend, Tensor source, float[] target) {
        onBackend(backend, "download", source);
        if (target == null || target.length < source.size()) {
            throw new IllegalArgumentException("download: expected room for " + source.size() + " floats of "
                    + source.shape() + ", got " + (target == null ? "null" : target.length));
        }
    }

    /**
     * Fails unless {@code a} and {@code b} hold as many elements (their shapes may differ).
     *
     * @throws IllegalArgumentException if the element counts differ
     */
    public static void sameSize(String op, String roleA, Tensor a, String roleB, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(op + ": " + roleB + " " + b.shape() + " must have as many elements as "
                    + roleA + " " + a.shape());
        }
    }

    /**
     * Fails unless {@code b} has the shape of {@code a}.
     *
     * @throws IllegalArgumentException if the shapes differ
     */
    public static void sameShape(String op, String roleA, Tensor a, String roleB, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": " + roleB + " must have the shape of " + roleA + " "
                    + a.shape() + ", got " + b.shape());
        }
    }

    /**
     * Fails if {@code a} and {@code b} share storage, for ops that cannot work in place.
     *
     * @throws IllegalArgumentException if both are views of one storage
     */
    public static void distinct(String op, String roleA, Tensor a, String roleB, Tensor b) {
        if (a.storage() == b.storage()) {
            throw new IllegalArgumentException(op + ": " + roleA + " and " + roleB + " must not share storage");
        }
    }

    /**
     * Fails unless {@code value} is finite (neither NaN nor infinite).
     *
     * @throws IllegalArgumentException if it is not
     */
    public static void finite(String op, String role, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(op + ": " + role + " must be finite, got " + value);
        }
    }

    /**
     * Fails unless {@code plan} is non-null and was made by {@code backend} ({@code planBackend} is the backend that
     * made it).
     *
     * @throws IllegalArgumentException if the plan is null or belongs to another backend
     */
    public static void plan(Backend backend, String op, Object plan, Backend planBackend) {
        open(backend, op);
        if (plan == null) {
            throw new IllegalArgumentException(op + ": plan is null; make one with plan*() on this backend");
        }
        if (plan instanceof Plan<?> p && p.isClosed()) {
            throw new IllegalStateException(op + ": the plan " + plan + " is closed; plan again with plan*()");
        }
        if (planBackend != backend) {
            throw new IllegalArgumentException(op + ": plan was made by " + planBackend.name() + ", expected "
                    + backend.name());
        }
    }

    // ---- per-op contracts ----

    /**
     * Contract of {@link Backend#gemm}: m, n and k positive, finite alpha and beta, A holding m·k, B k·n and C m·n
     * floats, all three on {@code backend}, and C sharing storage with neither A nor B.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void gemm(Backend backend, boolean transposeA, boolean transposeB, int m, int n, int k,
                            float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        String op = "gemm";
        if (m <= 0 || n <= 0 || k <= 0) {
            throw new IllegalArgumentException(op + ": m, n, k must be positive, got m=" + m + " n=" + n + " k=" + k);
        }
        onBackend(backend, op, a, b, c);
        finite(op, "alpha", alpha);
        finite(op, "beta", beta);
        size(op, () -> "A (" + (transposeA ? k + "×" + m : m + "×" + k) + ")", a, (long) m * k);
        size(op, () -> "B (" + (transposeB ? n + "×" + k : k + "×" + n) + ")", b, (long) k * n);
        size(op, () -> "C (" + m + "×" + n + ")", c, (long) m * n);
        distinct(op, "A", a, "C", c);
        distinct(op, "B", b, "C", c);
    }

    /**
     * Checks that {@code plan} is a convolution plan of {@code backend} and returns its geometry.
     *
     * @throws IllegalArgumentException if the plan is null or belongs to another backend
     */
    public static ConvGeometry conv(Backend backend, String op, ConvPlan plan) {
        plan(backend, op, plan, plan == null ? null : plan.backend());
        return plan.geometry();
    }

    /**
     * Contract of {@link Backend#conv2dForward}: x, w and y on {@code backend} with the plan's input, filter and output
     * shapes, and y not sharing storage with x.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void conv2dForward(Backend backend, ConvPlan plan, Tensor x, Tensor w, Tensor y) {
        String op = "conv2dForward";
        ConvGeometry g = conv(backend, op, plan);
        onBackend(backend, op, x, w, y);
        shape(op, "input x", x, g.input());
        shape(op, "filter w", w, g.filter());
        shape(op, "output y", y, g.output());
        distinct(op, "x", x, "y", y);
    }

    /**
     * Contract of {@link Backend#conv2dBackwardData}: dy, w and dx on {@code backend} with the plan's output, filter
     * and input shapes, and dx not sharing storage with dy.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void conv2dBackwardData(Backend backend, ConvPlan plan, Tensor dy, Tensor w, Tensor dx) {
        String op = "conv2dBackwardData";
        ConvGeometry g = conv(backend, op, plan);
        onBackend(backend, op, dy, w, dx);
        shape(op, "output gradient dy", dy, g.output());
        shape(op, "filter w", w, g.filter());
        shape(op, "input gradient dx", dx, g.input());
        distinct(op, "dy", dy, "dx", dx);
    }

    /**
     * Contract of {@link Backend#conv2dBackwardFilter}: x, dy and dw on {@code backend} with the plan's input, output
     * and filter shapes.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void conv2dBackwardFilter(Backend backend, ConvPlan plan, Tensor x, Tensor dy, Tensor dw) {
        String op = "conv2dBackwardFilter";
        ConvGeometry g = conv(backend, op, plan);
        onBackend(backend, op, x, dy, dw);
        shape(op, "input x", x, g.input());
        shape(op, "output gradient dy", dy, g.output());
        shape(op, "filter gradient dw", dw, g.filter());
    }

    /**
     * Contract of {@link Backend#biasAdd}: y N×C or N×C×H×W and bias holding C floats, both on {@code backend}.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void biasAdd(Backend backend, Tensor y, Tensor bias) {
        String op = "biasAdd";
        onBackend(backend, op, y, bias);
        checkBiasShapes(op, "y", y, "bias", bias);
    }

    /**
     * Contract of {@link Backend#biasGradient}: dy N×C or N×C×H×W and dbias holding C floats, both on {@code backend}.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void biasGradient(Backend backend, Tensor dy, Tensor dbias) {
        String op = "biasGradient";
        onBackend(backend, op, dy, dbias);
        checkBiasShapes(op, "dy", dy, "dbias", dbias);
    }

    private static void checkBiasShapes(String op, String dataRole, Tensor data, String biasRole, Tensor bias) {
        if (data.shape().rank() != 2 && data.shape().rank() != 4) {
            throw new IllegalArgumentException(op + ": " + dataRole + " must be N×C or N×C×H×W, got " + data.shape());
        }
        size(op, () -> biasRole + " (one per channel of " + dataRole + " " + data.shape() + ")", bias,
                data.shape().channels());
    }

    /**
     * Checks that {@code plan} is a pooling plan of {@code backend} and returns its geometry.
     *
     * @throws IllegalArgumentException if the plan is null or belongs to another backend
     */
    public static PoolGeometry pool(Backend backend, String op, PoolPlan plan) {
        plan(backend, op, plan, plan == null ? null : plan.backend());
        return plan.geometry();
    }

    /**
     * Contract of {@link Backend#pool2dForward}: x and y on {@code backend} with the plan's input and output shapes.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void pool2dForward(Backend backend, PoolPlan plan, Tensor x, Tensor y) {
        String op = "pool2dForward";
        PoolGeometry g = pool(backend, op, plan);
        onBackend(backend, op, x, y);
        shape(op, "input x", x, g.input());
        shape(op, "output y", y, g.output());
    }

    /**
     * Contract of {@link Backend#pool2dBackward}: x and dx with the plan's input shape, y and dy with its output shape,
     * all on {@code backend}, and dx not sharing storage with dy.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void pool2dBackward(Backend backend, PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        poolBackward("pool2dBackward", backend, plan, x, y, dy, dx);
    }

    /**
     * Contract of {@link Backend#pool2dReluBackward}: that of {@link Backend#pool2dBackward}, and dx not sharing
     * storage with x either (x masks dx after dx is written).
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void pool2dReluBackward(Backend backend, PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        String op = "pool2dReluBackward";
        poolBackward(op, backend, plan, x, y, dy, dx);
        distinct(op, "x", x, "dx", dx);
    }

    private static void poolBackward(String op, Backend backend, PoolPlan plan, Tensor x, Tensor y, Tensor dy,
                                     Tensor dx) {
        PoolGeometry g = pool(backend, op, plan);
        onBackend(backend, op, x, y, dy, dx);
        shape(op, "input x", x, g.input());
        shape(op, "output y", y, g.output());
        shape(op, "output gradient dy", dy, g.output());
        shape(op, "input gradient dx", dx, g.input());
        distinct(op, "dy", dy, "dx", dx);
    }

    /**
     * Contract of {@link Backend#activationForward}: a non-null activation, and x and y on {@code backend} holding as
     * many elements.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void activationForward(Backend backend, Activation activation, Tensor x, Tensor y) {
        String op = "activationForward(" + kind(activation) + ")";
        onBackend(backend, op, x, y);
        sameSize(op, "x", x, "y", y);
    }

    /**
     * Contract of {@link Backend#activationBackward}: a non-null activation, and x, y, dy and dx on {@code backend},
     * all holding as many elements.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void activationBackward(Backend backend, Activation activation, Tensor x, Tensor y, Tensor dy,
                                          Tensor dx) {
        String op = "activationBackward(" + kind(activation) + ")";
        onBackend(backend, op, x, y, dy, dx);
        sameSize(op, "x", x, "y", y);
        sameSize(op, "x", x, "dy", dy);
        sameSize(op, "x", x, "dx", dx);
    }

    private static String kind(Activation activation) {
        if (activation == null) {
            throw new IllegalArgumentException("activation: kind is null, expected RELU, LEAKY_RELU, SIGMOID or TANH");
        }
        return activation.kind().name();
    }

    /**
     * Contract of {@link Backend#softmaxForward}: x and y on {@code backend} with one shape.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void softmaxForward(Backend backend, Tensor x, Tensor y) {
        String op = "softmaxForward";
        onBackend(backend, op, x, y);
        sameShape(op, "x", x, "y", y);
    }

    /**
     * Contract of {@link Backend#softmaxBackward}: y, dy and dx on {@code backend} with one shape.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void softmaxBackward(Backend backend, Tensor y, Tensor dy, Tensor dx) {
        String op = "softmaxBackward";
        onBackend(backend, op, y, dy, dx);
        sameShape(op, "y", y, "dy", dy);
        sameShape(op, "y", y, "dx", dx);
    }

    /**
     * Contract of {@link Backend#softmaxCrossEntropy}: all four on {@code backend}, one label per batch item of the
     * logits, a one-element loss, and dLogits shaped like the logits. The label values are checked by the backend.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void softmaxCrossEntropy(Backend backend, Tensor logits, Tensor labels, Tensor loss, Tensor dLogits) {
        String op = "softmaxCrossEntropy";
        onBackend(backend, op, logits, labels, loss, dLogits);
        size(op, () -> "labels (one class index per batch item of logits " + logits.shape() + ")", labels,
                logits.shape().batch());
        size(op, "loss", loss, 1);
        sameShape(op, "logits", logits, "dLogits", dLogits);
    }

    /**
     * Contract of {@link Backend#mseLoss}: all four on {@code backend}, target holding as many elements as prediction,
     * a one-element loss, and dPrediction shaped like the prediction.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void mseLoss(Backend backend, Tensor prediction, Tensor target, Tensor loss, Tensor dPrediction) {
        String op = "mseLoss";
        onBackend(backend, op, prediction, target, loss, dPrediction);
        sameSize(op, "prediction", prediction, "target", target);
        size(op, "loss", loss, 1);
        sameShape(op, "prediction", prediction, "dPrediction", dPrediction);
    }

    /**
     * Contract of the dropout ops: input and output on {@code backend} holding as many elements, and a rate in [0, 1).
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void dropout(Backend backend, String op, Tensor in, Tensor out, float rate) {
        onBackend(backend, op, in, out);
        sameSize(op, "input", in, "output", out);
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException(op + ": rate must be in [0, 1), got " + rate);
        }
    }

    /**
     * Contract of the LRN ops: x N×C×H×W, and every other tensor shaped like x, all on {@code backend}.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void lrn(Backend backend, String op, Tensor x, Tensor... others) {
        onBackend(backend, op, x);
        onBackend(backend, op, others);
        if (x.shape().rank() != 4) {
            throw new IllegalArgumentException(op + ": x must be N×C×H×W, got " + x.shape());
        }
        for (Tensor t : others) {
            sameShape(op, "x", x, "every other tensor", t);
        }
    }

    /**
     * Shared contract of the batch-norm ops: x N×C or N×C×H×W with at least two values per channel, {@code y} (the
     * output or a gradient) shaped like x, and each of {@code perChannel} holding C floats, all on {@code backend}.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void batchNorm(Backend backend, String op, Tensor x, Tensor y, Tensor... perChannel) {
        onBackend(backend, op, x, y);
        onBackend(backend, op, perChannel);
        if (x.shape().rank() != 2 && x.shape().rank() != 4) {
            throw new IllegalArgumentException(op + ": x must be N×C or N×C×H×W, got " + x.shape());
        }
        sameShape(op, "x", x, "y/dy/dx", y);
        int c = x.shape().channels();
        for (Tensor t : perChannel) {
            size(op, () -> "per-channel tensor (" + c + " channels of x " + x.shape() + ")", t, c);
        }
        if (x.shape().batch() * x.shape().spatialSize() < 2) {
            throw new IllegalArgumentException(op + ": needs at least 2 values per channel to estimate a variance, x is "
                    + x.shape());
        }
    }

    /**
     * Contract of {@link Backend#batchNormForwardTraining}: the shared batch-norm contract for all eight tensors,
     * momentum in [0, 1] and a positive finite epsilon.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void batchNormForwardTraining(Backend backend, Tensor x, Tensor gamma, Tensor beta, Tensor y,
                                                Tensor runningMean, Tensor runningVariance, Tensor savedMean,
                                                Tensor savedInvStd, float momentum, float epsilon) {
        String op = "batchNormForwardTraining";
        batchNorm(backend, op, x, y, gamma, beta, runningMean, runningVariance, savedMean, savedInvStd);
        batchNormConstants(op, momentum, epsilon);
    }

    /**
     * Contract of {@link Backend#batchNormForwardInference}: the shared batch-norm contract for all six tensors and a
     * positive finite epsilon.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void batchNormForwardInference(Backend backend, Tensor x, Tensor gamma, Tensor beta, Tensor y,
                                                 Tensor runningMean, Tensor runningVariance, float epsilon) {
        String op = "batchNormForwardInference";
        batchNorm(backend, op, x, y, gamma, beta, runningMean, runningVariance);
        batchNormConstants(op, 0f, epsilon);
    }

    /**
     * Contract of {@link Backend#batchNormBackward}: the shared batch-norm contract for x, dy and the per-channel
     * tensors, and dx shaped like x on {@code backend}.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void batchNormBackward(Backend backend, Tensor x, Tensor dy, Tensor gamma, Tensor savedMean,
                                         Tensor savedInvStd, Tensor dx, Tensor dGamma, Tensor dBeta) {
        String op = "batchNormBackward";
        batchNorm(backend, op, x, dy, gamma, savedMean, savedInvStd, dGamma, dBeta);
        onBackend(backend, op, dx);
        sameShape(op, "x", x, "dx", dx);
    }

    /**
     * Fails unless momentum is in [0, 1] and epsilon is positive and finite.
     *
     * @throws IllegalArgumentException if either is out of range
     */
    public static void batchNormConstants(String op, float momentum, float epsilon) {
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException(op + ": momentum must be in [0, 1], got " + momentum);
        }
        if (!(epsilon > 0f) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException(op + ": epsilon must be positive, got " + epsilon);
        }
    }

    /**
     * Contract of {@link Backend#sgdStep}: param, grad and velocity on {@code backend} holding as many elements, a
     * finite learning rate, momentum in [0, 1) and a finite weight decay of at least 0.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void sgdStep(Backend backend, Tensor param, Tensor grad, Tensor velocity, float learningRate,
                               float momentum, float weightDecay) {
        String op = "sgdStep";
        onBackend(backend, op, param, grad, velocity);
        sameSize(op, "param", param, "grad", grad);
        sameSize(op, "param", param, "velocity", velocity);
        finite(op, "learning rate", learningRate);
        if (!(momentum >= 0f && momentum < 1f)) {
            throw new IllegalArgumentException(op + ": momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0f) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException(op + ": weight decay must be a finite value >= 0, got " + weightDecay);
        }
    }

    /**
     * Contract of {@link Backend#adamStep}: param, grad, m and v on {@code backend} holding as many elements, a finite
     * learning rate, beta1 and beta2 in [0, 1), a positive finite epsilon, a finite weight decay of at least 0, and a
     * step counted from 1.
     *
     * @throws IllegalArgumentException if any of these fails
     */
    public static void adamStep(Backend backend, Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate,
                                float beta1, float beta2, float epsilon, float weightDecay, int step) {
        String op = "adamStep";
        onBackend(backend, op, param, grad, m, v);
        sameSize(op, "param", param, "grad", grad);
        sameSize(op, "param", param, "m", m);
        sameSize(op, "param", param, "v", v);
        finite(op, "learning rate", learningRate);
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException(op + ": beta1 and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0f) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException(op + ": epsilon must be positive, got " + epsilon);
        }
        if (!(weightDecay >= 0f) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException(op + ": weight decay must be a finite value >= 0, got " + weightDecay);
        }
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step counts from 1, got " + step);
        }
    }
}
