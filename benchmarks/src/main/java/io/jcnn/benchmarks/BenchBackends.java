package io.jcnn.benchmarks;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.backend.cuda.CudaProbe;
import io.jcnn.backend.cuda.CudaTier;
import java.util.List;

/**
 * The backends and tiers benchmarks run on, by the name their {@code backend} parameter takes: {@code cpu} (every
 * processor), {@code cuda-cudnn}, {@code cuda-cublas} and {@code cuda-kernels} (jcnn's PTX kernels alone). A CUDA
 * tier whose library does not load here is unavailable, never silently replaced by a lower one.
 */
public final class BenchBackends {
    public static final List<String> NAMES = List.of("cpu", "cuda-cudnn", "cuda-cublas", "cuda-kernels");

    private BenchBackends() {
    }

    /** Null when {@code name} can run here, else why not, in one line. */
    public static String unavailableReason(String name) {
        if (name.equals("cpu")) {
            return null;
        }
        CudaTier tier = tier(name);
        String device = CudaProbe.get().deviceUnavailableReason();
        if (device != null) {
            return device;
        }
        CudaProbe.Component library = switch (tier) {
            case CUDNN -> CudaProbe.get().cudnn();
            case CUBLAS -> CudaProbe.get().cublas();
            case KERNELS -> CudaProbe.get().kernels();
        };
        return library.loaded() ? null : library.detail();
    }

    /**
     * A new backend for {@code name} whose CPU vector kernels use {@code vectorBits} ({@code auto}, {@code 256} or
     * {@code 512}; ignored by CUDA backends), owned by the caller. The width is fixed once per JVM when the CPU backend
     * is first used, and JMH runs every parameter combination in a fresh fork, so the setup of the fork's first
     * benchmark sets it; a backend that ended up at another width fails here rather than measure the wrong thing.
     */
    public static Backend create(String name, String vectorBits) {
        if (name.equals("cpu") && !vectorBits.equals("auto")) {
            System.setProperty("jcnn.cpu.vectorBits", vectorBits);
        }
        Backend backend = create(name);
        if (name.equals("cpu") && !vectorBits.equals("auto") && !backend.description().contains(vectorBits + "-bit")) {
            String description = backend.description();
            backend.close();
            throw new IllegalStateException("asked for " + vectorBits + "-bit vectors but the CPU backend runs "
                    + description + " (another width was fixed earlier in this JVM)");
        }
        return backend;
    }

    /** A new backend for {@code name}, owned by the caller; fails with the reason where it cannot run here. */
    public static Backend create(String name) {
        String reason = unavailableReason(name);
        if (reason != null) {
            throw new IllegalStateException("backend " + name + " is unavailable here: " + reason);
        }
        return name.equals("cpu") ? new CpuBackend() : new CudaBackend(0, tier(name), false);
    }

    private static CudaTier tier(String name) {
        if (!name.startsWith("cuda-") || !NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown backend '" + name + "': expected one of "
                    + String.join(", ", NAMES));
        }
        return CudaTier.of(name.substring("cuda-".length()));
    }

    /**
     * Runs one measured call: on a CUDA backend between CUDA events, adding the device time to {@code work}, and in
     * every case waiting for the device, so asynchronous launches are not mistaken for finished work.
     */
    public static void measure(Backend backend, Work work, Runnable call) {
        if (backend instanceof CudaBackend cuda) {
            work.deviceSeconds += cuda.deviceMillis(call) / 1000;
        } else {
            call.run();
        }
        backend.synchronize();
    }
}
