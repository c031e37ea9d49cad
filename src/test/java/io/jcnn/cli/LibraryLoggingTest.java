package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import org.junit.jupiter.api.Test;

/** The command line shows the library's log records one line each: warnings always, debug detail with --debug. */
class LibraryLoggingTest {
    private static final System.Logger LOG = System.getLogger("io.jcnn.backend.SomeBackend");

    private static String logged(boolean debug) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Handler handler = LibraryLogging.configure(debug, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            LOG.log(System.Logger.Level.DEBUG, "planned conv1");
            LOG.log(System.Logger.Level.INFO, "cuda:0: matrix products on jcnn's SGEMM kernel");
            LOG.log(System.Logger.Level.WARNING, "something to act on");
        } finally {
            LibraryLogging.remove(handler);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    @Test
    void warningsOnlyByDefault() {
        assertEquals("jcnn: warning: something to act on\n", logged(false));
    }

    @Test
    void everythingWithDebug() {
        assertEquals("jcnn: debug: planned conv1\n"
                + "jcnn: note: cuda:0: matrix products on jcnn's SGEMM kernel\n"
                + "jcnn: warning: something to act on\n", logged(true));
    }

    /**
     * java.util.logging closes every handler in a shutdown hook; the handler must not close standard error with it,
     * or whatever other hooks print afterwards (the Ctrl-C notice of train) is lost.
     */
    @Test
    void closingTheHandlerLeavesStandardErrorOpen() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Handler handler = LibraryLogging.configure(false, err);
        try {
            handler.close();
            err.println("jcnn: interrupted; finishing the current batch and saving a checkpoint");
            assertEquals(false, err.checkError(), "standard error was closed");
            assertEquals("jcnn: interrupted; finishing the current batch and saving a checkpoint\n",
                    bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
        } finally {
            LibraryLogging.remove(handler);
        }
    }
}
