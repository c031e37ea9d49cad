package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class BackendsTest {
    /** Why cuda is unavailable here (what the driver probe found), or null on a machine with a CUDA device. */
    private static final String CUDA_REASON = new CudaBackendProvider().unavailableReason();

    /** Skips a test about an unavailable cuda on a machine that has a device. */
    private static void assumeNoCudaDevice() {
        Assumptions.assumeTrue(CUDA_REASON != null, "this machine has a CUDA device");
    }


    @Test
    void cpuIsCreatedWithTheRequestedThreads() {
        try (Backend backend = Backends.create("cpu", 3)) {
            assertEquals("cpu", backend.name());
            assertEquals(3, ((CpuBackend) backend).threads());
        }
    }

    @Test
    void autoFallsBackToCpuAndSaysWhy() {
        BackendChoice choice = Backends.choose("auto");
        assertEquals("cpu", choice.backend());
        // With a device, auto still takes the CPU until the CUDA backend is verified on hardware.
        assertEquals(CUDA_REASON != null ? "cuda unavailable: " + CUDA_REASON
                : "cuda not chosen: " + CudaBackendProvider.NOT_VERIFIED, choice.reason());
        try (Backend backend = Backends.create("auto", 1)) {
            assertEquals("cpu", backend.name());
        }
    }

    @Test
    void autoTakesCudaOnlyWhenOptedIn() {
        String name = CudaBackendProvider.AUTO_VARIABLE;
        assertEquals(CudaBackendProvider.NOT_VERIFIED, CudaBackendProvider.notChosenByAutoReason(name, null));
        assertEquals(CudaBackendProvider.NOT_VERIFIED, CudaBackendProvider.notChosenByAutoReason(name, "false"));
        assertEquals(null, CudaBackendProvider.notChosenByAutoReason(name, "true"));
        assertEquals(null, CudaBackendProvider.notChosenByAutoReason(name, " true "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaBackendProvider.notChosenByAutoReason(name, "yes"));
        assertEquals("JCNN_CUDA_AUTO must be true or false, got 'yes'", e.getMessage());
    }

    @Test
    void unavailableCudaIsAnErrorWithOneClearLine() {
        assumeNoCudaDevice();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("cuda", 1));
        assertEquals("device cuda is not available: " + CUDA_REASON, e.getMessage());
    }

    @Test
    void strictModeRefusesAnyFallback() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.create("auto", 1, true));
        assertTrue(e.getMessage().startsWith("strict mode: device auto would fall back to cpu (cuda "), e.getMessage());
        // The tests run with the Vector API, so the CPU backend runs as designed and starts in strict mode.
        try (Backend cpu = Backends.create("cpu", 1, true)) {
            assertEquals(List.of(), cpu.fallbacks());
        }
    }

    @Test
    void unknownDeviceListsTheNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("gpu", 1));
        assertEquals("unknown device 'gpu': expected one of auto, cpu, cuda", e.getMessage());
    }

    @Test
    void threadsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("cpu", 0));
        assertEquals("threads must be at least 1, got 0", e.getMessage());
    }

    @Test
    void reportListsEveryBackend() {
        List<BackendStatus> report = Backends.report(2);
        assertEquals(List.of("cpu", "cuda"), report.stream().map(BackendStatus::name).toList());
        BackendStatus cpu = report.get(0);
        assertTrue(cpu.available());
        assertTrue(cpu.detail().contains("2 threads") && cpu.detail().contains("gemm: "), cpu.detail());
        BackendStatus cuda = report.get(1);
        assertEquals(CUDA_REASON == null, cuda.available(), cuda.toString());
        if (CUDA_REASON != null) {
            assertEquals(CUDA_REASON, cuda.detail());
        } else {
            assertTrue(cuda.detail().startsWith("cuda: "), cuda.detail());
        }
    }

    @Test
    void deviceNamesStartWithAuto() {
        assertEquals(List.of("auto", "cpu", "cuda"), Backends.deviceNames());
    }
}
