package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.backend.BackendChoice;
import io.jcnn.backend.Backends;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --device} and {@code --threads}, shared by the commands that compute ({@code @Mixin DeviceOptions}). Bad
 * values are usage errors, caught while parsing; an unavailable device is a runtime failure from
 * {@link #createBackend()}.
 */
public final class DeviceOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    private String device = "auto";
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto",
            description = "Where to compute: auto (CUDA when available, else the CPU), cpu or cuda."
                    + " Default: ${DEFAULT-VALUE}.")
    void setDevice(String value) {
        if (!Backends.deviceNames().contains(value)) {
            throw new ParameterException(command.commandLine(), "--device must be one of "
                    + String.join(", ", Backends.deviceNames()) + ", got '" + value + "'");
        }
        device = value;
    }

    @Option(names = "--strict",
            description = "Fail instead of falling back: --device auto must find the GPU, and a backend must not"
                    + " replace a missing library (cuBLAS, the Vector API) with a slower substitute.")
    private boolean strict;

    @Option(names = "--threads", paramLabel = "N",
            description = "CPU threads for the computation. Default: every core.")
    void setThreads(int value) {
        if (value < 1) {
            throw new ParameterException(command.commandLine(), "--threads must be at least 1, got " + value);
        }
        threads = value;
    }

    /** A note when --threads asks for more threads than there are cores (each then waits for the others), or null. */
    public String threadsNote() {
        int cores = Runtime.getRuntime().availableProcessors();
        return threads > cores ? "note: --threads " + threads + " is more than the " + cores + " cores here; extra"
                + " threads wait for each other and slow the computation down" : null;
    }

    /** {@code auto}, {@code cpu} or {@code cuda}. */
    public String device() {
        return device;
    }

    /** CPU threads for the computation, at least 1; every core unless {@code --threads} says otherwise. */
    public int threads() {
        return threads;
    }

    /** Whether {@code --strict} forbids falling back. */
    public boolean strict() {
        return strict;
    }

    /** Which backend {@link #createBackend()} will start, and why (for a one-line notice). */
    public BackendChoice choice() {
        return Backends.choose(device);
    }

    /**
     * A new backend for these options, owned by the caller.
     *
     * @throws IllegalArgumentException when the device is unavailable, saying why
     */
    public Backend createBackend() {
        return Backends.create(device, threads, strict);
    }
}
