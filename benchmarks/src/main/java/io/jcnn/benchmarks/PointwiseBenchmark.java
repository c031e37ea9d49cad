package io.jcnn.benchmarks;

import io.jcnn.backend.Activation;
import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The memory-bound ops, on every backend and tier: each activation forward and backward over LeNet conv1's output
 * (64×20×24×24), the fused softmax-cross-entropy at AlexNet's logits (128×1000), and the SGD-momentum and Adam updates
 * of 4M parameters.
 *
 * <p>Work, in {@link Work#gbyte} (so the {@code gbyte} result is GB/s), the bytes each op must move at least:
 * activation forward x and y (2 floats per element); backward the input it needs (x for the ReLUs, y for sigmoid and
 * tanh), dy and dx (3); softmax-cross-entropy logits, labels and the gradient; SGD param, gradient and velocity read,
 * param and velocity written (5); Adam param, gradient, m and v read, param, m and v written (7).
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class PointwiseBenchmark {
    private static final Shape ACTIVATIONS = Shape.nchw(Layers.LENET_BATCH, 20, 24, 24);
    private static final Shape LOGITS = Shape.of(Layers.ALEXNET32_BATCH, 1000);
    private static final Shape PARAMETERS = Shape.of(4 << 20);

    @Param({"cpu", "cuda-cudnn", "cuda-cublas", "cuda-kernels"})
    public String backend;

    @Param({"reluForward", "reluBackward", "leakyReluForward", "leakyReluBackward", "sigmoidForward",
        "sigmoidBackward", "tanhForward", "tanhBackward", "softmaxCrossEntropy", "sgdStep", "adamStep"})
    public String op;

    private Backend device;
    private Runnable call;
    private double gbyte;
    private Tensor[] tensors;
    private Tensor output;

    @Setup(Level.Trial)
    public void setUp() {
        device = BenchBackends.create(backend);
        if (op.endsWith("Forward") || op.endsWith("Backward")) {
            Activation activation = switch (op.replaceAll("(Forward|Backward)$", "")) {
                case "relu" -> Activation.RELU;
                case "leakyRelu" -> Activation.leakyRelu(0.01f);
                case "sigmoid" -> Activation.SIGMOID;
                case "tanh" -> Activation.TANH;
                default -> throw new IllegalArgumentException("unknown activation in '" + op + "'");
            };
            Tensor x = random(ACTIVATIONS, 1);
            Tensor y = device.allocate(ACTIVATIONS);
            Tensor dy = random(ACTIVATIONS, 2);
            Tensor dx = device.allocate(ACTIVATIONS);
            tensors = new Tensor[] {x, y, dy, dx};
            device.activationForward(activation, x, y);
            boolean forward = op.endsWith("Forward");
            call = forward ? () -> device.activationForward(activation, x, y)
                    : () -> device.activationBackward(activation, x, y, dy, dx);
            output = forward ? y : dx;
            gbyte = (forward ? 2.0 : 3.0) * 4 * ACTIVATIONS.size() / 1e9;
            return;
        }
        switch (op) {
            case "softmaxCrossEntropy" -> {
                float[] classes = new float[LOGITS.batch()];
                for (int i = 0; i < classes.length; i++) {
                    classes[i] = (i * 7) % LOGITS.sampleSize();
                }
                Tensor logits = random(LOGITS, 3);
                Tensor labels = device.tensor(Shape.of(LOGITS.batch()), classes);
                Tensor loss = device.allocate(Shape.of(1));
                Tensor gradient = device.allocate(LOGITS);
                tensors = new Tensor[] {logits, labels, loss, gradient};
                call = () -> device.softmaxCrossEntropy(logits, labels, loss, gradient);
                output = gradient;
                gbyte = 4.0 * (2L * LOGITS.size() + LOGITS.batch()) / 1e9;
            }
            case "sgdStep" -> {
                Tensor param = random(PARAMETERS, 4);
                Tensor grad = random(PARAMETERS, 5);
                Tensor velocity = device.allocate(PARAMETERS);
                tensors = new Tensor[] {param, grad, velocity};
                call = () -> device.sgdStep(param, grad, velocity, 1e-6f, 0.9f, 5e-4f, false);
                output = velocity;
                gbyte = 5.0 * 4 * PARAMETERS.size() / 1e9;
            }
            case "adamStep" -> {
                Tensor param = random(PARAMETERS, 6);
                Tensor grad = random(PARAMETERS, 7);
                Tensor m = device.allocate(PARAMETERS);
                Tensor v = device.allocate(PARAMETERS);
                tensors = new Tensor[] {param, grad, m, v};
                call = () -> device.adamStep(param, grad, m, v, 1e-6f, 0.9f, 0.999f, 1e-8f, 0f, 10);
                output = v;
                gbyte = 7.0 * 4 * PARAMETERS.size() / 1e9;
            }
            default -> throw new IllegalArgumentException("unknown op '" + op + "'");
        }
    }

    private Tensor random(Shape shape, long seed) {
        return device.tensor(shape, Layers.random(seed, shape.size()));
    }

    /** The op, once. */
    void run() {
        call.run();
    }

    /** What the op writes (the velocity or second moment for the optimizers), for checks. */
    Tensor output() {
        return output;
    }

    @Benchmark
    public void pointwise(Work work) {
        BenchBackends.measure(device, work, call);
        work.gbyte += gbyte;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : tensors) {
            t.close();
        }
        device.close();
    }
}
