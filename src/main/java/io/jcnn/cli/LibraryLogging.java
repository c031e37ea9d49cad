package io.jcnn.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * How the command line shows the library's log records. The library logs through {@code System.Logger}, which
 * without a logging framework on the class path goes to java.util.logging, whose default prints two lines per
 * record. The command line prints one line per record on standard error instead, {@code jcnn: warning: ...}:
 * warnings only, and everything down to debug detail with {@code --debug}. A user's own java.util.logging
 * configuration is left alone.
 */
final class LibraryLogging {
    /** java.util.logging keeps loggers weakly; this reference keeps the configured level alive. */
    private static final Logger JCNN = Logger.getLogger("io.jcnn");

    private LibraryLogging() {
    }

    /**
     * Sends the library's records at or above warning ({@code debug}: at or above debug) to {@code err}, one line
     * each; returns the handler, or null when java.util.logging was configured by the user.
     */
    static Handler configure(boolean debug, PrintStream err) {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return null;
        }
        Level level = debug ? Level.FINE : Level.WARNING;
        Handler handler = new StreamHandler(err, new OneLine()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }

            /**
             * Flushes only: the stream is standard error, which this handler does not own. java.util.logging closes
             * every handler in a shutdown hook, and closing standard error there silenced whatever other hooks
             * printed after it, such as the Ctrl-C notice of {@code jcnn train} (seen in 2 of 8 interrupted runs).
             */
            @Override
            public synchronized void close() {
                flush();
            }
        };
        handler.setLevel(level);
        JCNN.setLevel(level);
        JCNN.setUseParentHandlers(false);
        JCNN.addHandler(handler);
        return handler;
    }

    /** Undoes {@link #configure} (for tests). */
    static void remove(Handler handler) {
        if (handler != null) {
            JCNN.removeHandler(handler);
            JCNN.setLevel(null);
            JCNN.setUseParentHandlers(true);
        }
    }

    /** {@code jcnn: warning: message}, with the record's exception on the same line. */
    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            String level = record.getLevel().intValue() >= Level.SEVERE.intValue() ? "error"
                    : record.getLevel().intValue() >= Level.WARNING.intValue() ? "warning"
                    : record.getLevel().intValue() >= Level.INFO.intValue() ? "note" : "debug";
            String thrown = record.getThrown() == null ? "" : " (" + record.getThrown() + ")";
            return String.format(Locale.ROOT, "jcnn: %s: %s%s%n", level, formatMessage(record), thrown);
        }
    }
}
