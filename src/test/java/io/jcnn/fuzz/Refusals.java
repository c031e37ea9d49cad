package io.jcnn.fuzz;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a reader may do with hostile bytes: read them, or refuse them with an {@link IOException} whose message names
 * the file. Any other exception or error (out of memory, an index out of bounds, a negative array size) escapes to
 * Jazzer, which reports it as a finding and saves the input.
 */
final class Refusals {
    private Refusals() {
    }

    /** A read that may refuse its input. */
    interface Read {
        void run() throws IOException;
    }

    /** Runs {@code read}; a refusal that does not name one of {@code files} fails the fuzz test. */
    static void readOrRefuse(Read read, Path... files) {
        try {
            read.run();
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            for (Path file : files) {
                if (message.contains(file.toString())) {
                    return;
                }
            }
            throw new AssertionError("the refusal does not name the file: " + e, e);
        }
    }
}
