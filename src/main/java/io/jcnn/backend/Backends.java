package io.jcnn.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * Creates backends by device name, so that programs (and the command line's {@code --device}) never name a backend
 * class. Device names: {@code cpu}, {@code cuda}, and {@code auto}, which takes the first available of cuda then
 * cpu. Nothing falls back silently: a device asked for by name either starts or fails with the reason, and
 * {@link #choose} says why {@code auto} picked what it did.
 */
public final class Backends {
    /** In {@code auto}'s order of preference. */
    private static final List<BackendProvider> PROVIDERS = List.of(new CudaBackendProvider(), new CpuBackendProvider());
    /** The order {@link #report} lists them in: the one that always works first. */
    private static final List<String> REPORT_ORDER = List.of("cpu", "cuda");

    private Backends() {
    }

    /** The names {@link #create} accepts: {@code auto}, then each backend's. */
    public static List<String> deviceNames() {
        List<String> names = new ArrayList<>();
        names.add("auto");
        names.addAll(REPORT_ORDER);
        return List.copyOf(names);
    }

    /**
     * Resolves a device name without creating anything.
     *
     * @throws IllegalArgumentException for an unknown name, or a named device that is unavailable here (the message
     *                                  says why)
     */
    public static BackendChoice choose(String device) {
        if ("auto".equals(device)) {
            List<String> skipped = new ArrayList<>();
            for (BackendProvider provider : PROVIDERS) {
                String unavailable = provider.unavailableReason();
                String notChosen = unavailable == null ? provider.notChosenByAutoReason() : null;
                if (unavailable == null && notChosen == null) {
                    String why = skipped.isEmpty() ? provider.name() + " is available" : String.join("; ", skipped);
                    return new BackendChoice(provider.name(), why);
                }
                skipped.add(provider.name() + (unavailable != null ? " unavailable: " + unavailable
                        : " not chosen: " + notChosen));
            }
            throw new IllegalArgumentException("no backend is available: " + String.join("; ", skipped));
        }
        BackendProvider provider = provider(device);
        String reason = provider.unavailableReason();
        if (reason != null) {
            throw new IllegalArgumentException("device " + device + " is not available: " + reason);
        }
        return new BackendChoice(provider.name(), "requested");
    }

    /**
     * A new backend for a device name, owned (and closed) by the caller.
     *
     * @param device  {@code auto}, {@code cpu} or {@code cuda}, or one device of a kind by number, as {@code cuda:1}
     *                ({@code cuda} is {@code cuda:0})
     * @param threads host threads the backend may use, at least 1 (the CPU backend's worker count)
     * @throws IllegalArgumentException for an unknown or unavailable device, or fewer than one thread
     */
    public static Backend create(String device, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        int colon = device.indexOf(':');
        if (colon >= 0) {
            String kind = device.substring(0, colon);
            return provider(choose(kind).backend()).create(threads, ordinal(device, device.substring(colon + 1)));
        }
        return provider(choose(device).backend()).create(threads);
    }

    /** The device number after the colon of a name such as {@code cuda:1}. */
    private static int ordinal(String device, String digits) {
        if (!digits.matches("[0-9]{1,4}")) {
            throw new IllegalArgumentException("device '" + device + "': expected a device number after the colon,"
                    + " as in cuda:1");
        }
        return Integer.parseInt(digits);
    }

    /**
     * As {@link #create(String, int)}; in strict mode nothing may fall back: {@code auto} must find the GPU, and the
     * backend must run as designed ({@link Backend#fallbacks()} empty), or this fails saying what fell back.
     */
    public static Backend create(String device, int threads, boolean strict) {
        if (strict && "auto".equals(device)) {
            BackendChoice choice = choose(device);
            if (!choice.backend().equals(PROVIDERS.get(0).name())) {
                throw new IllegalArgumentException("strict mode: device auto would fall back to " + choice.backend()
                        + " (" + choice.reason() + "); name the device to use it");
            }
        }
        Backend backend = create(device, threads);
        if (strict && !backend.fallbacks().isEmpty()) {
            backend.close();
            throw new IllegalArgumentException("strict mode: " + backend.name() + " would fall back: "
                    + String.join("; ", backend.fallbacks()));
        }
        return backend;
    }

    /** Every backend of this build, available or not, with its description or the reason it cannot run. */
    public static List<BackendStatus> report(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        List<BackendStatus> statuses = new ArrayList<>();
        for (String name : REPORT_ORDER) {
            BackendProvider provider = provider(name);
            String reason = provider.unavailableReason();
            if (reason != null) {
                statuses.add(new BackendStatus(name, false, reason));
                continue;
            }
            try (Backend backend = provider.create(threads)) {
                statuses.add(new BackendStatus(name, true, backend.description()));
            } catch (RuntimeException e) {
                statuses.add(new BackendStatus(name, false, "failed to start: " + e.getMessage()));
            }
        }
        return List.copyOf(statuses);
    }

    private static BackendProvider provider(String device) {
        for (BackendProvider provider : PROVIDERS) {
            if (provider.name().equals(device)) {
                return provider;
            }
        }
        throw new IllegalArgumentException("unknown device '" + device + "': expected one of "
                + String.join(", ", deviceNames()));
    }
}
