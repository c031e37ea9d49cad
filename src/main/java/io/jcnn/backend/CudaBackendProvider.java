package io.jcnn.backend;

import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.backend.cuda.CudaProbe;

/**
 * The CUDA backend's place in {@link Backends}: available wherever the driver reports a device (the probe names what
 * is missing otherwise). Until the differential suite has passed on real hardware, {@code auto} picks it only when
 * the system property {@value #AUTO_PROPERTY} is {@code true} (the Docker image sets it); {@code --device cuda}
 * always does.
 */
final class CudaBackendProvider implements BackendProvider {
    /** System property that lets {@code auto} choose CUDA: {@code true} or {@code false} (the default). */
    static final String AUTO_PROPERTY = "jcnn.cuda.auto";
    static final String NOT_VERIFIED = "the CUDA backend has not yet been checked against the CPU on a GPU "
            + "(--device cuda or -D" + AUTO_PROPERTY + "=true uses it)";

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
        return notChosenByAutoReason(System.getProperty(AUTO_PROPERTY));
    }

    /** {@link #notChosenByAutoReason()} for a value of {@value #AUTO_PROPERTY} (null when unset). */
    static String notChosenByAutoReason(String optIn) {
        if (optIn == null || optIn.isBlank() || optIn.strip().equals("false")) {
            return NOT_VERIFIED;
        }
        if (optIn.strip().equals("true")) {
            return null;
        }
        throw new IllegalArgumentException(AUTO_PROPERTY + " must be true or false, got '" + optIn + "'");
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
