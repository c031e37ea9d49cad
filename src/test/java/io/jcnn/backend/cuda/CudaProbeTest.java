package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cuda.CudaProbe.Component;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CUDA probe on whatever machine runs the tests: each part is either loaded with its version or missing with
 * the library it could not open and what to install; the kernels of this build are all there. Without a driver
 * (CI), the driver line names libcuda.so.1.
 */
class CudaProbeTest {

    @Test
    void everyPartSaysItsVersionOrWhatToInstall() {
        CudaProbe probe = CudaProbe.get();
        for (Component c : List.of(probe.driver(), probe.cublas(), probe.cudnn())) {
            if (c.loaded()) {
                assertTrue(c.detail().matches(".*\\d+\\.\\d+.*"), c.toString());
            } else {
                assertTrue(c.detail().contains("install"), c.toString());
                assertFalse(c.detail().contains("\n"), c.toString());
            }
        }
        if (!probe.driver().loaded()) {
            assertTrue(probe.devices().isEmpty(), probe.toString());
            assertEquals(probe.driver().detail(), probe.deviceUnavailableReason());
        }
    }

    @Test
    void missingDriverNamesLibcuda() {
        Component driver = CudaProbe.get().driver();
        if (!driver.loaded()) {
            assertTrue(driver.detail().startsWith("libcuda.so.1 not found: " + CudaProbe.DRIVER_FIX)
                    || driver.detail().contains("cuInit failed"), driver.detail());
        }
    }

    @Test
    void thisBuildHasEveryKernel() {
        Component kernels = CudaProbe.get().kernels();
        assertTrue(kernels.loaded(), kernels.toString());
        String count = kernels.detail().replaceAll(".*, (\\d+ kernels).*", "$1");
        assertEquals(CudaKernel.values().length + " kernels", count, kernels.detail());
    }

    @Test
    void linesListEveryPartThenTheDevices() {
        CudaProbe probe = CudaProbe.get();
        List<String> lines = probe.lines();
        assertEquals(4 + probe.devices().size(), lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("driver "), lines.toString());
        assertTrue(lines.get(3).startsWith("kernels "), lines.toString());
    }

    @Test
    void aFailedBindingIsReportedByTheLibraryItCouldNotOpen() {
        UnsatisfiedLinkError nested = new UnsatisfiedLinkError("Error while loading native library \"JCublas2\"\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCublas2.so: libcublas.so.12: cannot open shared object "
                + "file: No such file or directory");
        assertEquals(new Component("cuBLAS", false, "libcublas.so.12 not found: fix"),
                CudaProbe.missing("cuBLAS", nested, "libcublas.so.12", "fix"));
        UnsatisfiedLinkError other = new UnsatisfiedLinkError("undefined symbol: cublasFoo\nmore");
        assertEquals(new Component("cuBLAS", false, "its JCuda binding failed to load (undefined symbol: cublasFoo; "
                + "it needs libcublas.so.12): fix"), CudaProbe.missing("cuBLAS", other, "libcublas.so.12", "fix"));
    }

    @Test
    void aDriverOlderThanCuda12IsRefusedWithTheVersionAndTheFix() {
        assertEquals("the NVIDIA driver supports CUDA 11.4 but jcnn needs CUDA 12.0 or later: " + CudaProbe.DRIVER_FIX,
                CudaProbe.driverTooOldReason(11040));
        assertEquals("the NVIDIA driver supports CUDA 11.8 but jcnn needs CUDA 12.0 or later: " + CudaProbe.DRIVER_FIX,
                CudaProbe.driverTooOldReason(11080));
        assertEquals(null, CudaProbe.driverTooOldReason(12000));
        assertEquals(null, CudaProbe.driverTooOldReason(13000));
    }

    @Test
    void aGpuOlderThanTuringIsRefusedByNameAndCapability() {
        assertEquals("CUDA device 0 (Tesla V100-SXM2-16GB) has compute capability 7.0; jcnn's kernels need 7.5"
                + " (Turing) or newer", CudaProbe.tooOldReason(new CudaProbe.CudaDevice(0, "Tesla V100-SXM2-16GB", 7,
                0, 16L << 30)));
        assertEquals(null, CudaProbe.tooOldReason(new CudaProbe.CudaDevice(0, "T4", 7, 5, 16L << 30)));
        assertEquals(null, CudaProbe.tooOldReason(new CudaProbe.CudaDevice(0, "A100", 8, 0, 40L << 30)));
        assertEquals(null, CudaProbe.tooOldReason(new CudaProbe.CudaDevice(1, "H100", 9, 0, 80L << 30)));
    }
}
