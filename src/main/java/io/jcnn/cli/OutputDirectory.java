package io.jcnn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks an output directory up front, so a run cannot train for minutes and then fail to save. */
final class OutputDirectory {
    private OutputDirectory() {
    }

    /** Creates {@code dir} when missing and proves it writable by creating and deleting a file in it. */
    static void prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("output directory " + dir + " is a file, expected a directory");
        }
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".write-test", ".tmp"));
        } catch (IOException e) {
            throw new IOException("cannot write to output directory " + dir + ": "
                    + FailureMessages.describe(e), e);
        }
    }
}
