package io.jcnn.benchmarks;

import io.jcnn.backend.cpu.CpuBackend;
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
 * Whole LeNet-5 (Caffe's MNIST variant) steps on {@code new CpuBackend()}: a training step (forward, fused
 * softmax-cross-entropy, backward without the gradient with respect to the images, which training never uses,
 * SGD-momentum update) and an inference forward. Images/s = batch / (ms/op / 1000).
 * Compiling the model and optimizer (all allocation and planning) happens in the trial setup.
 */
// The CPU backend's gemm uses its Vector API kernel only where the module is loaded.
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class LenetStepBenchmark {

    @Param({"64", "256"})
    public int batch;

    private CpuBackend backend;
    private Sequential model;
    private SoftmaxCrossEntropyLoss loss;
    private Sgd sgd;
    private Tensor images;
    private Tensor labels;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend();
        Shape input = Shape.nchw(batch, 1, 28, 28);
        float[] pixels = new float[input.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = CounterRandom.uniform(1, i);
        }
        float[] classes = new float[batch];
        for (int i = 0; i < batch; i++) {
            classes[i] = i % 10;
        }
        model = Models.lenet();
        model.compile(backend, input, 42);
        model.setInputGradientNeeded(false);
        loss = new SoftmaxCrossEntropyLoss();
        loss.compile(backend, model.outputShape());
        sgd = new Sgd(0.01f).withMomentum(0.9f).withWeightDecay(5e-4f);
        sgd.compile(backend, model.params());
        images = backend.tensor(input, pixels);
        labels = backend.tensor(Shape.of(batch), classes);
        System.out.println("\n" + backend.description() + "\n" + model.summary());
    }

    /** One SGD step; returns the loss so the work cannot be elided. */
    @Benchmark
    public float trainingStep() {
        Tensor logits = model.forward(images, true);
        float value = loss.compute(logits, labels);
        model.backward(loss.gradient());
        sgd.step();
        return value;
    }

    /** Forward pass in inference mode; returns the logits tensor. */
    @Benchmark
    public Tensor inference() {
        Tensor logits = model.forward(images, false);
        backend.synchronize();
        return logits;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        images.close();
        labels.close();
        sgd.close();
        loss.close();
        model.close();
        backend.close();
    }
}
