package io.jcnn.backend;

import io.jcnn.backend.cuda.NcclCollective;

import java.util.List;

/**
 * Joins backends into a {@link Collective} group, one rank per backend: NCCL when every backend is a GPU and NCCL
 * loads, host memory otherwise. As with {@link Backends}, nothing falls back silently: {@link #ncclUnavailableReason}
 * says why NCCL cannot be used.
 */
public final class Collectives {
    private Collectives() {
    }

    /** Null when NCCL loads on this machine; otherwise one line saying what is missing. */
    public static String ncclUnavailableReason() {
        try {
            return NcclCollective.unavailableReason();
        } catch (LinkageError e) {
            // A program that left the optional binding out of its class path.
            return "JavaCPP's NCCL binding (org.bytedeco:cuda and org.bytedeco:javacpp) is not on the class path: "
                    + e;
        }
    }

    /** One line on how several GPUs of this machine would reduce: through NCCL and its version, or why not. */
    public static String ncclReport() {
        String reason = ncclUnavailableReason();
        return reason == null ? "NCCL " + NcclCollective.version() + ": jcnn train --devices reduces through it"
                : "unavailable (--devices reduces through host memory): " + reason;
    }

    /**
     * One NCCL rank per backend, rank {@code i} at index {@code i}, for one process driving several GPUs.
     *
     * @throws IllegalArgumentException if a backend is not a GPU, two are the same GPU, or NCCL is unavailable
     */
    public static List<Collective> nccl(List<Backend> backends) {
        return NcclCollective.group(backends);
    }

    /** One host-memory rank per backend ({@link HostCollective}); works for every backend. */
    public static List<Collective> host(List<Backend> backends) {
        return HostCollective.group(backends.size());
    }
}
