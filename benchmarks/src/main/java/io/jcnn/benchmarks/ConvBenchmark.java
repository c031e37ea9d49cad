package io.jcnn.benchmarks;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.SplittableRandom;
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
 * CPU convolution and pooling at shapes from real networks, on {@code new CpuBackend()} (every available
 * processor).
 *
 * <p>Convolution layers: LeNet conv1 (64×1×28×28, 20@5×5) and conv2 (64×20×12×12, 50@5×5), and AlexNet (227×227
 * input) conv2–conv5 at batch {@value #ALEXNET_BATCH} rather than 128 or 256, so one call stays around a second on a
 * small machine: conv2 N×96×27×27 256@5×5 pad 2 groups 2; conv3 N×256×13×13 384@3×3 pad 1; conv4 N×384×13×13
 * 384@3×3 pad 1 groups 2; conv5 N×384×13×13 256@3×3 pad 1 groups 2.
 *
 * <p>Forward runs the algorithm the backend chooses for the shape (Winograd for LeNet conv2 and AlexNet conv2–conv5,
 * a direct loop for LeNet conv1); {@code forwardGemm} forces the GEMM path for the same shape, so the two rows of
 * one run compare them. Setup prints the plan, which names the algorithm.
 *
 * <p>GFLOP/s: each pass (forward, backward-data, backward-filter) does the same multiply-adds, so all three use
 * {@link ConvGeometry#forwardFlops()}, which setup prints per trial: GFLOP/s = forwardFlops / 10⁹ / (ms/op / 1000).
 *
 * <p>Pooling: LeNet's two 2×2 stride-2 pools (64×20×24×24 and 64×50×8×8), max and average, forward and backward.
 * Planning, allocation and data happen once per trial; tensors and the backend are closed in tear-down.
 */
// The CPU backend's gemm uses its Vector API kernel only where the module is loaded.
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConvBenchmark {
    static final int ALEXNET_BATCH = 8;
    private static final String GEMM_PROPERTY = "jcnn.cpu.conv";

    @State(Scope.Benchmark)
    public static class ConvState {
        @Param({"lenetConv1", "lenetConv2", "alexnetConv2", "alexnetConv3", "alexnetConv4", "alexnetConv5"})
        public String layer;

        /** forwardGemm: forward with the algorithm forced to the GEMM path ({@code -Djcnn.cpu.conv=gemm}), for comparison. */
        @Param({"forward", "forwardGemm", "backwardData", "backwardFilter"})
        public String pass;

        CpuBackend backend;
        ConvPlan plan;
        Tensor x;
        Tensor w;
        Tensor y;
        Tensor dy;
        Tensor dx;
        Tensor dw;

        @Setup(Level.Trial)
        public void setUp() {
            Shape input;
            Shape filter;
            ConvSpec spec;
            int b = ALEXNET_BATCH;
            switch (layer) {
                case "lenetConv1" -> {
                    input = Shape.nchw(64, 1, 28, 28);
                    filter = Shape.nchw(20, 1, 5, 5);
                    spec = ConvSpec.defaults();
                }
                case "lenetConv2" -> {
                    input = Shape.nchw(64, 20, 12, 12);
                    filter = Shape.nchw(50, 20, 5, 5);
                    spec = ConvSpec.defaults();
                }
                case "alexnetConv2" -> {
                    input = Shape.nchw(b, 96, 27, 27);
                    filter = Shape.nchw(256, 48, 5, 5);
                    spec = ConvSpec.of(1, 2).withGroups(2);
                }
                case "alexnetConv3" -> {
                    input = Shape.nchw(b, 256, 13, 13);
                    filter = Shape.nchw(384, 256, 3, 3);
                    spec = ConvSpec.of(1, 1);
                }
                case "alexnetConv4" -> {
                    input = Shape.nchw(b, 384, 13, 13);
                    filter = Shape.nchw(384, 192, 3, 3);
                    spec = ConvSpec.of(1, 1).withGroups(2);
                }
                case "alexnetConv5" -> {
                    input = Shape.nchw(b, 384, 13, 13);
                    filter = Shape.nchw(256, 192, 3, 3);
                    spec = ConvSpec.of(1, 1).withGroups(2);
                }
                default -> throw new IllegalArgumentException("unknown layer " + layer);
            }
            backend = new CpuBackend();
            // The algorithm is chosen when planning; the property is read then and nowhere else.
            if (pass.equals("forwardGemm")) {
                System.setProperty(GEMM_PROPERTY, "gemm");
            }
            try {
                plan = backend.planConv2d(input, filter, spec);
            } finally {
                System.clearProperty(GEMM_PROPERTY);
            }
            Shape output = plan.geometry().output();
            x = backend.tensor(input, random(1, input.size()));
            w = backend.tensor(filter, random(2, filter.size()));
            dy = backend.tensor(output, random(3, output.size()));
            y = backend.allocate(output);
            dx = backend.allocate(input);
            dw = backend.allocate(filter);
            System.out.printf("%n%s %s: %s, forwardFlops %.0f, %s%n", layer, pass, plan,
                    plan.geometry().forwardFlops(), backend.description());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Tensor t : new Tensor[] {x, w, y, dy, dx, dw}) {
                t.close();
            }
            plan.close();
            backend.close();
        }
    }

    @Benchmark
    public Tensor conv2d(ConvState s) {
        switch (s.pass) {
            case "forward", "forwardGemm" -> {
                s.backend.conv2dForward(s.plan, s.x, s.w, s.y);
                return s.y;
            }
            case "backwardData" -> {
                s.backend.conv2dBackwardData(s.plan, s.dy, s.w, s.dx);
                return s.dx;
            }
            case "backwardFilter" -> {
                s.backend.conv2dBackwardFilter(s.plan, s.x, s.dy, s.dw);
                return s.dw;
            }
            default -> throw new IllegalArgumentException("unknown pass " + s.pass);
        }
    }

    @State(Scope.Benchmark)
    public static class PoolState {
        @Param({"lenetPool1", "lenetPool2"})
        public String layer;

        @Param({"MAX", "AVERAGE"})
        public PoolMode mode;

        @Param({"forward", "backward"})
        public String pass;

        CpuBackend backend;
        PoolPlan plan;
        Tensor x;
        Tensor y;
        Tensor dy;
        Tensor dx;

        @Setup(Level.Trial)
        public void setUp() {
            Shape input = switch (layer) {
                case "lenetPool1" -> Shape.nchw(64, 20, 24, 24);
                case "lenetPool2" -> Shape.nchw(64, 50, 8, 8);
                default -> throw new IllegalArgumentException("unknown layer " + layer);
            };
            backend = new CpuBackend();
            plan = backend.planPool2d(input, PoolSpec.of(mode, 2, 2));
            Shape output = plan.geometry().output();
            x = backend.tensor(input, random(4, input.size()));
            y = backend.allocate(output);
            dy = backend.tensor(output, random(5, output.size()));
            dx = backend.allocate(input);
            backend.pool2dForward(plan, x, y);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Tensor t : new Tensor[] {x, y, dy, dx}) {
                t.close();
            }
            plan.close();
            backend.close();
        }
    }

    @Benchmark
    public Tensor pool2d(PoolState s) {
        if (s.pass.equals("forward")) {
            s.backend.pool2dForward(s.plan, s.x, s.y);
            return s.y;
        }
        s.backend.pool2dBackward(s.plan, s.x, s.y, s.dy, s.dx);
        return s.dx;
    }

    private static float[] random(long seed, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
