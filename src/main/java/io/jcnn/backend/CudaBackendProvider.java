package io.jcnn.backend;

/**
 * The CUDA backend's place in {@link Backends}. This build has none, so it is always unavailable; the CUDA backend
 * replaces this with a probe of the driver, the runtime, cuBLAS, cuDNN and its kernels, each failure naming what to
 * install.
 */
final class CudaBackendProvider implements BackendProvider {
    private static final String NOT_BUILT = "this build of jcnn has no CUDA backend yet";

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String unavailableReason() {
        return NOT_BUILT;
    }

    @Override
    public Backend create(int threads) {
        throw new IllegalArgumentException("device cuda is not available: " + NOT_BUILT);
    }
}
