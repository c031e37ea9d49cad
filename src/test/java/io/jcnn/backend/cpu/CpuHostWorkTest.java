package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** {@link CpuBackend#runOnThreads}: host work between ops on the backend's threads. */
class CpuHostWorkTest {

    @Test
    void everyItemOnceInRangesNoMoreThanTheMinimumAllows() {
        try (CpuBackend backend = new CpuBackend(3)) {
            for (int n : new int[] {0, 1, 5, 23, 64}) {
                int[] hits = new int[n];
                Set<String> threads = ConcurrentHashMap.newKeySet();
                backend.runOnThreads(n, 8, (start, end) -> {
                    assertTrue(end - start >= n / 3, "range " + start + "-" + end + " of " + n);
                    threads.add(Thread.currentThread().getName());
                    for (int i = start; i < end; i++) {
                        hits[i]++;
                    }
                });
                int[] ones = new int[n];
                Arrays.fill(ones, 1);
                assertArrayEquals(ones, hits, n + " items");
                assertEquals(Math.min(3, n / 8 + (n % 8 > 0 ? 1 : 0)), threads.size(), n + " items");
            }
        }
    }

    @Test
    void aFailureInAnyRangeReachesTheCallerAndAClosedBackendRefuses() {
        CpuBackend backend = new CpuBackend(2);
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> backend.runOnThreads(10, 1, (start, end) -> {
                    if (start > 0) {
                        throw boom;
                    }
                }));
        assertSame(boom, thrown);
        backend.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> backend.runOnThreads(10, 1, (start, end) -> { }));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }
}
