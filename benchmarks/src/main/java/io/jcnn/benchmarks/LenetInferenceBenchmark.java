package io.jcnn.benchmarks;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
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
 * LeNet-5 (Caffe's MNIST variant) inference on {@code new CpuBackend()}: one forward pass with training off, at the
 * batch sizes of batched serving. Images/s = batch / (ms/op / 1000). Compiling the model (allocation and planning)
 * happens in the trial setup.
 */
// The CPU backend's gemm uses its Vector API kernel only where the module is loaded.
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class LenetInferenceBenchmark {

    @Param({"256"})
    public int batch;

    private CpuBackend backend;
    private Sequential model;
    private Tensor images;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend();
        Shape input = Shape.nchw(batch, 1, 28, 28);
        float[] pixels = new float[input.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = CounterRandom.uniform(1, i);
        }
        model = Models.lenet();
        model.compile(backend, input, 42);
        images = backend.tensor(input, pixels);
        System.out.println("\n" + backend.description() + "\n" + model.summary());
    }

    /** Forward pass in inference mode; returns the logits tensor so the work cannot be elided. */
    @Benchmark
    public Tensor forward() {
        Tensor logits = model.forward(images, false);
        backend.synchronize();
        return logits;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        images.close();
        model.close();
        backend.close();
    }
}
