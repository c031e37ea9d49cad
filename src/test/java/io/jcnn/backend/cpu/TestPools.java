package io.jcnn.backend.cpu;

import org.junit.jupiter.api.Assumptions;

/**
 * Worker pools of 1, 2 and 3 threads shared by the CPU kernel tests, which check that results do not depend on the
 * thread count. Their workers are daemon threads that park when idle, so the pools live as long as the test JVM.
 */
final class TestPools {
    static final CpuParallel ONE = new CpuParallel(1);
    static final CpuParallel TWO = new CpuParallel(2);
    static final CpuParallel THREE = new CpuParallel(3);

    private TestPools() {
    }

    static CpuParallel[] all() {
        return new CpuParallel[] {ONE, TWO, THREE};
    }

    /** Skips the calling test, with the reason, where the Vector API kernel cannot run. */
    static void assumeVectorKernel() {
        String reason = CpuGemm.vectorUnavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "vector kernel unavailable: " + reason);
    }
}
