package io.jcnn.backend.cpu;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CPU backend's worker threads. Work is split into contiguous chunks whose boundaries depend only on the
 * problem size and the thread count, never on timing, so results (including reductions that combine per-chunk
 * partials in chunk order) are bit-for-bit reproducible for a given thread count.
 */
final class CpuParallel implements AutoCloseable {

    /** One chunk of a range: {@code chunk} is in [0, threads) and indexes per-thread scratch space. */
    @FunctionalInterface
    interface RangeTask {
        void run(int chunk, int start, int end);
    }

    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final int threads;
    private final ExecutorService pool;
    private final Future<?>[] pending;

    CpuParallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("CPU backend needs at least 1 thread, got " + threads);
        }
        this.threads = threads;
        this.pending = new Future<?>[threads];
        if (threads == 1) {
            this.pool = null;
        } else {
            AtomicInteger counter = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(() -> {
                    IN_WORKER.set(Boolean.TRUE);
                    r.run();
                }, "jcnn-cpu-" + counter.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }

    int threads() {
        return threads;
    }

    /** How many chunks {@link #forRange} uses for {@code n} items of at least {@code minChunk} each. */
    int chunks(int n, int minChunk) {
        if (n <= 0) {
            return 0;
        }
        long byGrain = (n + (long) Math.max(1, minChunk) - 1) / Math.max(1, minChunk);
        return (int) Math.max(1, Math.min(threads, byGrain));
    }

    /**
     * Runs {@code task} over [0, n) in {@link #chunks(int, int)} contiguous chunks, the calling thread taking the
     * first. Calls from inside a worker run inline, so nested parallel loops cannot deadlock.
     */
    void forRange(int n, int minChunk, RangeTask task) {
        int chunks = chunks(n, minChunk);
        if (chunks == 0) {
            return;
        }
        if (chunks == 1 || pool == null || IN_WORKER.get()) {
            runChunks(n, chunks, task);
            return;
        }
        synchronized (this) {
            for (int c = 1; c < chunks; c++) {
                final int chunk = c;
                pending[c] = pool.submit(() -> task.run(chunk, start(n, chunks, chunk), start(n, chunks, chunk + 1)));
            }
            Throwable failure = null;
            IN_WORKER.set(Boolean.TRUE);
            try {
                task.run(0, 0, start(n, chunks, 1));
            } catch (RuntimeException | Error e) {
                failure = e;
            } finally {
                IN_WORKER.set(Boolean.FALSE);
            }
            for (int c = 1; c < chunks; c++) {
                try {
                    pending[c].get();
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure == null ? e : failure;
                }
                pending[c] = null;
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            if (failure != null) {
                throw new IllegalStateException("CPU worker failed", failure);
            }
        }
    }

    private static void runChunks(int n, int chunks, RangeTask task) {
        for (int c = 0; c < chunks; c++) {
            task.run(c, start(n, chunks, c), start(n, chunks, c + 1));
        }
    }

    private static int start(int n, int chunks, int chunk) {
        return (int) ((long) n * chunk / chunks);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
