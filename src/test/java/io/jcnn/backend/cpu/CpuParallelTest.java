package io.jcnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The worker pool: every item runs exactly once in its fixed chunk, across many back-to-back calls with changing
 * chunk counts (workers without a chunk in one call must not run the next one twice); failures reach the caller;
 * nested calls run inline.
 */
class CpuParallelTest {

    @Test
    void everyItemOnceInItsChunkOverManyCalls() {
        try (CpuParallel parallel = new CpuParallel(3)) {
            for (int call = 0; call < 20_000; call++) {
                int n = 1 + call % 7;
                int[] hits = new int[n];
                int[] chunkOf = new int[n];
                parallel.forRange(n, 1, (chunk, start, end) -> {
                    for (int i = start; i < end; i++) {
                        hits[i]++;
                        chunkOf[i] = chunk;
                    }
                });
                int[] ones = new int[n];
                Arrays.fill(ones, 1);
                assertArrayEquals(ones, hits, "call " + call);
                int chunks = parallel.chunks(n, 1);
                for (int i = 0; i < n; i++) {
                    assertEquals(expectedChunk(i, n, chunks), chunkOf[i], "call " + call + ", item " + i);
                }
            }
        }
    }

    private static int expectedChunk(int item, int n, int chunks) {
        for (int c = chunks - 1; c >= 0; c--) {
            if ((long) n * c / chunks <= item) {
                return c;
            }
        }
        return 0;
    }

    @Test
    void aWorkersFailureReachesTheCaller() {
        try (CpuParallel parallel = new CpuParallel(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                    parallel.forRange(2, 1, (chunk, start, end) -> {
                        if (chunk == 1) {
                            throw boom;
                        }
                    }));
            assertSame(boom, thrown);
            AtomicInteger after = new AtomicInteger();
            parallel.forRange(2, 1, (chunk, start, end) -> after.incrementAndGet());
            assertEquals(2, after.get(), "the pool works after a failure");
        }
    }

    @Test
    void theCallersFailureWinsAndNestedCallsRunInline() {
        try (CpuParallel parallel = new CpuParallel(2)) {
            assertThrows(ArithmeticException.class, () -> parallel.forRange(2, 1, (chunk, start, end) -> {
                if (chunk == 0) {
                    throw new ArithmeticException("caller");
                }
            }));
            AtomicInteger inner = new AtomicInteger();
            parallel.forRange(2, 1, (chunk, start, end) ->
                    parallel.forRange(4, 1, (c, s, e) -> inner.addAndGet(e - s)));
            assertEquals(8, inner.get());
        }
    }
}
