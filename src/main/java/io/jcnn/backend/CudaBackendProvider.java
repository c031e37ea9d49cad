package io.jcnn.backend;

import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.backend.cuda.CudaProbe;

/**
 * The CUDA backend's place in {@link Backends}: available wherever the driver reports a device (the probe names what
 * is missing otherwise). Until the differential suite has passed on real hardware, {@code auto} does not pick it;
 * {@code --device cuda} does.
 */
final class CudaBackendProvider implements BackendProvider {
    static final String NOT_VERIFIED = "the CUDA backend has not yet been checked against the CPU on a GPU "
            + "(--device cuda uses it)";

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String unavailableReason() {
        return CudaProbe.get().deviceUnavailableReason();
    }

    @Override
    public String notChosenByAutoReason() {
        return NOT_VERIFIED;
    }

    @Override
    public Backend create(int threads) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalArgumentException("device cuda is not available: " + reason);
        }
        return new CudaBackend(0);
    }
}
