package io.jcnn.examples;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.backend.BackendChoice;
import io.jcnn.backend.Backends;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Locale;

/**
 * A backend used directly, without layers: one forward and backward pass of convolution (with bias) → ReLU → 2×2
 * max pooling → a dense product, written as backend calls on tensors that live on the device. Run on a device
 * ({@code auto}, {@code cpu} or {@code cuda}) and, where that is not the CPU, checked against the CPU backend:
 * {@code java -cp 'lib/*' io.jcnn.examples.BackendOps cuda}.
 *
 * <p>The pattern: create a backend ({@link Backends#create}), plan each convolution and pooling once for its
 * shapes, allocate every tensor on the backend, then call the ops; every tensor, plan and the backend are closed by
 * try-with-resources, which is what frees device memory.
 */
public final class BackendOps {
    /** Input: 2 images of 3×8×8; filters: 4 of 3×3×3, stride 1, padding 1; 2×2/2 max pooling; 10 outputs. */
    static final Shape INPUT = Shape.nchw(2, 3, 8, 8);
    static final Shape FILTER = Shape.of(4, 3, 3, 3);
    static final ConvSpec CONV = ConvSpec.of(1, 1);
    static final PoolSpec POOL = PoolSpec.of(PoolMode.MAX, 2, 2);
    static final int OUTPUTS = 10;

    private BackendOps() {
    }

    /** The host arrays a pass starts from, drawn from {@code seed}: the same on every backend. */
    public record Inputs(float[] x, float[] w, float[] bias, float[] dense, float[] outputGradient) {
        static Inputs of(long seed, int pooledFeatures) {
            return new Inputs(uniform(seed, 0, INPUT.size()), uniform(seed, 1, FILTER.size()),
                    uniform(seed, 2, FILTER.dim(0)), uniform(seed, 3, OUTPUTS * pooledFeatures),
                    uniform(seed, 4, INPUT.batch() * OUTPUTS));
        }
    }

    /**
     * What one pass computed, downloaded to the host: the convolution's output (bias added), the pooled
     * activations, the dense outputs, and the gradients of Σ outputs·outputGradient with respect to the input, the
     * filters, the bias and the dense weights.
     */
    public record Result(Inputs inputs, float[] conv, float[] pooled, float[] outputs, float[] inputGradient,
                         float[] filterGradient, float[] biasGradient, float[] denseGradient) {
    }

    /** One forward and backward pass on {@code backend}, from inputs drawn from {@code seed}. */
    public static Result run(Backend backend, long seed) {
        try (ConvPlan conv = backend.planConv2d(INPUT, FILTER, CONV);
             PoolPlan pool = backend.planPool2d(conv.geometry().output(), POOL)) {
            Shape convShape = conv.geometry().output();     // 2×4×8×8
            Shape pooledShape = pool.geometry().output();   // 2×4×4×4
            int n = INPUT.batch();
            int features = pooledShape.sampleSize();        // 64 per image
            Inputs in = Inputs.of(seed, features);
            try (Tensor x = backend.tensor(INPUT, in.x());
                 Tensor w = backend.tensor(FILTER, in.w());
                 Tensor bias = backend.tensor(Shape.of(FILTER.dim(0)), in.bias());
                 Tensor dense = backend.tensor(Shape.of(OUTPUTS, features), in.dense());
                 Tensor z = backend.allocate(convShape);
                 Tensor a = backend.allocate(convShape);
                 Tensor p = backend.allocate(pooledShape);
                 Tensor out = backend.allocate(Shape.of(n, OUTPUTS));
                 Tensor dOut = backend.tensor(Shape.of(n, OUTPUTS), in.outputGradient());
                 Tensor dp = backend.allocate(pooledShape);
                 Tensor da = backend.allocate(convShape);
                 Tensor dz = backend.allocate(convShape);
                 Tensor dx = backend.allocate(INPUT);
                 Tensor dw = backend.allocate(FILTER);
                 Tensor dBias = backend.allocate(bias.shape());
                 Tensor dDense = backend.allocate(dense.shape())) {
                // Forward: z = x ⋆ w + bias, a = ReLU(z), p = maxpool(a), out = p·denseᵀ (N×64 by 64×10).
                backend.conv2dForwardBias(conv, x, w, bias, z);
                backend.activationForward(Activation.RELU, z, a);
                backend.pool2dForward(pool, a, p);
                backend.gemm(false, true, n, OUTPUTS, features, 1f, p, dense, 0f, out);
                // Backward from dOut = ∂L/∂out: each op's gradient with respect to its inputs, last op first.
                backend.gemm(true, false, OUTPUTS, features, n, 1f, dOut, p, 0f, dDense);   // dOut^T·p
                backend.gemm(false, false, n, features, OUTPUTS, 1f, dOut, dense, 0f, dp);  // dOut·dense
                backend.pool2dBackward(pool, a, p, dp, da);
                backend.activationBackward(Activation.RELU, z, a, da, dz);
                backend.biasGradient(dz, dBias);
                backend.conv2dBackwardFilter(conv, x, dz, dw);
                backend.conv2dBackwardData(conv, dz, w, dx);
                // toArray downloads, and waits for the device to finish.
                return new Result(in, z.toArray(), p.toArray(), out.toArray(), dx.toArray(), dw.toArray(),
                        dBias.toArray(), dDense.toArray());
            }
        }
    }

    /** The largest absolute difference between two results, over every array. */
    public static double maxDifference(Result a, Result b) {
        double max = 0;
        float[][] left = {a.conv(), a.pooled(), a.outputs(), a.inputGradient(), a.filterGradient(), a.biasGradient(),
                a.denseGradient()};
        float[][] right = {b.conv(), b.pooled(), b.outputs(), b.inputGradient(), b.filterGradient(), b.biasGradient(),
                b.denseGradient()};
        for (int i = 0; i < left.length; i++) {
            for (int j = 0; j < left[i].length; j++) {
                max = Math.max(max, Math.abs(left[i][j] - right[i][j]));
            }
        }
        return max;
    }

    private static float[] uniform(long seed, long stream, int count) {
        long derived = CounterRandom.derive(seed, stream);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = 2 * CounterRandom.uniform(derived, i) - 1;   // in [-1, 1)
        }
        return values;
    }

    /** Usage: {@code BackendOps [auto|cpu|cuda]}; runs the pass there and, on a GPU, compares it with the CPU. */
    public static void main(String[] args) {
        String device = args.length > 0 ? args[0] : "auto";
        BackendChoice choice;
        try {
            choice = Backends.choose(device);
        } catch (IllegalArgumentException unavailable) {
            System.err.println("BackendOps: " + unavailable.getMessage());
            System.exit(1);
            return;
        }
        try (Backend backend = Backends.create(device, Runtime.getRuntime().availableProcessors())) {
            System.out.println("device " + device + ": " + choice.backend() + " (" + choice.reason() + ")");
            System.out.println(backend.description());
            Result result = run(backend, 42);
            System.out.printf(Locale.ROOT, "outputs of image 0: %s%n", format(result.outputs(), OUTPUTS));
            if (!backend.name().equals("cpu")) {
                try (Backend cpu = Backends.create("cpu", Runtime.getRuntime().availableProcessors())) {
                    System.out.printf(Locale.ROOT, "largest difference from the CPU backend: %.3g%n",
                            maxDifference(result, run(cpu, 42)));
                }
            }
        }
    }

    private static String format(float[] values, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(String.format(Locale.ROOT, i == 0 ? "%.4f" : " %.4f", values[i]));
        }
        return text.toString();
    }
}
