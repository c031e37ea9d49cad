package io.jcnn.benchmarks;

import dev.ludovic.netlib.blas.NativeBLAS;
import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-precision GEMM, C = A·B (row-major, beta 0), through {@link Backend#gemm} on the pure-Java CPU backend and
 * the CUDA backend's matrix-product tiers ({@code cuda-cublas}: cuBLAS; {@code cuda-kernels}: jcnn's tiled SGEMM
 * kernel), side by side with the system's native BLAS (OpenBLAS) called through netlib-java's JNI binding.
 *
 * <p>Reading the results: the primary score is calls per second; the secondary result {@code gflop} counts 2·m·n·k
 * floating-point operations per call in units of 10⁹, so its score <em>is</em> GFLOP/s. Compare the jcnn and
 * openblas rows of one run. Match the thread counts: the CPU backend uses every available processor, so run with
 * {@code OPENBLAS_NUM_THREADS} set to the same number.
 *
 * <p>Shapes are {@code m×n×k} followed by the transposes of A and B ({@code N} or {@code T}). Besides squares
 * they are LeNet's layers at batch 64: conv1 and conv2 as im2col products per image (W·col) and for the whole batch,
 * fc1 forward (x·Wᵀ), backward data (dy·W) and backward filter (dyᵀ·x), and fc2 forward.
 *
 * <p>Implementations: {@code jcnn-vector} is the CPU backend's Vector API micro-kernel, {@code jcnn-portable} its
 * auto-vectorised kernel (selected with {@code -Djcnn.cpu.gemm=portable}, which setup sets before the backend is
 * first used; every parameter combination runs in a fresh fork) and {@code openblas} the native library. Forks start
 * with {@code --add-modules jdk.incubator.vector}. Setup checks the backend's description and fails if the kernel
 * that would run is not the one the row is named after.
 *
 * <p>The openblas rows fail in setup, with the reason, when no native BLAS loads or when the one that loads is not
 * OpenBLAS; they never fall back to a Java implementation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
public class GemmBenchmark {

    @Param({
        "1024x1024x1024:NN",
        "20x576x25:NN",       // LeNet conv1 per image: W(20×25)·col(25×576)
        "50x64x500:NN",       // LeNet conv2 per image: W(50×500)·col(500×64)
        "20x36864x25:NN",     // conv1, whole batch of 64
        "50x4096x500:NN",     // conv2, whole batch of 64
        "64x500x800:NT",      // fc1 forward: x(64×800)·Wᵀ, W 500×800
        "64x800x500:NN",      // fc1 backward data: dy(64×500)·W(500×800)
        "500x800x64:TN",      // fc1 backward filter: dyᵀ·x
        "64x10x500:NT",       // fc2 forward
        "256x256x256:NN",
        "512x512x512:NN",
        "2048x2048x2048:NN",
        "4096x4096x4096:NN",
    })
    public String shape;

    @Param({"jcnn-vector", "jcnn-portable", "openblas", "cuda-cublas", "cuda-kernels"})
    public String impl;

    private int m;
    private int n;
    private int k;
    private boolean transposeA;
    private boolean transposeB;
    private double gigaFlopsPerCall;

    private Backend backend;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    private NativeBLAS blas;
    private float[] aArray;
    private float[] bArray;
    private float[] cArray;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split("[x:]");
        m = Integer.parseInt(parts[0]);
        n = Integer.parseInt(parts[1]);
        k = Integer.parseInt(parts[2]);
        transposeA = parts[3].charAt(0) == 'T';
        transposeB = parts[3].charAt(1) == 'T';
        gigaFlopsPerCall = 2.0 * m * n * k * 1e-9;
        aArray = Layers.random(1, m * k);
        bArray = Layers.random(2, k * n);
        cArray = new float[m * n];
        switch (impl) {
            case "jcnn-vector", "jcnn-portable" -> {
                boolean portable = impl.equals("jcnn-portable");
                if (portable) {
                    System.setProperty("jcnn.cpu.gemm", "portable");
                }
                backend = new CpuBackend();
                String expected = portable ? "gemm: auto-vectorised" : "gemm: vector API";
                if (!backend.description().contains(expected)) {
                    throw new IllegalStateException(impl + " needs a backend with " + expected + " (and a fork "
                            + "started with --add-modules jdk.incubator.vector); got " + backend.description());
                }
                System.out.println("# " + backend.description());
                a = backend.tensor(transposeA ? Shape.of(k, m) : Shape.of(m, k), aArray);
                b = backend.tensor(transposeB ? Shape.of(n, k) : Shape.of(k, n), bArray);
                c = backend.allocate(Shape.of(m, n));
            }
            case "openblas" -> blas = loadOpenBlas();
            case "cuda-cublas", "cuda-kernels" -> {
                backend = BenchBackends.create(impl);
                System.out.println("# " + backend.description());
                a = backend.tensor(transposeA ? Shape.of(k, m) : Shape.of(m, k), aArray);
                b = backend.tensor(transposeB ? Shape.of(n, k) : Shape.of(k, n), bArray);
                c = backend.allocate(Shape.of(m, n));
            }
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    /** The native BLAS, or an exception saying why it cannot be the OpenBLAS this comparison needs. */
    static NativeBLAS loadOpenBlas() {
        NativeBLAS native_;
        try {
            native_ = NativeBLAS.getInstance();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("openblas skipped: no native BLAS could be loaded (install OpenBLAS, "
                    + "e.g. the libopenblas0-pthread package, which provides libblas.so.3): " + e, e);
        }
        if (!native_.getClass().getSimpleName().equals("JNIBLAS")) {
            throw new IllegalStateException("openblas skipped: netlib picked " + native_.getClass().getName()
                    + ", not its JNI binding");
        }
        String mapped = mappedLibraries();
        if (!mapped.contains("openblas")) {
            throw new IllegalStateException("openblas skipped: the native BLAS loaded is not OpenBLAS; mapped "
                    + "BLAS libraries: " + mapped);
        }
        System.out.println("# native BLAS: " + mapped + ", OPENBLAS_NUM_THREADS="
                + System.getenv("OPENBLAS_NUM_THREADS"));
        return native_;
    }

    /** The BLAS shared objects mapped into this process (Linux), to confirm which library really runs. */
    private static String mappedLibraries() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.contains("blas"))
                    .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .distinct()
                    .reduce((x, y) -> x + " " + y)
                    .orElse("none");
        } catch (IOException e) {
            return "unknown (" + e + ")";
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (backend != null) {
            a.close();
            b.close();
            c.close();
            backend.close();
        }
    }

    @Benchmark
    public void gemm(Work work) {
        if (blas != null) {
            // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands, keep the flags.
            blas.sgemm(transposeB ? "T" : "N", transposeA ? "T" : "N", n, m, k, 1f,
                    bArray, transposeB ? k : n, aArray, transposeA ? m : k, 0f, cArray, n);
        } else {
            BenchBackends.measure(backend, work, () -> backend.gemm(transposeA, transposeB, m, n, k, 1f, a, b, 0f, c));
        }
        work.gflop += gigaFlopsPerCall;
    }
}
