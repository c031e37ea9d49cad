package io.jcnn.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * Skips the build's second test run (surefire execution {@code vector-256}, which sets
 * {@code -Djcnn.test.cappedWidthRun=true}) on a CPU whose widest float vector is 256 bits or less: there the default
 * run has already tested 256 bits, and 512 bits cannot run. It says so in one line. In any other run it lets every
 * test through.
 */
public final class CappedWidthRunFilter implements PostDiscoveryFilter {
    private static final AtomicBoolean SAID = new AtomicBoolean();

    @Override
    public FilterResult apply(TestDescriptor descriptor) {
        if (!Boolean.getBoolean("jcnn.test.cappedWidthRun") || CpuVectorWidth.preferredBits() > 256) {
            return FilterResult.included(null);
        }
        String reason = "256-bit rerun skipped: this CPU's widest float vector is " + CpuVectorWidth.preferredBits()
                + " bits, so the default run already covered it and 512 bits cannot run here";
        if (SAID.compareAndSet(false, true)) {
            System.err.println("jcnn tests: " + reason);
        }
        return FilterResult.excluded(reason);
    }
}
