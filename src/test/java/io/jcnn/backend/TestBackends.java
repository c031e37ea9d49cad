package io.jcnn.backend;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.backend.cuda.CudaProbe;
import java.util.ArrayList;
import java.util.List;

/**
 * The backends every contract test runs against. The CPU backend appears twice: single-threaded, and with three
 * threads so that uneven chunk splits are exercised even on a two-core machine. GPU backends join this list where
 * a device is present.
 *
 * <p>Every {@code @ParameterizedTest} over these must set {@code autoCloseArguments = false}: a backend is
 * {@link AutoCloseable}, and JUnit would otherwise close the shared instance after its first use.
 */
public final class TestBackends {
    private static final List<Backend> ALL = backends();

    private static List<Backend> backends() {
        List<Backend> backends = new ArrayList<>(List.of(new CpuBackend(1), new CpuBackend(3)));
        if (CudaProbe.get().deviceUnavailableReason() == null) {
            backends.add(new CudaBackend(0));
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
