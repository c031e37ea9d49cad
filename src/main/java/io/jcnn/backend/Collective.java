package io.jcnn.backend;

import io.jcnn.tensor.Tensor;

import java.util.List;

/**
 * One rank's end of a group of replicas that reduce together, one rank per device. Every rank calls each operation
 * with tensors of the same shapes in the same order, on its own thread; an operation returns once this rank's
 * tensors hold the result (on a GPU: once the work is queued on the device's stream, in order with its other work).
 * <p>
 * Results are deterministic: the ranks' values are combined in rank order, so a run with the same devices repeats
 * bit for bit.
 */
public interface Collective extends AutoCloseable {

    /** This end's rank, from 0 to {@link #size()} − 1. */
    int rank();

    /** The number of ranks in the group. */
    int size();

    /** How the group communicates, for a one-line notice: {@code NCCL 2.27.3} or {@code host memory}. */
    String transport();

    /** Replaces every tensor with the mean of that tensor over the ranks. */
    void allReduceMean(List<Tensor> tensors);

    /** Replaces every tensor with rank {@code root}'s. */
    void broadcast(List<Tensor> tensors, int root);

    /**
     * Releases every rank waiting in an operation of this group with an exception, so that a rank that failed does
     * not leave the others waiting for it forever. The group cannot be used afterwards.
     */
    void abort();

    /** Frees this rank's resources (not the tensors). Idempotent. */
    @Override
    void close();
}
