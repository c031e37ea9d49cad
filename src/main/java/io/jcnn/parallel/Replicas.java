package io.jcnn.parallel;

import io.jcnn.backend.Backend;
import io.jcnn.backend.Backends;
import io.jcnn.backend.Collective;
import io.jcnn.backend.Collectives;
import io.jcnn.backend.HostCollective;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * One replica per device of a {@link DeviceList}, each with its own backend and a thread that drives it, and the
 * {@link Collective} that joins them. Rank 0 runs on the thread that started the group (so that its backend can be
 * used from there too, for evaluation and checkpoints); every other rank has a thread of its own, which creates its
 * backend and runs all its work, as a GPU context wants. Closing the group closes every replica, backend and thread.
 *
 * @param <R> what a replica holds (a model and its optimizer); closed with the group
 */
public final class Replicas<R extends AutoCloseable> implements AutoCloseable {
    private final DeviceList devices;
    private final List<Backend> backends = new ArrayList<>();
    private final List<R> replicas = new ArrayList<>();
    private final List<ExecutorService> threads = new ArrayList<>();
    private List<Collective> collectives = List.of();
    private String fallback;
    private boolean closed;

    private Replicas(DeviceList devices) {
        this.devices = devices;
    }

    /** A task run on one rank's thread. */
    @FunctionalInterface
    public interface RankTask<T> {
        /** The work of rank {@code rank}. */
        T run(int rank) throws Exception;
    }

    /**
     * Starts a backend on every device (a CPU replica gets {@code threads / size} threads, at least 1), builds each
     * replica with {@code build} on its rank's thread, and joins them with NCCL where every device is a GPU and NCCL
     * loads, else through host memory ({@link #fallback()} then says why). On any failure, whatever was started is
     * closed again before the exception propagates.
     *
     * @param strict refuse a backend that falls back (see {@link Backends#create(String, int, boolean)}), and refuse
     *               host-memory reduction between GPUs
     */
    public static <R extends AutoCloseable> Replicas<R> start(DeviceList devices, int threads, boolean strict,
                                                              Function<Backend, R> build) {
        Replicas<R> group = new Replicas<>(devices);
        try {
            int perReplica = Math.max(1, threads / devices.size());
            for (int rank = 0; rank < devices.size(); rank++) {
                String device = devices.devices().get(rank);
                if (rank > 0) {
                    int r = rank;
                    group.threads.add(Executors.newSingleThreadExecutor(task -> {
                        Thread t = new Thread(task, "jcnn-replica-" + r);
                        t.setDaemon(true);
                        return t;
                    }));
                }
                group.onRank(rank, r -> {
                    Backend backend;
                    try {
                        backend = Backends.create(device, perReplica, strict);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("device " + device + " of the device list " + devices + ": "
                                + e.getMessage(), e);
                    }
                    group.backends.add(backend);
                    group.replicas.add(build.apply(backend));
                    return null;
                });
            }
            group.collectives = group.join(strict);
            return group;
        } catch (RuntimeException | Error e) {
            group.close();
            throw e;
        }
    }

    /**
     * NCCL between GPUs where it loads, a single GPU included (its all-reduce changes nothing, and the run then
     * exercises NCCL on a one-GPU machine); host memory otherwise, with {@link #fallback} saying why when there is
     * more than one GPU to reduce between.
     */
    private List<Collective> join(boolean strict) {
        if (devices.gpus()) {
            String reason = Collectives.ncclUnavailableReason();
            if (reason == null) {
                return Collectives.nccl(backends);
            }
            if (devices.size() > 1) {
                fallback = "NCCL is not available (" + reason + "); gradients are averaged through host memory,"
                        + " which is slower";
                if (strict) {
                    throw new IllegalArgumentException("strict mode: " + fallback);
                }
            }
        }
        return HostCollective.group(devices.size());
    }

    /** The number of replicas. */
    public int size() {
        return devices.size();
    }

    /** The devices, in rank order. */
    public DeviceList devices() {
        return devices;
    }

    /** Rank {@code rank}'s replica. */
    public R replica(int rank) {
        return replicas.get(rank);
    }

    /** Rank {@code rank}'s backend. */
    public Backend backend(int rank) {
        return backends.get(rank);
    }

    /** Rank {@code rank}'s end of the collective. */
    public Collective collective(int rank) {
        return collectives.get(rank);
    }

    /** Why the GPUs reduce through host memory instead of NCCL, or null when they do not. */
    public String fallback() {
        return fallback;
    }

    /**
     * Runs {@code task} on every rank at once, each on its own thread, and returns the results in rank order. When a
     * rank fails, the collective is aborted so that no other rank waits for it forever, every rank is waited for,
     * and the lowest rank's failure is thrown (unchecked exceptions and errors as they are).
     */
    public <T> List<T> onEveryRank(RankTask<T> task) {
        List<Future<T>> others = new ArrayList<>();
        for (int rank = 1; rank < size(); rank++) {
            int r = rank;
            others.add(threads.get(rank - 1).submit(() -> guarded(task, r)));
        }
        List<T> results = new ArrayList<>();
        Throwable failure = null;
        try {
            results.add(guarded(task, 0));
        } catch (Throwable t) {
            failure = t;
        }
        for (Future<T> future : others) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abortAll();
                failure = failure != null ? failure : e;
            }
        }
        if (failure != null) {
            throw unchecked(failure);
        }
        return results;
    }

    private <T> T guarded(RankTask<T> task, int rank) throws Exception {
        try {
            return task.run(rank);
        } catch (Throwable t) {
            abortAll();
            throw t;
        }
    }

    private void abortAll() {
        collectives.forEach(Collective::abort);
    }

    /** Runs {@code task} on rank {@code rank}'s thread alone and waits for it. */
    private <T> T onRank(int rank, RankTask<T> task) {
        if (rank == 0) {
            try {
                return task.run(0);
            } catch (Exception e) {
                throw unchecked(e);
            }
        }
        try {
            return threads.get(rank - 1).submit(() -> task.run(rank)).get();
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rank " + rank + " was starting", e);
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t.getMessage(), t);
    }

    /** Closes every replica, collective and backend, each on its own rank's thread, then stops the threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (int rank = 0; rank < backends.size(); rank++) {
            int r = rank;
            try {
                onRank(rank, ignored -> {
                    try (Backend backend = backends.get(r)) {
                        if (r < collectives.size()) {
                            collectives.get(r).close();
                        }
                        if (r < replicas.size()) {
                            replicas.get(r).close();
                        }
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                first = first != null ? first : e;
            }
        }
        threads.forEach(ExecutorService::shutdownNow);
        if (first != null) {
            throw first;
        }
    }
}
