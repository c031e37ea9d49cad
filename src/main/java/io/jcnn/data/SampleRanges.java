package io.jcnn.data;

/**
 * How a {@link DataLoader} that prepares batches in {@code next()} (no prefetch) splits a batch's samples: it runs a
 * body on contiguous ranges that cover [0, count) and returns once every range has run, on whatever threads it has.
 * Every sample is a function of (seed, epoch, position) alone, so the batch is the same however it is split.
 */
@FunctionalInterface
public interface SampleRanges {
    /** The work on a range of a batch's samples. */
    @FunctionalInterface
    interface Body {
        /** Fills samples [start, end) of the batch. */
        void run(int start, int end);
    }

    /** All samples on the calling thread. */
    SampleRanges SERIAL = (count, body) -> body.run(0, count);

    /** Runs {@code body} over ranges covering [0, count) and returns when all have run. */
    void run(int count, Body body);
}
