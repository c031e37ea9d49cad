package io.jcnn.backend.cuda;

import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Assumptions;

/**
 * The emulated CUDA driver's test channel (native-kernels/emulation/driver/emulator.h): counters read as device
 * attributes far above CUDA's own, and failures injected as context limits, both through the ordinary driver API.
 * A real driver refuses those attributes, so {@link #active()} tells the emulator from a GPU.
 */
final class CudaEmulator {
    private static final int ATTRIBUTE_BASE = 0x4A430000;
    private static final int FAULT_BASE = 0x4A431000;

    /** Counters, in the order of the emulator's Attribute enum. */
    enum Counter {
        IS_EMULATOR, CONTEXT_REFERENCES, LIVE_ALLOCATIONS, LIVE_PINNED, LIVE_STREAMS, LIVE_EVENTS, LIVE_MODULES,
        LAUNCHES_RUN, MISUSES, LEAKS, LIVE_CUBLAS_HANDLES, QUEUED_OPS
    }

    /** Calls that can be made to fail, in the order of the emulator's FaultCall enum. */
    enum Fault {
        STREAM_CREATE, EVENT_CREATE, MODULE_LOAD, MEM_ALLOC, MEM_ALLOC_HOST, CUBLAS_CREATE
    }

    private CudaEmulator() {
    }

    /** Whether this JVM's CUDA driver is jcnn's emulator. */
    static boolean active() {
        if (CudaProbe.get().deviceUnavailableReason() != null) {
            return false;
        }
        int[] value = new int[1];
        return JCudaDriver.cuDeviceGetAttribute(value, ATTRIBUTE_BASE, device()) == CUresult.CUDA_SUCCESS
                && value[0] == 1;
    }

    /** Skips the calling test unless the emulated driver is loaded. */
    static void assume() {
        Assumptions.assumeTrue(active(), () -> "needs the emulated CUDA driver (LD_LIBRARY_PATH; see "
                + "native-kernels/README.md): " + (CudaProbe.get().deviceUnavailableReason() == null
                ? "this machine has a real CUDA driver" : CudaProbe.get().deviceUnavailableReason()));
    }

    static int count(Counter counter) {
        int[] value = new int[1];
        CudaException.check(JCudaDriver.cuDeviceGetAttribute(value, ATTRIBUTE_BASE + counter.ordinal(), device()),
                "cuDeviceGetAttribute", "emulator counter " + counter);
        return value[0];
    }

    /** {@code call} fails once, after {@code successes} more calls succeed. */
    static void failAfter(Fault call, long successes) {
        CudaException.check(JCudaDriver.cuCtxSetLimit(FAULT_BASE + call.ordinal(), successes), "cuCtxSetLimit",
                "emulator fault " + call);
    }

    /** Cancels every injected failure that has not fired. */
    static void clearFaults() {
        for (Fault f : Fault.values()) {
            failAfter(f, -1);
        }
    }

    private static CUdevice device() {
        CUdevice device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, 0);
        return device;
    }
}
