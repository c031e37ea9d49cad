package io.jcnn.backend.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's worker threads. Work is split into contiguous chunks whose boundaries depend only on the
 * problem size and the thread count, never on timing, so results (including reductions that combine per-chunk
 * partials in chunk order) are bit-for-bit reproducible for a given thread count.
 *
 * <p>A training step makes a few dozen parallel calls of a few hundred microseconds to a few milliseconds each.
 * Handing each to a parked thread (an executor) cost a wake-up per call, and on a busy machine a woken thread can wait
 * a scheduling period for a core, which at LeNet's batch 64 added several milliseconds per step. So workers spin for
 * {@link #SPIN_NANOS} after each call, watching for the next one, before they park; the caller spins as long for
 * their results before it yields (briefly where there are more threads than cores).
 */
final class CpuParallel implements AutoCloseable {

    /** One chunk of a range: {@code chunk} is in [0, threads) and indexes per-thread scratch space. */
    @FunctionalInterface
    interface RangeTask {
        void run(int chunk, int start, int end);
    }

    /** How long an idle worker watches for the next call before parking. */
    private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * How long the caller spins for the workers' chunks before it yields its core, when every thread has a core: a
     * yield then hands the core to whatever else is runnable (the JIT compiler, most often) for a whole time slice,
     * while the workers soon wait for the caller's next call. In LeNet training on 2 cores during a noisy spell,
     * spinning instead of yielding cut the caller's waits by about a third; in quiet spells it changed nothing.
     */
    private static final long WAIT_SPIN_NANOS = SPIN_NANOS;
    /**
     * The same with more threads than cores, where a worker may be waiting for the caller's core: yield soon.
     */
    private static final long OVERSUBSCRIBED_WAIT_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final int threads;
    private final Thread[] workers;
    private final long waitSpinNanos;

    /** One parallel call; immutable, so a worker reads a consistent call even if it wakes up late. */
    private record Call(long id, RangeTask task, int size, int chunks) {
    }

    private volatile Call call = new Call(0, null, 0, 0);
    private volatile boolean closed;
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicReference<Throwable> workerFailure = new AtomicReference<>();

    CpuParallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("CPU backend needs at least 1 thread, got " + threads);
        }
        this.threads = threads;
        this.waitSpinNanos = threads <= Runtime.getRuntime().availableProcessors() ? WAIT_SPIN_NANOS
                : OVERSUBSCRIBED_WAIT_SPIN_NANOS;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int chunk = i + 1;
            Thread t = new Thread(() -> workerLoop(chunk), "jcnn-cpu-" + chunk);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
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
     * first and worker i the chunk i. Calls from inside a worker run inline, so nested parallel loops cannot
     * deadlock.
     */
    void forRange(int n, int minChunk, RangeTask task) {
        int chunks = chunks(n, minChunk);
        if (chunks == 0) {
            return;
        }
        if (chunks == 1 || workers.length == 0 || IN_WORKER.get()) {
            runChunks(n, chunks, task);
            return;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("CPU backend is closed");
            }
            workerFailure.set(null);
            remaining.set(chunks - 1);
            call = new Call(call.id() + 1, task, n, chunks);
            for (int c = 1; c < chunks; c++) {
                LockSupport.unpark(workers[c - 1]);
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
            awaitWorkers();
            if (failure == null) {
                failure = workerFailure.get();
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

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + waitSpinNanos;
        while (remaining.get() > 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private void workerLoop(int chunk) {
        IN_WORKER.set(Boolean.TRUE);
        long seen = 0;
        while (true) {
            Call current = awaitCall(seen);
            if (closed) {
                return;
            }
            seen = current.id();
            if (chunk >= current.chunks()) {
                continue;
            }
            try {
                current.task().run(chunk, start(current.size(), current.chunks(), chunk),
                        start(current.size(), current.chunks(), chunk + 1));
            } catch (Throwable t) {
                workerFailure.compareAndSet(null, t);
            } finally {
                remaining.decrementAndGet();
            }
        }
    }

    /**
     * Waits for a call other than {@code seen} (spinning, then parked) or for the pool to close. A worker may skip
     * calls it has no chunk in, never one it has: the caller waits for those before publishing the next.
     */
    private Call awaitCall(long seen) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        Call current;
        while ((current = call).id() == seen && !closed) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                // The caller unparks after publishing, so a call published before this park ends it at once.
                LockSupport.park(this);
            }
        }
        return current;
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
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
