package io.jcnn.benchmarks;

import io.jcnn.backend.Backend;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.optim.Sgd;
import io.jcnn.random.CounterRandom;
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
 * Whole steps of real networks on every backend and tier, named {@code model-kind-batch}: LeNet-5 (Caffe's MNIST
 * variant) training at batch 64 and 256, the AlexNet-style network for 32×32 images training at batch 128, and LeNet
 * inference at batch 1, 64 and 1024.
 *
 * <p>A training step is what the trainer does: forward in training mode, the fused softmax-cross-entropy (its loss
 * read back to the host), backward without the gradient with respect to the images (training never uses it), and the
 * SGD-momentum update. Inference is a forward pass in inference mode. Work: the batch, in {@link Work#images}, so the
 * {@code images} result is images/s. Compiling the model and optimizer (all allocation and planning) happens in the
 * trial setup, which prints the backend and the model.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class StepBenchmark {
    @Param({"cpu", "cuda-cudnn", "cuda-cublas", "cuda-kernels"})
    public String backend;

    @Param({"lenet-train-64", "lenet-train-256", "alexnet32-train-128", "lenet-infer-1", "lenet-infer-64",
        "lenet-infer-1024"})
    public String workload;

    /**
     * The CPU backend's vector width: {@code auto} (the CPU's preferred one), {@code 256} or {@code 512}; e.g.
     * {@code -p vectorBits=256,512} measures both widths side by side in one run.
     */
    @Param({"auto"})
    public String vectorBits = "auto";

    private Backend device;
    private Sequential model;
    private SoftmaxCrossEntropyLoss loss;
    private Sgd sgd;
    private Tensor images;
    private Tensor labels;
    private boolean training;
    private int batch;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = workload.split("-");
        if (parts.length != 3 || !(parts[1].equals("train") || parts[1].equals("infer"))) {
            throw new IllegalArgumentException("workload must be model-train|infer-batch, got '" + workload + "'");
        }
        training = parts[1].equals("train");
        batch = Integer.parseInt(parts[2]);
        device = BenchBackends.create(backend, vectorBits);
        model = switch (parts[0]) {
            case "lenet" -> Models.lenet();
            case "alexnet32" -> Models.alexnet32();
            default -> throw new IllegalArgumentException("unknown model '" + parts[0] + "': expected lenet or "
                    + "alexnet32");
        };
        int side = parts[0].equals("lenet") ? 28 : 32;
        Shape input = Shape.nchw(batch, 1, side, side);
        float[] pixels = images(input);
        float[] classes = labels(batch);
        model.compile(device, input, 42);
        model.setInputGradientNeeded(false);
        loss = new SoftmaxCrossEntropyLoss();
        loss.compile(device, model.outputShape());
        sgd = new Sgd(0.01f).withMomentum(0.9f).withWeightDecay(5e-4f);
        sgd.compile(device, model.params());
        images = device.tensor(input, pixels);
        labels = device.tensor(Shape.of(batch), classes);
        System.out.println("\n" + device.description() + "\n" + model.summary());
    }

    /** Deterministic pixels in [0, 1) for a batch of {@code input}'s shape. */
    static float[] images(Shape input) {
        float[] pixels = new float[input.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = CounterRandom.uniform(1, i);
        }
        return pixels;
    }

    /** Labels 0, 1, ..., 9, 0, ... for {@code batch} images. */
    static float[] labels(int batch) {
        float[] classes = new float[batch];
        for (int i = 0; i < batch; i++) {
            classes[i] = i % 10;
        }
        return classes;
    }

    /** One SGD step; returns the loss. */
    float trainingStep() {
        Tensor logits = model.forward(images, true);
        float value = loss.compute(logits, labels);
        model.backward(loss.gradient());
        sgd.step();
        return value;
    }

    /** A forward pass in inference mode; returns the logits. */
    Tensor inference() {
        return model.forward(images, false);
    }

    @Benchmark
    public void step(Work work) {
        BenchBackends.measure(device, work, training ? this::trainingStep : this::inference);
        work.images += batch;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        images.close();
        labels.close();
        sgd.close();
        loss.close();
        model.close();
        device.close();
    }
}
