package io.jcnn.backend;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs every op on a backend under test and again on a reference backend (the CPU) with copies of the same inputs,
 * and keeps, per op, the largest difference between the two results: what {@code jcnn train --check-against-cpu}
 * reports. Tensors live in the tested backend's memory (this backend's tensors are its storage under this backend's
 * name) and plans are its plans, so a model compiled here computes exactly as on that backend; the reference only
 * shadows it. Every call copies its tensors to the reference and back,
 * so this is a diagnostic for a few batches, not a way to train.
 */
public final class CheckedBackend implements Backend {
    private final Backend tested;
    private final Backend reference;
    private final Map<String, Difference> differences = new TreeMap<>();

    /**
     * The largest differences seen for one op over its calls: absolute, and relative to the reference's magnitude
     * (|a − r| / max(|r|, 1e-6)).
     */
    public record Difference(String op, long calls, double maxAbsolute, double maxRelative) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-26s %8d calls  max abs %.3g  max rel %.3g", op, calls, maxAbsolute,
                    maxRelative);
        }
    }

    /** Checks {@code tested} against {@code reference}; closing this closes both. */
    public CheckedBackend(Backend tested, Backend reference) {
        this.tested = tested;
        this.reference = reference;
    }

    /** Per op, in name order, the largest differences so far. */
    public synchronized List<Difference> differences() {
        return List.copyOf(differences.values());
    }

    /** One op's call: the same code runs on the tested backend and on the reference, each with its own tensors. */
    @FunctionalInterface
    private interface Call {
        void run(Backend b, Tensor[] in, Tensor[] out);
    }

    /**
     * Runs {@code call} on the tested backend with {@code in} and {@code out}, then on the reference with copies
     * (made first, since in-place ops read their outputs), and records how far each output differs.
     */
    private void check(String op, Tensor[] in, Tensor[] out, Call call) {
        in = views(in);
        out = views(out);
        Tensor[] referenceIn = copies(in);
        Tensor[] referenceOut = copies(out);
        try {
            call.run(tested, in, out);
            call.run(reference, referenceIn, referenceOut);
            for (int i = 0; i < out.length; i++) {
                record(op, out[i].toArray(), referenceOut[i].toArray());
            }
        } finally {
            close(referenceIn);
            close(referenceOut);
        }
    }

    /** This backend's tensors as the tested backend sees them. */
    private Tensor view(Tensor t) {
        return t.backend() == this ? t.viewOn(tested) : t;
    }

    private Tensor[] views(Tensor[] tensors) {
        Tensor[] views = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            views[i] = view(tensors[i]);
        }
        return views;
    }

    private Tensor[] copies(Tensor[] tensors) {
        Tensor[] copies = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            copies[i] = reference.tensor(tensors[i].shape(), tensors[i].toArray());
        }
        return copies;
    }

    private static void close(Tensor[] tensors) {
        for (Tensor t : tensors) {
            t.close();
        }
    }

    private synchronized void record(String op, float[] actual, float[] expected) {
        double abs = 0;
        double rel = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d) && Float.isNaN(actual[i]) != Float.isNaN(expected[i])) {
                d = Double.POSITIVE_INFINITY;
            }
            if (!Double.isNaN(d)) {
                abs = Math.max(abs, d);
                rel = Math.max(rel, d / Math.max(Math.abs(expected[i]), 1e-6));
            }
        }
        Difference old = differences.get(op);
        differences.put(op, old == null ? new Difference(op, 1, abs, rel)
                : new Difference(op, old.calls() + 1, Math.max(old.maxAbsolute(), abs),
                Math.max(old.maxRelative(), rel)));
    }

    private static Tensor[] t(Tensor... tensors) {
        return tensors;
    }

    // ---- device and memory: the tested backend's ----

    @Override
    public String name() {
        return tested.name();
    }

    @Override
    public String description() {
        return tested.description() + " (every op checked against " + reference.name() + ")";
    }

    @Override
    public Tensor allocate(Shape shape) {
        // The tested backend's storage, owned by a tensor of this backend; the tested tensor is only its wrapper.
        return new Tensor(this, shape, tested.allocate(shape).storage());
    }

    @Override
    public void upload(float[] source, Tensor target) {
        tested.upload(source, view(target));
    }

    @Override
    public void download(Tensor source, float[] target) {
        tested.download(view(source), target);
    }

    @Override
    public void copy(Tensor source, Tensor target) {
        tested.copy(view(source), view(target));
    }

    @Override
    public void fill(Tensor target, float value) {
        tested.fill(view(target), value);
    }

    @Override
    public void synchronize() {
        tested.synchronize();
    }

    @Override
    public MemoryStats memoryStats() {
        return tested.memoryStats();
    }

    @Override
    public void close() {
        try {
            tested.close();
        } finally {
            reference.close();
        }
    }

    @Override
    public boolean isClosed() {
        return tested.isClosed();
    }

    // ---- ops ----

    @Override
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                     float beta, Tensor c) {
        check("gemm", t(a, b), t(c), (be, in, out) -> be.gemm(transposeA, transposeB, m, n, k, alpha, in[0], in[1],
                beta, out[0]));
    }

    /** The tested backend's plan and the reference's, for one shape; {@link #on} picks the one for a backend. */
    private record Plans<P extends AutoCloseable>(P tested, P reference, Backend referenceBackend) {
        P on(Backend b) {
            return b == referenceBackend ? reference : tested;
        }

        void close() {
            try {
                tested.close();
                reference.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a checked plan: " + e.getMessage(), e);
            }
        }
    }

    private static final class CheckedConvPlan extends ConvPlan {
        final Plans<ConvPlan> plans;

        CheckedConvPlan(CheckedBackend owner, ConvPlan tested, ConvPlan reference) {
            super(owner, tested.geometry());
            plans = new Plans<>(tested, reference, owner.reference);
        }

        @Override
        public String algorithms() {
            return plans.tested().algorithms();
        }

        @Override
        protected void release() {
            plans.close();
        }
    }

    private static final class CheckedPoolPlan extends PoolPlan {
        final Plans<PoolPlan> plans;

        CheckedPoolPlan(CheckedBackend owner, PoolPlan tested, PoolPlan reference) {
            super(owner, tested.geometry());
            plans = new Plans<>(tested, reference, owner.reference);
        }

        @Override
        protected void release() {
            plans.close();
        }
    }

    @Override
    public ConvPlan planConv2d(Shape input, Shape filter, ConvSpec spec) {
        return new CheckedConvPlan(this, tested.planConv2d(input, filter, spec),
                reference.planConv2d(input, filter, spec));
    }

    private static CheckedConvPlan conv(ConvPlan plan) {
        if (!(plan instanceof CheckedConvPlan checked)) {
            throw new IllegalArgumentException("conv2d: plan " + plan + " was not made by this checked backend");
        }
        return checked;
    }

    @Override
    public void conv2dForward(ConvPlan plan, Tensor x, Tensor w, Tensor y) {
        CheckedConvPlan p = conv(plan);
        check("conv2dForward", t(x, w), t(y), (b, in, out) -> b.conv2dForward(p.plans.on(b), in[0], in[1], out[0]));
    }

    @Override
    public void conv2dForwardBias(ConvPlan plan, Tensor x, Tensor w, Tensor bias, Tensor y) {
        CheckedConvPlan p = conv(plan);
        check("conv2dForwardBias", t(x, w, bias), t(y),
                (b, in, out) -> b.conv2dForwardBias(p.plans.on(b), in[0], in[1], in[2], out[0]));
    }

    @Override
    public void conv2dBackwardData(ConvPlan plan, Tensor dy, Tensor w, Tensor dx) {
        CheckedConvPlan p = conv(plan);
        check("conv2dBackwardData", t(dy, w), t(dx), (b, in, out) -> b.conv2dBackwardData(p.plans.on(b), in[0], in[1],
                out[0]));
    }

    @Override
    public void conv2dBackwardFilter(ConvPlan plan, Tensor x, Tensor dy, Tensor dw) {
        CheckedConvPlan p = conv(plan);
        check("conv2dBackwardFilter", t(x, dy), t(dw), (b, in, out) -> b.conv2dBackwardFilter(p.plans.on(b), in[0], in[1],
                out[0]));
    }

    @Override
    public void biasAdd(Tensor y, Tensor bias) {
        check("biasAdd", t(bias), t(y), (b, in, out) -> b.biasAdd(out[0], in[0]));
    }

    @Override
    public void biasGradient(Tensor dy, Tensor dbias) {
        check("biasGradient", t(dy), t(dbias), (b, in, out) -> b.biasGradient(in[0], out[0]));
    }

    @Override
    public PoolPlan planPool2d(Shape input, PoolSpec spec) {
        return new CheckedPoolPlan(this, tested.planPool2d(input, spec), reference.planPool2d(input, spec));
    }

    private static CheckedPoolPlan pool(PoolPlan plan) {
        if (!(plan instanceof CheckedPoolPlan checked)) {
            throw new IllegalArgumentException("pool2d: plan " + plan + " was not made by this checked backend");
        }
        return checked;
    }

    @Override
    public void pool2dForward(PoolPlan plan, Tensor x, Tensor y) {
        CheckedPoolPlan p = pool(plan);
        check("pool2dForward", t(x), t(y), (b, in, out) -> b.pool2dForward(p.plans.on(b), in[0], out[0]));
    }

    @Override
    public void pool2dBackward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        CheckedPoolPlan p = pool(plan);
        check("pool2dBackward", t(x, y, dy), t(dx), (b, in, out) -> b.pool2dBackward(p.plans.on(b), in[0], in[1], in[2],
                out[0]));
    }

    @Override
    public void pool2dReluBackward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        CheckedPoolPlan p = pool(plan);
        check("pool2dReluBackward", t(x, y, dy), t(dx),
                (b, in, out) -> b.pool2dReluBackward(p.plans.on(b), in[0], in[1], in[2], out[0]));
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        check("activationForward " + activation.kind(), t(x), t(y),
                (b, in, out) -> b.activationForward(activation, in[0], out[0]));
    }

    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        check("activationBackward " + activation.kind(), t(x, y, dy), t(dx),
                (b, in, out) -> b.activationBackward(activation, in[0], in[1], in[2], out[0]));
    }

    @Override
    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        check("softmaxForward", t(x), t(y), (b, in, out) -> b.softmaxForward(in[0], out[0], log));
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        check("softmaxBackward", t(y, dy), t(dx), (b, in, out) -> b.softmaxBackward(in[0], in[1], out[0], log));
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor loss, Tensor dLogits) {
        check("softmaxCrossEntropy", t(logits, labels), t(loss, dLogits),
                (b, in, out) -> b.softmaxCrossEntropy(in[0], in[1], out[0], out[1]));
    }

    @Override
    public void mseLoss(Tensor prediction, Tensor target, Tensor loss, Tensor dPrediction) {
        check("mseLoss", t(prediction, target), t(loss, dPrediction),
                (b, in, out) -> b.mseLoss(in[0], in[1], out[0], out[1]));
    }

    @Override
    public void dropoutForward(Tensor x, Tensor y, float rate, long seed) {
        check("dropoutForward", t(x), t(y), (b, in, out) -> b.dropoutForward(in[0], out[0], rate, seed));
    }

    @Override
    public void dropoutBackward(Tensor dy, Tensor dx, float rate, long seed) {
        check("dropoutBackward", t(dy), t(dx), (b, in, out) -> b.dropoutBackward(in[0], out[0], rate, seed));
    }

    @Override
    public void lrnForward(LrnSpec spec, Tensor x, Tensor y) {
        check("lrnForward", t(x), t(y), (b, in, out) -> b.lrnForward(spec, in[0], out[0]));
    }

    @Override
    public void lrnBackward(LrnSpec spec, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        check("lrnBackward", t(x, y, dy), t(dx), (b, in, out) -> b.lrnBackward(spec, in[0], in[1], in[2], out[0]));
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor runningMean,
                                         Tensor runningVariance, Tensor savedMean, Tensor savedInvStd,
                                         float momentum, float epsilon) {
        check("batchNormForwardTraining", t(x, gamma, beta), t(y, runningMean, runningVariance, savedMean,
                savedInvStd), (b, in, out) -> b.batchNormForwardTraining(in[0], in[1], in[2], out[0], out[1], out[2],
                out[3], out[4], momentum, epsilon));
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor runningMean,
                                          Tensor runningVariance, float epsilon) {
        check("batchNormForwardInference", t(x, gamma, beta, runningMean, runningVariance), t(y),
                (b, in, out) -> b.batchNormForwardInference(in[0], in[1], in[2], out[0], in[3], in[4], epsilon));
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInvStd,
                                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        check("batchNormBackward", t(x, dy, gamma, savedMean, savedInvStd), t(dx, dGamma, dBeta),
                (b, in, out) -> b.batchNormBackward(in[0], in[1], in[2], in[3], in[4], out[0], out[1], out[2]));
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        check("axpy", t(x), t(y), (b, in, out) -> b.axpy(alpha, in[0], out[0]));
    }

    @Override
    public void scale(Tensor x, float alpha) {
        check("scale", t(), t(x), (b, in, out) -> b.scale(out[0], alpha));
    }

    @Override
    public double sumOfSquares(Tensor x) {
        double result = tested.sumOfSquares(view(x));
        double expected;
        try (Tensor copy = reference.tensor(x.shape(), x.toArray())) {
            expected = reference.sumOfSquares(copy);
        }
        record("sumOfSquares", new float[] {(float) result}, new float[] {(float) expected});
        return result;
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum,
                        float weightDecay, boolean nesterov) {
        check("sgdStep", t(grad), t(param, velocity), (b, in, out) -> b.sgdStep(out[0], in[0], out[1], learningRate,
                momentum, weightDecay, nesterov));
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2,
                         float epsilon, float weightDecay, int step) {
        check("adamStep", t(grad), t(param, m, v), (b, in, out) -> b.adamStep(out[0], in[0], out[1], out[2],
                learningRate, beta1, beta2, epsilon, weightDecay, step));
    }

    /** The differences as lines, for a report. */
    public List<String> report() {
        List<String> lines = new ArrayList<>();
        for (Difference d : differences()) {
            lines.add(d.toString());
        }
        return lines;
    }

    @Override
    public String toString() {
        return description();
    }
}
