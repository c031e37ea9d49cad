package io.jcnn.backend;

import io.jcnn.backend.cpu.CpuBackend;
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
    private static final List<Backend> ALL = List.of(new CpuBackend(1), new CpuBackend(3));

    private TestBackends() {
    }

    /** For {@code @MethodSource("io.jcnn.backend.TestBackends#all")}. Shared instances: do not close them. */
    public static List<Backend> all() {
        return ALL;
    }
}
