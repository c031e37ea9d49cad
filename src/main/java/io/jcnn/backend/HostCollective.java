package io.jcnn.backend;

import io.jcnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * A group of ranks in one process that exchange through host memory: each rank copies its tensors to the host, the
 * ranks reduce disjoint slices of the elements in parallel, and each copies the result back. It works for every
 * backend, CPU or GPU, and is what multi-device training uses where NCCL does not load; between GPUs it is slower
 * than NCCL, since every step's gradients cross the host link twice.
 * <p>
 * Each element's mean is {@code (x0 + x1 + ... + x(n-1)) / n}, summed in rank order whichever rank computes it, so
 * results do not depend on thread timing.
 */
public final class HostCollective implements Collective {
    private final Exchange exchange;
    private final int rank;
    private float[][] parts = new float[0][];
    private boolean closed;

    private HostCollective(Exchange exchange, int rank) {
        this.exchange = exchange;
        this.rank = rank;
    }

    /**
     * The {@code size} ranks of a new group, rank {@code i} at index {@code i}; each is to be used by one thread.
     *
     * @throws IllegalArgumentException if {@code size} is below 1
     */
    public static List<Collective> group(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a collective needs at least 1 rank, got " + size);
        }
        Exchange exchange = new Exchange(size);
        List<Collective> ranks = new ArrayList<>(size);
        for (int r = 0; r < size; r++) {
            ranks.add(new HostCollective(exchange, r));
        }
        return List.copyOf(ranks);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return exchange.size;
    }

    @Override
    public String transport() {
        return "host memory";
    }

    @Override
    public void allReduceMean(List<Tensor> tensors) {
        checkOpen();
        stage(tensors);
        exchange.contributions[rank] = parts;
        await("all-reduce");
        reduceMySlice(tensors.size());
        await("all-reduce");
        for (int i = 0; i < tensors.size(); i++) {
            tensors.get(i).backend().upload(parts[i], tensors.get(i));
        }
    }

    @Override
    public void broadcast(List<Tensor> tensors, int root) {
        checkOpen();
        if (root < 0 || root >= size()) {
            throw new IllegalArgumentException("broadcast root must be a rank from 0 to " + (size() - 1)
                    + ", got " + root);
        }
        stage(tensors);
        exchange.contributions[rank] = parts;
        await("broadcast");
        if (rank != root) {
            float[][] source = exchange.contributions[root];
            for (int i = 0; i < tensors.size(); i++) {
                checkLength(source[i], parts[i], i);
                System.arraycopy(source[i], 0, parts[i], 0, parts[i].length);
            }
        }
        await("broadcast");
        if (rank != root) {
            for (int i = 0; i < tensors.size(); i++) {
                tensors.get(i).backend().upload(parts[i], tensors.get(i));
            }
        }
    }

    @Override
    public void abort() {
        exchange.aborted = true;
        exchange.barrier.reset();
    }

    @Override
    public void close() {
        closed = true;
        parts = new float[0][];
    }

    /** Copies the tensors to this rank's host arrays, which keep their size from call to call. */
    private void stage(List<Tensor> tensors) {
        if (parts.length != tensors.size()) {
            parts = new float[tensors.size()][];
        }
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (parts[i] == null || parts[i].length != t.size()) {
                parts[i] = new float[t.size()];
            }
            t.backend().download(t, parts[i]);
        }
    }

    /**
     * Averages this rank's share of the elements, counted across all the tensors, into every rank's arrays. Each
     * element belongs to exactly one rank, so no two threads write the same place.
     */
    private void reduceMySlice(int count) {
        float[][][] all = exchange.contributions;
        int n = all.length;
        long total = 0;
        for (int i = 0; i < count; i++) {
            for (float[][] other : all) {
                checkLength(other[i], parts[i], i);
            }
            total += parts[i].length;
        }
        long from = total * rank / n;
        long to = total * (rank + 1) / n;
        long start = 0;
        for (int i = 0; i < count && start < to; i++) {
            int length = parts[i].length;
            int lo = (int) Math.max(0, from - start);
            int hi = (int) Math.min(length, to - start);
            if (lo < hi) {
                meanOf(all, i, lo, hi, n);
            }
            start += length;
        }
    }

    /**
     * Elements [lo, hi) of tensor i: summed in rank order into rank 0's array, divided by n, copied to the others.
     * Loops over whole arrays, which the JIT vectorises; the order of the additions per element is the same.
     */
    private static void meanOf(float[][][] all, int i, int lo, int hi, int n) {
        float[] sum = all[0][i];
        for (int r = 1; r < n; r++) {
            float[] add = all[r][i];
            for (int e = lo; e < hi; e++) {
                sum[e] += add[e];
            }
        }
        float count = n;
        for (int e = lo; e < hi; e++) {
            sum[e] /= count;
        }
        for (int r = 1; r < n; r++) {
            System.arraycopy(sum, lo, all[r][i], lo, hi - lo);
        }
    }

    private void checkLength(float[] other, float[] mine, int index) {
        if (other == null || other.length != mine.length) {
            throw new IllegalArgumentException("collective: tensor " + index + " has " + mine.length
                    + " elements on rank " + rank + " but " + (other == null ? "none" : other.length)
                    + " on another rank; every rank must pass the same shapes");
        }
    }

    private void await(String operation) {
        try {
            exchange.barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new IllegalStateException(operation + " interrupted on rank " + rank, e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException(operation + " abandoned on rank " + rank + ": another rank failed", e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("collective rank " + rank + " is closed");
        }
        if (exchange.aborted) {
            throw new IllegalStateException("collective aborted: another rank failed");
        }
    }

    /** What the ranks of one group share. */
    private static final class Exchange {
        final int size;
        final CyclicBarrier barrier;
        final float[][][] contributions;
        volatile boolean aborted;

        Exchange(int size) {
            this.size = size;
            this.barrier = new CyclicBarrier(size);
            this.contributions = new float[size][][];
        }
    }
}
