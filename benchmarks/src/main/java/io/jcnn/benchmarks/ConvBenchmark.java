package io.jcnn.benchmarks;

import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvPlan;
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
 * Convolution forward, backward data and backward filter at LeNet's two layers, the five of the AlexNet-style
 * network for 32×32 images and AlexNet's five ({@link Layers}), on every backend and tier.
 *
 * <p>Work: each pass does the same multiply-adds, {@link ConvGeometry#forwardFlops()} per call, counted in
 * {@link Work#gflop}, so the {@code gflop} secondary result is GFLOP/s. {@code forwardGemm} (CPU only; ask for it with
 * {@code -p pass=forward,forwardGemm}) forces the CPU's GEMM path for the same shape, to compare it with the algorithm
 * the backend chooses (Winograd, a direct loop), which setup prints with the plan. {@code forwardTraining} alternates
 * between two filters that differ in one element, as a training step's changing weights do, so an algorithm that keeps
 * a transformed filter between calls with the same weights (Winograd) pays its transform every call. Planning and allocation happen in
 * the trial setup; tensors, plan and backend are closed in tear-down.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConvBenchmark {
    private static final String CPU_CONV_PROPERTY = "jcnn.cpu.conv";

    @State(Scope.Benchmark)
    public static class ConvState {
        @Param({"cpu", "cuda-cudnn", "cuda-cublas", "cuda-kernels"})
        public String backend;

        @Param({"lenetConv1", "lenetConv2", "alexnet32Conv1", "alexnet32Conv2", "alexnet32Conv3", "alexnet32Conv4",
            "alexnet32Conv5", "alexnetConv1", "alexnetConv2", "alexnetConv3", "alexnetConv4", "alexnetConv5"})
        public String layer;

        @Param({"forward", "backwardData", "backwardFilter"})
        public String pass;

        /** 0: the layer's batch ({@link Layers}); any other value overrides it, e.g. 128 for AlexNet on a GPU. */
        @Param({"0"})
        public int batch;

        /**
         * The CPU backend's vector width: {@code auto} (the CPU's preferred one), {@code 256} or {@code 512}; e.g.
         * {@code -p vectorBits=256,512} measures both widths side by side in one run.
         */
        @Param({"auto"})
        public String vectorBits = "auto";

        Backend device;
        ConvPlan plan;
        double gflop;
        Tensor x;
        Tensor w;
        /** w with one element changed, for forwardTraining's alternation. */
        Tensor wNext;
        boolean alternate;
        Tensor y;
        Tensor dy;
        Tensor dx;
        Tensor dw;

        @Setup(Level.Trial)
        public void setUp() {
            Layers.Conv conv = batch > 0 ? Layers.conv(layer).withBatch(batch) : Layers.conv(layer);
            boolean gemmOnly = pass.endsWith("Gemm");
            if (gemmOnly && !backend.equals("cpu")) {
                throw new IllegalArgumentException(pass + " compares the CPU's convolution algorithms; use it "
                        + "with -p backend=cpu");
            }
            device = BenchBackends.create(backend, vectorBits);
            // The CPU chooses its algorithm when planning; the property is read then and nowhere else.
            if (gemmOnly) {
                System.setProperty(CPU_CONV_PROPERTY, "gemm");
            }
            try {
                plan = device.planConv2d(conv.input(), conv.filter(), conv.spec());
            } finally {
                System.clearProperty(CPU_CONV_PROPERTY);
            }
            gflop = plan.geometry().forwardFlops() / 1e9;
            Shape output = plan.geometry().output();
            x = device.tensor(conv.input(), Layers.random(1, conv.input().size()));
            w = device.tensor(conv.filter(), Layers.random(2, conv.filter().size()));
            float[] next = Layers.random(2, conv.filter().size());
            next[next.length - 1] += 1e-3f;
            wNext = device.tensor(conv.filter(), next);
            dy = device.tensor(output, Layers.random(3, output.size()));
            y = device.allocate(output);
            dx = device.allocate(conv.input());
            dw = device.allocate(conv.filter());
            System.out.printf("%n%s %s: %s, %.3f GFLOP per call, %s%n", layer, pass, plan, gflop,
                    device.description());
        }

        /** The pass, once; returns its output. */
        Tensor run() {
            switch (pass) {
                case "forward", "forwardGemm" -> {
                    device.conv2dForward(plan, x, w, y);
                    return y;
                }
                case "forwardTraining" -> {
                    // As in a training step, the weights differ from the last call's: algorithms that keep a
                    // transformed filter (Winograd) redo the transform every call.
                    alternate = !alternate;
                    device.conv2dForward(plan, x, alternate ? wNext : w, y);
                    return y;
                }
                case "backwardData", "backwardDataGemm" -> {
                    device.conv2dBackwardData(plan, dy, w, dx);
                    return dx;
                }
                case "backwardFilter" -> {
                    device.conv2dBackwardFilter(plan, x, dy, dw);
                    return dw;
                }
                default -> throw new IllegalArgumentException("unknown pass '" + pass + "': expected forward, "
                        + "forwardGemm, forwardTraining, backwardData, backwardDataGemm or backwardFilter");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Tensor t : new Tensor[] {x, w, wNext, y, dy, dx, dw}) {
                if (t != null) {
                    t.close();
                }
            }
            if (plan != null) {
                plan.close();
            }
            device.close();
        }
    }

    @Benchmark
    public void conv2d(ConvState s, Work work) {
        BenchBackends.measure(s.device, work, s::run);
        work.gflop += s.gflop;
    }
}
