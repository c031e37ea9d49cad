package io.jcnn.backend;

import io.jcnn.backend.cuda.CudaProbe;

/**
 * The CUDA backend's place in {@link Backends}. The probe of the driver, cuBLAS, cuDNN and the kernels is done, and
 * names what is missing and what to install; the backend that runs the ops on a device is not part of this build
 * yet, so even a machine with everything reports that.
 */
final class CudaBackendProvider implements BackendProvider {
    static final String NOT_BUILT = "jcnn's CUDA backend (the ops on the device) is not part of this build yet";

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String unavailableReason() {
        CudaProbe probe = CudaProbe.get();
        String device = probe.deviceUnavailableReason();
        if (device != null) {
            return device;
        }
        return NOT_BUILT + " (found " + probe.devices().get(0).name() + "; see the cuda stack lines of jcnn info)";
    }

    @Override
    public Backend create(int threads) {
        throw new IllegalArgumentException("device cuda is not available: " + unavailableReason());
    }
}
