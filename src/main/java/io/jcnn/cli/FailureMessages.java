package io.jcnn.cli;

import io.jcnn.backend.cuda.CudaException;
import io.jcnn.backend.cuda.DeviceOutOfMemoryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Turns an exception into the one line the user sees after {@code jcnn: }. */
final class FailureMessages {
    private FailureMessages() {
    }

    static String describe(Throwable failure) {
        return oneLine(text(failure));
    }

    private static String text(Throwable failure) {
        // Java's file-system exceptions carry only the path as their message.
        if (failure instanceof NoSuchFileException e) {
            return "no such file or directory: " + e.getFile();
        }
        if (failure instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (failure instanceof FileAlreadyExistsException e) {
            return "already exists: " + e.getFile();
        }
        if (failure instanceof NotDirectoryException e) {
            return "not a directory: " + e.getFile();
        }
        if (failure instanceof FileSystemException e) {
            return e.getFile() + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
        }
        if (failure instanceof UncheckedIOException e && e.getCause() != null) {
            // A message of its own says what was being done (which checkpoint, at which epoch); the default one is
            // only the cause's.
            boolean ownMessage = e.getMessage() != null && !e.getMessage().equals(e.getCause().toString());
            return ownMessage ? e.getMessage() : text(e.getCause());
        }
        if (failure instanceof OutOfMemoryError) {
            return "out of memory (" + failure.getMessage() + "): give Java more heap, for example"
                    + " JCNN_JAVA_OPTS=-Xmx8g, or use a smaller batch";
        }
        if (failure instanceof StackOverflowError) {
            return "internal error: stack overflow (run with --debug for the stack trace)";
        }
        boolean userFacing = failure instanceof IllegalArgumentException || failure instanceof IOException
                || failure instanceof ArithmeticException || failure instanceof IllegalStateException
                || failure instanceof UnsupportedOperationException || failure instanceof CudaException
                || failure instanceof DeviceOutOfMemoryException;
        if (userFacing && failure.getMessage() != null && !failure.getMessage().isBlank()) {
            return failure.getMessage();
        }
        return "internal error: " + failure + " (run with --debug for the stack trace)";
    }

    /** Joins a multi-line message into one line. */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "unknown error";
        }
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
