package io.jcnn.benchmarks;

import io.jcnn.backend.Backend;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
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
 * Max and average pooling, forward and backward, at LeNet's two 2×2/2 pools (batch 64), the first 2×2/2 pool of the
 * AlexNet-style network for 32×32 images (batch 128) and AlexNet's first 3×3/2 overlapping pool (batch 8).
 *
 * <p>Work, in {@link Work#gbyte} (so the {@code gbyte} result is GB/s): the bytes a pass must move at least, each
 * tensor read or written once: forward x and y; backward x, y, dy and dx (max pooling needs x and y to find each
 * window's maximum; average reads them too in the backend contract).
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class PoolBenchmark {
    @Param({"cpu", "cuda-cudnn", "cuda-cublas", "cuda-kernels"})
    public String backend;

    @Param({"lenetPool1", "lenetPool2", "alexnet32Pool1", "alexnetPool1"})
    public String layer;

    @Param({"MAX", "AVERAGE"})
    public PoolMode mode;

    @Param({"forward", "backward"})
    public String pass;

    private Backend device;
    private PoolPlan plan;
    private double gbyte;
    private Tensor x;
    private Tensor y;
    private Tensor dy;
    private Tensor dx;

    @Setup(Level.Trial)
    public void setUp() {
        Shape input = switch (layer) {
            case "lenetPool1" -> Shape.nchw(Layers.LENET_BATCH, 20, 24, 24);
            case "lenetPool2" -> Shape.nchw(Layers.LENET_BATCH, 50, 8, 8);
            case "alexnet32Pool1" -> Shape.nchw(Layers.ALEXNET32_BATCH, 32, 32, 32);
            case "alexnetPool1" -> Shape.nchw(Layers.ALEXNET_BATCH, 96, 55, 55);
            default -> throw new IllegalArgumentException("unknown pooling layer '" + layer + "'");
        };
        PoolSpec spec = layer.equals("alexnetPool1") ? PoolSpec.of(mode, 3, 2) : PoolSpec.of(mode, 2, 2);
        device = BenchBackends.create(backend);
        plan = device.planPool2d(input, spec);
        Shape output = plan.geometry().output();
        x = device.tensor(input, Layers.random(4, input.size()));
        y = device.allocate(output);
        dy = device.tensor(output, Layers.random(5, output.size()));
        dx = device.allocate(input);
        device.pool2dForward(plan, x, y);
        long floats = pass.equals("forward") ? input.size() + output.size() : 2L * input.size() + 2L * output.size();
        gbyte = 4.0 * floats / 1e9;
    }

    /** The pass, once; returns its output. */
    Tensor run() {
        if (pass.equals("forward")) {
            device.pool2dForward(plan, x, y);
            return y;
        }
        device.pool2dBackward(plan, x, y, dy, dx);
        return dx;
    }

    @Benchmark
    public void pool2d(Work work) {
        BenchBackends.measure(device, work, this::run);
        work.gbyte += gbyte;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, y, dy, dx}) {
            t.close();
        }
        plan.close();
        device.close();
    }
}
