package io.jcnn.backend;

/**
 * One kind of backend as {@link Backends} sees it: whether it can run on this machine, and how to make one. Adding a
 * device means adding a provider to {@link Backends}'s list and nothing else.
 */
interface BackendProvider {

    /** The device name users type: {@code cpu}, {@code cuda}. */
    String name();

    /**
     * Null when {@link #create} can succeed on this machine; otherwise one line saying why not and what would fix it
     * (the library that is missing, what to install). Probing may be slow, so implementations may cache the answer.
     */
    String unavailableReason();

    /**
     * Null when {@code auto} may pick this backend; otherwise why it does not (the backend still starts when asked
     * for by name). Lets a backend that works but is not yet verified on real hardware stay opt-in.
     */
    default String notChosenByAutoReason() {
        return null;
    }

    /**
     * A new backend owned by the caller.
     *
     * @param threads host threads it may use, at least 1
     * @throws IllegalArgumentException when it is unavailable, with {@link #unavailableReason()}'s explanation
     */
    Backend create(int threads);

    /**
     * A new backend on device {@code ordinal} of this kind (the second GPU is 1), owned by the caller. Only kinds
     * with several devices override this; the others have device 0 alone.
     *
     * @throws IllegalArgumentException when that device does not exist or is unavailable, saying why
     */
    default Backend create(int threads, int ordinal) {
        if (ordinal != 0) {
            throw new IllegalArgumentException("device " + name() + " has no numbered devices: use " + name()
                    + ", not " + name() + ":" + ordinal);
        }
        return create(threads);
    }
}
