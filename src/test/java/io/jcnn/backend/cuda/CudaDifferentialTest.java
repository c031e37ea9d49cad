package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Layer;
import io.jcnn.nn.Param;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op of the CUDA backend against the CPU backend on the same inputs, with stated tolerances (TF32 off,
 * deterministic cuDNN algorithms), and a whole LeNet training step: per-layer activations, the loss, every parameter
 * gradient and a short loss trajectory. Each test runs once per {@link CudaTier}: jcnn's kernels alone, with cuBLAS,
 * and with cuDNN, and asserts that the tier's library really ran. Runs wherever a CUDA device is present, the
 * emulated driver included (there on the kernels and cuBLAS tiers, every misuse it reports failing the test); where
 * none is, each test is skipped with the probe's one-line reason.
 */
class CudaDifferentialTest {
    /** Relative and absolute tolerance for ops with sums (float accumulations in a different order). */
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-5;

    private static Backend cpu;
    private static final Map<CudaTier, CudaBackend> TIERS = new EnumMap<>(CudaTier.class);
    /** The backend of the test running now. */
    private CudaBackend cuda;

    @BeforeAll
    static void cpuBackend() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        TIERS.values().forEach(CudaBackend::close);
        TIERS.clear();
        cpu.close();
    }

    /**
     * The tiers whose library loads here (on the emulated driver: the kernels and cuBLAS; cuDNN needs a real GPU),
     * or every tier where no device is present, so that each test is skipped with the reason.
     */
    static List<CudaTier> tiers() {
        if (CudaProbe.get().deviceUnavailableReason() != null) {
            return List.of(CudaTier.values());
        }
        return java.util.Arrays.stream(CudaTier.values()).filter(t -> CudaProbe.get().loads(t)).toList();
    }

    private int misusesBefore = -1;

    @org.junit.jupiter.api.BeforeEach
    void countMisuses() {
        misusesBefore = CudaEmulator.active() ? CudaEmulator.count(CudaEmulator.Counter.MISUSES) : -1;
    }

    /** On the emulated driver: no freed pointer, destroyed handle or missing context was used by the test. */
    @org.junit.jupiter.api.AfterEach
    void noMisuse() {
        if (misusesBefore >= 0) {
            assertEquals(misusesBefore, CudaEmulator.count(CudaEmulator.Counter.MISUSES),
                    "misuses the emulated driver reported (see stderr)");
        }
    }

    /** Skips unless a device and the tier's library are there; then the tier's backend (one per tier and run). */
    private void use(CudaTier tier) {
        String reason = CudaProbe.get().deviceUnavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "no CUDA device: " + reason);
        CudaProbe.Component library = tier == CudaTier.CUDNN ? CudaProbe.get().cudnn()
                : tier == CudaTier.CUBLAS ? CudaProbe.get().cublas() : CudaProbe.get().kernels();
        Assumptions.assumeTrue(library.loaded(), () -> "tier " + tier.label() + " unavailable: " + library.detail());
        cuda = TIERS.computeIfAbsent(tier, t -> new CudaBackend(0, t, false));
        assertEquals("cuda", cuda.name());
        assertEquals(tier, cuda.tier());
        // The libraries this machine has decide the rest: cuDNN 9 beside cuBLAS 13 only (a CUDA 13 machine) runs
        // the cuDNN tier with jcnn's SGEMM, and says so.
        TierChoice expected = TierChoice.of(tier, CudaProbe.get());
        assertEquals(expected.cublas(), cuda.usesCublas(), cuda.gemmTier());
        assertEquals(expected.cudnn(), cuda.usesCudnn(), cuda.cudnnTier());
        assertEquals(expected.fallbacks(), cuda.fallbacks());
    }

    /** What the gemm op should have run on for this backend. */
    private CudaTier gemmTier() {
        return cuda.usesCublas() ? CudaTier.CUBLAS : CudaTier.KERNELS;
    }

    /** What a cuDNN-capable op should have run on for this tier: cuDNN, else jcnn's kernels. */
    private CudaTier cudnnOr(CudaTier otherwise) {
        return cuda.tier() == CudaTier.CUDNN ? CudaTier.CUDNN : otherwise;
    }

    /** Runs {@code work} and asserts that {@code op} ran on {@code expected} exactly {@code times} more times. */
    private void assertRanOn(String op, CudaTier expected, int times, Runnable work) {
        long before = cuda.runs(op, expected);
        work.run();
        assertEquals(before + times, cuda.runs(op, expected), () -> op + " on tier " + cuda.tier().label()
                + " should have run on " + expected.label() + "; counts: " + cuda.implementationCounts());
    }

    /** The same op on both backends: inputs uploaded to each, outputs downloaded and compared. */
    private interface Op {
        void run(Backend b, List<Tensor> t);
    }

    /**
     * Runs {@code op} on CPU and CUDA with tensors of the given shapes (filled from seeds; outputs are the last
     * {@code outputs} and start as zeros) and checks every output.
     */
    private void compare(String what, Shape[] shapes, int outputs, double rtol, double atol, Op op) {
        List<float[]> expected = run(cpu, shapes, outputs, op);
        List<float[]> actual = run(cuda, shapes, outputs, op);
        for (int i = 0; i < outputs; i++) {
            TestData.assertClose(what + ", output " + i, TestData.toDouble(expected.get(i)), actual.get(i), rtol,
                    atol);
        }
    }

    private static List<float[]> run(Backend b, Shape[] shapes, int outputs, Op op) {
        List<Tensor> tensors = new ArrayList<>();
        try {
            for (int i = 0; i < shapes.length; i++) {
                tensors.add(i < shapes.length - outputs ? b.tensor(shapes[i], TestData.uniform(100 + i,
                        shapes[i].size())) : b.allocate(shapes[i]));
            }
            op.run(b, tensors);
            List<float[]> out = new ArrayList<>();
            for (int i = shapes.length - outputs; i < shapes.length; i++) {
                out.add(tensors.get(i).toArray());
            }
            return out;
        } finally {
            tensors.forEach(Tensor::close);
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void gemmEveryTranspose(CudaTier tier) {
        use(tier);
        int m = 37;
        int n = 70;
        int k = 129;
        assertRanOn("gemm", gemmTier(), 4, () -> {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    compare("gemm " + ta + " " + tb, new Shape[] {Shape.of(m * k), Shape.of(k * n),
                        Shape.of(m * n)}, 1, RTOL, 1e-4,
                            (b, t) -> b.gemm(ta, tb, m, n, k, 0.7f, t.get(0), t.get(1), 0f, t.get(2)));
                }
            }
        });
    }

    /** The description names the tier and its libraries, and nothing has fallen back. */
    @ParameterizedTest
    @MethodSource("tiers")
    void describesItsTier(CudaTier tier) {
        use(tier);
        assertTrue(cuda.description().contains("tier " + tier.label()), cuda.description());
        assertTrue(cuda.description().contains("gemm: " + cuda.gemmTier()), cuda.description());
        assertTrue(cuda.description().contains(cuda.cudnnTier()), cuda.description());
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void convolutionAllPasses(CudaTier tier) {
        use(tier);
        Object[][] cases = {
            {Shape.nchw(3, 1, 28, 28), Shape.nchw(20, 1, 5, 5), ConvSpec.defaults()},
            {Shape.nchw(3, 20, 12, 12), Shape.nchw(50, 20, 5, 5), ConvSpec.defaults()},
            {Shape.nchw(2, 6, 11, 13), Shape.nchw(8, 3, 3, 3), new ConvSpec(2, 1, 1, 2, 1, 2, 2)},
        };
        for (Object[] c : cases) {
            Shape in = (Shape) c[0];
            Shape filter = (Shape) c[1];
            ConvSpec spec = (ConvSpec) c[2];
            Shape out;
            try (ConvPlan plan = cpu.planConv2d(in, filter, spec)) {
                out = plan.geometry().output();
            }
            String what = "conv " + in + " * " + filter + " " + spec;
            CudaTier expected = cudnnOr(gemmTier());
            assertRanOn("conv2dForward", expected, 1, () -> compare(what + " forward",
                    new Shape[] {in, filter, out}, 1, RTOL, 1e-4, (b, t) -> {
                        try (ConvPlan plan = b.planConv2d(in, filter, spec)) {
                            b.conv2dForward(plan, t.get(0), t.get(1), t.get(2));
                        }
                    }));
            assertRanOn("conv2dBackwardData", expected, 1, () -> compare(what + " backward data",
                    new Shape[] {out, filter, in}, 1, RTOL, 1e-4, (b, t) -> {
                        try (ConvPlan plan = b.planConv2d(in, filter, spec)) {
                            b.conv2dBackwardData(plan, t.get(0), t.get(1), t.get(2));
                        }
                    }));
            assertRanOn("conv2dBackwardFilter", expected, 1, () -> compare(what + " backward filter",
                    new Shape[] {in, out, filter}, 1, RTOL, 1e-3, (b, t) -> {
                        try (ConvPlan plan = b.planConv2d(in, filter, spec)) {
                            b.conv2dBackwardFilter(plan, t.get(0), t.get(1), t.get(2));
                        }
                    }));
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void biasPoolingActivationsAndSoftmax(CudaTier tier) {
        use(tier);
        Shape s = Shape.nchw(4, 5, 9, 7);
        Shape c = Shape.of(5);
        compare("biasAdd", new Shape[] {c, s}, 1, 0, 0, (b, t) -> {
            b.fill(t.get(1), 0.5f);
            b.biasAdd(t.get(1), t.get(0));
        });
        compare("biasGradient", new Shape[] {s, c}, 1, RTOL, ATOL, (b, t) -> b.biasGradient(t.get(0), t.get(1)));
        for (PoolSpec spec : new PoolSpec[] {PoolSpec.of(PoolMode.MAX, 2, 2), PoolSpec.of(PoolMode.AVERAGE, 2, 2),
            new PoolSpec(PoolMode.MAX, 3, 3, 2, 2, 1, 1), new PoolSpec(PoolMode.AVERAGE, 3, 2, 1, 2, 1, 0)}) {
            Shape out;
            try (PoolPlan plan = cpu.planPool2d(s, spec)) {
                out = plan.geometry().output();
            }
            assertRanOn("pool2dForward", cudnnOr(CudaTier.KERNELS), 1, () -> compare("pool forward " + spec,
                    new Shape[] {s, out}, 1, 0, 1e-6, (b, t) -> {
                        try (PoolPlan plan = b.planPool2d(s, spec)) {
                            b.pool2dForward(plan, t.get(0), t.get(1));
                        }
                    }));
            // Max-pooling backward keeps jcnn's first-maximum rule on every tier.
            CudaTier backward = spec.mode() == PoolMode.MAX ? CudaTier.KERNELS : cudnnOr(CudaTier.KERNELS);
            assertRanOn("pool2dBackward", backward, 1, () -> compare("pool backward " + spec,
                    new Shape[] {s, out, out, s}, 1, 0, 1e-6, (b, t) -> {
                        try (PoolPlan plan = b.planPool2d(s, spec)) {
                            b.pool2dForward(plan, t.get(0), t.get(1));
                            b.pool2dBackward(plan, t.get(0), t.get(1), t.get(2), t.get(3));
                        }
                    }));
            compare("pool and ReLU backward " + spec, new Shape[] {s, out, out, s}, 1, 0, 1e-6, (b, t) -> {
                try (PoolPlan plan = b.planPool2d(s, spec)) {
                    b.pool2dForward(plan, t.get(0), t.get(1));
                    b.pool2dReluBackward(plan, t.get(0), t.get(1), t.get(2), t.get(3));
                }
            });
        }
        for (Activation a : new Activation[] {Activation.RELU, Activation.leakyRelu(0.1f), Activation.SIGMOID,
            Activation.TANH}) {
            // cuDNN has no leaky ReLU.
            CudaTier expected = a.kind() == Activation.Kind.LEAKY_RELU ? CudaTier.KERNELS : cudnnOr(CudaTier.KERNELS);
            assertRanOn("activationBackward", expected, 1, () -> compare(a + " forward and backward",
                    new Shape[] {s, s, s, s}, 2, 1e-6, 1e-6, (b, t) -> {
                        b.activationForward(a, t.get(0), t.get(2));
                        b.activationBackward(a, t.get(0), t.get(2), t.get(1), t.get(3));
                    }));
        }
        for (boolean log : new boolean[] {false, true}) {
            assertRanOn("softmaxBackward", cudnnOr(CudaTier.KERNELS), 1, () -> compare("softmax log=" + log,
                    new Shape[] {Shape.of(6, 300), Shape.of(6, 300), Shape.of(6, 300), Shape.of(6, 300)}, 2, 1e-5,
                    1e-6, (b, t) -> {
                        b.softmaxForward(t.get(0), t.get(2), log);
                        b.softmaxBackward(t.get(2), t.get(1), t.get(3), log);
                    }));
        }
    }

    /**
     * A bias add followed by an activation of its output runs as one fused kernel on every tier, leaving the biased
     * values in place as the two ops would; a bias add followed by anything else runs on its own.
     */
    @ParameterizedTest
    @MethodSource("tiers")
    void biasAddThenActivationIsFused(CudaTier tier) {
        use(tier);
        Shape s = Shape.nchw(3, 6, 5, 7);
        Shape c = Shape.of(6);
        for (Activation a : new Activation[] {Activation.RELU, Activation.leakyRelu(0.1f), Activation.SIGMOID,
            Activation.TANH}) {
            assertRanOn("biasActivationForward", CudaTier.KERNELS, 1, () -> compare("bias then " + a,
                    new Shape[] {c, s, s, s}, 2, 1e-6, 1e-6, (b, t) -> {
                        b.copy(t.get(1), t.get(2));
                        b.biasAdd(t.get(2), t.get(0));
                        b.activationForward(a, t.get(2), t.get(3));
                    }));
        }
        // Dense layers: a bias on N×F, then ReLU of a view of the same storage.
        Shape f = Shape.of(4, 9);
        assertRanOn("biasActivationForward", CudaTier.KERNELS, 1, () -> compare("dense bias then relu",
                new Shape[] {Shape.of(9), f, f, f}, 2, 1e-6, 1e-6, (b, t) -> {
                    b.copy(t.get(1), t.get(2));
                    b.biasAdd(t.get(2), t.get(0));
                    b.activationForward(Activation.RELU, t.get(2).reshape(Shape.of(36)), t.get(3).reshape(
                            Shape.of(36)));
                }));
        assertRanOn("biasAdd", CudaTier.KERNELS, 1, () -> compare("bias then an activation of another tensor",
                new Shape[] {c, s, s, s}, 2, 1e-6, 1e-6, (b, t) -> {
                    b.copy(t.get(1), t.get(2));
                    b.biasAdd(t.get(2), t.get(0));
                    b.activationForward(Activation.RELU, t.get(1), t.get(3));
                }));
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void lossesDropoutElementwiseAndOptimizers(CudaTier tier) {
        use(tier);
        Shape logits = Shape.of(8, 10);
        compare("softmaxCrossEntropy", new Shape[] {logits, Shape.of(8), Shape.of(1), logits}, 2, 1e-5, 1e-6,
                (b, t) -> {
                    b.upload(new float[] {0, 9, 3, 3, 7, 1, 2, 5}, t.get(1));
                    b.softmaxCrossEntropy(t.get(0), t.get(1), t.get(2), t.get(3));
                });
        compare("mseLoss", new Shape[] {logits, logits, Shape.of(1), logits}, 2, 1e-5, 1e-6,
                (b, t) -> b.mseLoss(t.get(0), t.get(1), t.get(2), t.get(3)));
        Shape v = Shape.of(1000);
        compare("dropout", new Shape[] {v, v, v, v}, 2, 0, 0, (b, t) -> {
            b.dropoutForward(t.get(0), t.get(2), 0.3f, 42L);
            b.dropoutBackward(t.get(1), t.get(3), 0.3f, 42L);
        });
        compare("axpy and scale", new Shape[] {v, v, v}, 1, 1e-6, 1e-7, (b, t) -> {
            b.copy(t.get(1), t.get(2));
            b.axpy(-1.5f, t.get(0), t.get(2));
            b.scale(t.get(2), 0.25f);
        });
        for (boolean nesterov : new boolean[] {false, true}) {
            compare("sgd nesterov=" + nesterov, new Shape[] {v, v, v, v}, 2, 1e-6, 1e-7, (b, t) -> {
                b.copy(t.get(0), t.get(2));
                b.copy(t.get(1), t.get(3));
                b.sgdStep(t.get(2), t.get(1), t.get(3), 0.1f, 0.9f, 5e-4f, nesterov);
            });
        }
        compare("adam", new Shape[] {v, v, v, v, v}, 3, 1e-5, 1e-6, (b, t) -> {
            b.copy(t.get(0), t.get(2));
            b.adamStep(t.get(2), t.get(1), t.get(3), t.get(4), 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, 3);
        });
        float[] values = TestData.uniform(7, 5000);
        try (Tensor a = cpu.tensor(Shape.of(5000), values); Tensor b = cuda.tensor(Shape.of(5000), values)) {
            assertEquals(cpu.sumOfSquares(a), cuda.sumOfSquares(b), 1e-9 * cpu.sumOfSquares(a));
            assertArrayEquals(values, b.toArray(), "upload then download");
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void normalisation(CudaTier tier) {
        use(tier);
        Shape s = Shape.nchw(3, 7, 5, 4);
        io.jcnn.backend.LrnSpec lrn = io.jcnn.backend.LrnSpec.alexNet();
        assertRanOn("lrnBackward", cudnnOr(CudaTier.KERNELS), 1, () -> compare("lrn forward and backward",
                new Shape[] {s, s, s, s}, 2, 1e-5, 1e-6, (b, t) -> {
                    b.lrnForward(lrn, t.get(0), t.get(2));
                    b.lrnBackward(lrn, t.get(0), t.get(2), t.get(1), t.get(3));
                }));
        // A window wider than cuDNN's 16 channels stays on jcnn's kernel on every tier.
        io.jcnn.backend.LrnSpec wide = new io.jcnn.backend.LrnSpec(17, 1e-3f, 0.75f, 2f);
        Shape deep = Shape.nchw(2, 20, 3, 3);
        assertRanOn("lrnForward", CudaTier.KERNELS, 1, () -> compare("lrn size 17",
                new Shape[] {deep, deep}, 1, 1e-5, 1e-6, (b, t) -> b.lrnForward(wide, t.get(0), t.get(1))));
        Shape c = Shape.of(7);
        // x, dy, gamma, beta, then y, running mean, running variance, saved mean, saved 1/std, dx, dGamma, dBeta.
        for (Shape x : new Shape[] {s, Shape.of(6, 7)}) {
            assertRanOn("batchNormBackward", cudnnOr(CudaTier.KERNELS), 1, () -> compare("batch norm training and "
                    + "backward " + x, new Shape[] {x, x, c, c, x, c, c, c, c, x, c, c}, 8, 1e-4, 1e-5, (b, t) -> {
                        b.fill(t.get(6), 1f);
                        b.batchNormForwardTraining(t.get(0), t.get(2), t.get(3), t.get(4), t.get(5), t.get(6),
                                t.get(7), t.get(8), 0.1f, 1e-5f);
                        b.batchNormBackward(t.get(0), t.get(1), t.get(2), t.get(7), t.get(8), t.get(9), t.get(10),
                                t.get(11));
                    }));
            assertEquals(cuda.runs("batchNormBackward", cudnnOr(CudaTier.KERNELS)),
                    cuda.runs("batchNormForwardTraining", cudnnOr(CudaTier.KERNELS)), cuda.implementationCounts()::toString);
            // x, gamma, beta, running mean, running variance, then y.
            assertRanOn("batchNormForwardInference", cudnnOr(CudaTier.KERNELS), 1, () -> compare("batch norm "
                    + "inference " + x, new Shape[] {x, c, c, c, c, x}, 1, 1e-5, 1e-6, (b, t) -> {
                        b.fill(t.get(4), 1.5f);
                        b.batchNormForwardInference(t.get(0), t.get(1), t.get(2), t.get(5), t.get(3), t.get(4),
                                1e-5f);
                    }));
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void badLabelsAreRefusedBeforeAnythingIsWritten(CudaTier tier) {
        use(tier);
        try (Tensor logits = cuda.allocate(Shape.of(2, 3));
             Tensor labels = cuda.tensor(Shape.of(2), 1f, 3f);
             Tensor loss = cuda.allocate(Shape.of(1));
             Tensor d = cuda.allocate(Shape.of(2, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cuda.softmaxCrossEntropy(logits, labels, loss, d));
            assertEquals("softmaxCrossEntropy: label at batch index 1 is 3.0, expected an integer class index in "
                    + "[0, 3)", e.getMessage());
        }
    }

    /**
     * A LeNet training step on both: every layer's activation, the loss and every parameter's gradient; then a short
     * SGD trajectory, whose losses must stay together, with no tensor allocated after the second step.
     */
    @ParameterizedTest
    @MethodSource("tiers")
    void lenetTrainingStep(CudaTier tier) {
        use(tier);
        long before = cuda.memoryStats().liveBytes();
        float[] images = TestData.uniform(9, 16 * 784);
        float[] labels = new float[16];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        LenetRun expected = lenet(cpu, images, labels);
        LenetRun actual = lenet(cuda, images, labels);
        for (int i = 0; i < expected.activations().size(); i++) {
            TestData.assertClose("LeNet activation of layer " + i, TestData.toDouble(expected.activations().get(i)),
                    actual.activations().get(i), 1e-3, 1e-5);
        }
        for (int i = 0; i < expected.gradients().size(); i++) {
            TestData.assertClose("LeNet gradient " + i, TestData.toDouble(expected.gradients().get(i)),
                    actual.gradients().get(i), 1e-3, 1e-5);
        }
        TestData.assertClose("LeNet loss trajectory", TestData.toDouble(expected.losses()), actual.losses(), 1e-3,
                1e-5);
        assertEquals(0, actual.allocationsAfterSecondStep(), "tensors allocated after the second step");
        assertEquals(before, cuda.memoryStats().liveBytes(), "every device tensor of the run was released");
    }

    private record LenetRun(List<float[]> activations, List<float[]> gradients, float[] losses,
                            long allocationsAfterSecondStep) {
    }

    private static final int TRAJECTORY = 5;

    private static LenetRun lenet(Backend b, float[] images, float[] labels) {
        Sequential model = Models.lenet();
        model.compile(b, Shape.nchw(16, 1, 28, 28), 7);
        SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
        loss.compile(b, model.outputShape());
        Sgd sgd = new Sgd(0.05f, 0.9f, false, 5e-4f);
        sgd.compile(b, model.params());
        try (Tensor x = b.tensor(Shape.nchw(16, 1, 28, 28), images);
             Tensor y = b.tensor(loss.targetShape(model.outputShape()), labels)) {
            List<float[]> activations = new ArrayList<>();
            List<float[]> gradients = new ArrayList<>();
            float[] losses = new float[TRAJECTORY];
            long allocations = 0;
            for (int step = 0; step < TRAJECTORY; step++) {
                Tensor out = x;
                for (Layer layer : model.layers()) {
                    out = layer.forward(out, true);
                    if (step == 0) {
                        activations.add(out.toArray());
                    }
                }
                losses[step] = loss.compute(out, y);
                model.backward(loss.gradient());
                if (step == 0) {
                    for (Param p : model.params()) {
                        gradients.add(p.gradient().toArray());
                    }
                }
                sgd.step();
                if (step == 1) {
                    allocations = b.memoryStats().allocations();
                }
            }
            return new LenetRun(activations, gradients, losses, b.memoryStats().allocations() - allocations);
        } finally {
            sgd.close();
            loss.close();
            model.close();
        }
    }
}
