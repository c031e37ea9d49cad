package io.jcnn.model;

import java.util.List;

/**
 * Receives a training run's progress. The trainer prints nothing; what a user sees (a progress bar, log lines, a
 * metrics file, a chart) is a listener. Every method has an empty default, so a listener implements only what it
 * needs. Calls come from the training thread, in order: {@code onStart}, then per epoch any number of
 * {@code onBatch} and one {@code onEpoch}, and finally exactly one of {@code onFinish} or {@code onStop}.
 * A listener should be quick: the training thread waits for it.
 */
public interface TrainingListener {

    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {
    };

    /**
     * Training begins (or resumes).
     *
     * @param epochs          the total number of epochs of the run, including any completed before a resume
     * @param batchesPerEpoch training batches in each epoch
     */
    default void onStart(int epochs, int batchesPerEpoch) {
    }

    /**
     * A training batch has been applied.
     *
     * @param epoch           the epoch's number, counting from 1
     * @param batchIndex      the batch's position in its epoch, counting from 0
     * @param batches         batches in the epoch
     * @param runningLoss     mean loss over the epoch's batches so far
     * @param runningAccuracy fraction of the epoch's samples so far classified correctly
     */
    default void onBatch(int epoch, int batchIndex, int batches, double runningLoss, double runningAccuracy) {
    }

    /** An epoch is complete, and evaluated when there is a test set. */
    default void onEpoch(EpochMetrics metrics) {
    }

    /** Every requested epoch completed. */
    default void onFinish() {
    }

    /**
     * Training ended before its last epoch.
     *
     * @param reason one line, such as "interrupted" or "loss became NaN at step 1200"
     */
    default void onStop(String reason) {
    }

    /** A listener that forwards every call to each of {@code listeners}, in the order given. */
    static TrainingListener all(TrainingListener... listeners) {
        List<TrainingListener> targets = List.of(listeners);
        return new TrainingListener() {
            @Override
            public void onStart(int epochs, int batchesPerEpoch) {
                targets.forEach(l -> l.onStart(epochs, batchesPerEpoch));
            }

            @Override
            public void onBatch(int epoch, int batchIndex, int batches, double runningLoss, double runningAccuracy) {
                targets.forEach(l -> l.onBatch(epoch, batchIndex, batches, runningLoss, runningAccuracy));
            }

            @Override
            public void onEpoch(EpochMetrics metrics) {
                targets.forEach(l -> l.onEpoch(metrics));
            }

            @Override
            public void onFinish() {
                targets.forEach(TrainingListener::onFinish);
            }

            @Override
            public void onStop(String reason) {
                targets.forEach(l -> l.onStop(reason));
            }
        };
    }
}
