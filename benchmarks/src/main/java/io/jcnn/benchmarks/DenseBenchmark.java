package io.jcnn.benchmarks;

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
 * Dense layers as {@code Linear} runs them (weights out×in, row-major): forward y = x·Wᵀ, backward data dx = dy·W and
 * backward filter dW = dyᵀ·x, at LeNet's fc1 (64×800 → 500) and AlexNet's fc6 (128×9216 → 4096) and fc7
 * (128×4096 → 4096), on every backend and tier. Work: 2·batch·in·out FLOP per call, in {@link Work#gflop}.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class DenseBenchmark {
    @Param({"cpu", "cuda-cudnn", "cuda-cublas", "cuda-kernels"})
    public String backend;

    @Param({"lenetFc1", "alexnetFc6", "alexnetFc7"})
    public String layer;

    @Param({"forward", "backwardData", "backwardFilter"})
    public String pass;

    private Backend device;
    private Layers.Dense dense;
    private Tensor x;
    private Tensor w;
    private Tensor y;
    private Tensor dy;
    private Tensor dx;
    private Tensor dw;

    @Setup(Level.Trial)
    public void setUp() {
        dense = Layers.dense(layer);
        device = BenchBackends.create(backend);
        Shape in = Shape.of(dense.batch(), dense.in());
        Shape out = Shape.of(dense.batch(), dense.out());
        Shape weights = Shape.of(dense.out(), dense.in());
        x = device.tensor(in, Layers.random(6, in.size()));
        w = device.tensor(weights, Layers.random(7, weights.size()));
        dy = device.tensor(out, Layers.random(8, out.size()));
        y = device.allocate(out);
        dx = device.allocate(in);
        dw = device.allocate(weights);
    }

    /** The pass, once; returns its output. */
    Tensor run() {
        int n = dense.batch();
        int in = dense.in();
        int out = dense.out();
        switch (pass) {
            case "forward" -> {
                device.gemm(false, true, n, out, in, 1f, x, w, 0f, y);
                return y;
            }
            case "backwardData" -> {
                device.gemm(false, false, n, in, out, 1f, dy, w, 0f, dx);
                return dx;
            }
            case "backwardFilter" -> {
                device.gemm(true, false, out, in, n, 1f, dy, x, 0f, dw);
                return dw;
            }
            default -> throw new IllegalArgumentException("unknown pass '" + pass + "': expected forward, "
                    + "backwardData or backwardFilter");
        }
    }

    @Benchmark
    public void dense(Work work) {
        BenchBackends.measure(device, work, this::run);
        work.gflop += dense.flops() / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, w, y, dy, dx, dw}) {
            t.close();
        }
        device.close();
    }
}
