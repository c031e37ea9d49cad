package io.jcnn.backend;

import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.backend.cuda.CudaProbe;

/**
 * The CUDA backend's place in {@link Backends}: available wherever the driver reports a device (the probe names what
 * is missing otherwise). Until the differential suite has passed on real hardware, {@code auto} picks it only when
 * the system property {@value #AUTO_PROPERTY}, or else the environment variable {@value #AUTO_VARIABLE}, is
 * {@code true} (the Docker image sets the variable); {@code --device cuda} always does.
 */
final class CudaBackendProvider implements BackendProvider {
    /** System property that lets {@code auto} choose CUDA: {@code true} or {@code false} (the default). */
    static final String AUTO_PROPERTY = "jcnn.cuda.auto";
    /** Environment variable read when the property is not set; the same values. */
    static final String AUTO_VARIABLE = "JCNN_CUDA_AUTO";
    static final String NOT_VERIFIED = "the CUDA backend has not yet been checked against the CPU on a GPU "
            + "(--device cuda, or " + AUTO_VARIABLE + "=true for auto, uses it)";

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
        String property = System.getProperty(AUTO_PROPERTY);
        return property != null ? notChosenByAutoReason(AUTO_PROPERTY, property)
                : notChosenByAutoReason(AUTO_VARIABLE, System.getenv(AUTO_VARIABLE));
    }

    /** {@link #notChosenByAutoReason()} for the value of the property or variable {@code name} (null: unset). */
    static String notChosenByAutoReason(String name, String optIn) {
        if (optIn == null || optIn.isBlank() || optIn.strip().equals("false")) {
            return NOT_VERIFIED;
        }
        if (optIn.strip().equals("true")) {
            return null;
        }
        throw new IllegalArgumentException(name + " must be true or false, got '" + optIn + "'");
    }

    @Override
    public Backend create(int threads) {
        return create(threads, 0);
    }

    @Override
    public Backend create(int threads, int ordinal) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalArgumentException("device cuda is not available: " + reason);
        }
        return new CudaBackend(ordinal);
    }
}
