package io.jcnn.backend;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.backend.cuda.CudaProbe;
import io.jcnn.backend.cuda.CudaTier;
import java.util.ArrayList;
import java.util.List;

/**
 * The backends every contract test runs against. The CPU backend appears twice: single-threaded, and with three
 * threads so that uneven chunk splits are exercised even on a two-core machine. Where a CUDA device is present (a
 * GPU, or the emulated driver), a CUDA backend joins for each tier whose library loads: jcnn's kernels alone, with
 * cuBLAS, with cuDNN. {@code -Djcnn.test.backends=cuda} keeps only those, for the run on the emulated driver.
 *
 * <p>Every {@code @ParameterizedTest} over these must set {@code autoCloseArguments = false}: a backend is
 * {@link AutoCloseable}, and JUnit would otherwise close the shared instance after its first use.
 */
public final class TestBackends {
    private static final List<Backend> ALL = backends();

    private static List<Backend> backends() {
        List<Backend> backends = new ArrayList<>();
        if (!"cuda".equals(System.getProperty("jcnn.test.backends"))) {
            backends.addAll(List.of(new CpuBackend(1), new CpuBackend(3)));
        }
        if (CudaProbe.get().deviceUnavailableReason() == null) {
            for (CudaTier tier : CudaTier.values()) {
                if (CudaProbe.get().loads(tier)) {
                    backends.add(new CudaBackend(0, tier, false));
                }
            }
        }
        if (backends.isEmpty()) {
            throw new IllegalStateException("jcnn.test.backends=cuda, but no CUDA device: "
                    + CudaProbe.get().deviceUnavailableReason());
        }
        return List.copyOf(backends);
    }

    private TestBackends() {
    }

    /** For {@code @MethodSource("io.jcnn.backend.TestBackends#all")}. Shared instances: do not close them. */
    public static List<Backend> all() {
        return ALL;
    }
}
