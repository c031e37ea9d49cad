package io.jcnn.model;

/**
 * What one training epoch achieved. Losses are mean per-sample losses; accuracies are fractions in [0, 1]. Test
 * values are {@code NaN} when the epoch was not evaluated on a test set.
 *
 * @param epoch           the epoch's number, counting from 1
 * @param trainLoss       mean loss over the epoch's training batches
 * @param trainAccuracy   fraction of training samples classified correctly during the epoch
 * @param testLoss        mean loss over the test set after the epoch, or NaN
 * @param testAccuracy    fraction of the test set classified correctly after the epoch, or NaN
 * @param imagesPerSecond training throughput: training samples divided by the training time (evaluation excluded)
 * @param wallSeconds     wall-clock seconds the whole epoch took, evaluation included
 * @param learningRate    the learning rate in effect during the epoch (its last step's, under a schedule)
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                           double imagesPerSecond, double wallSeconds, double learningRate) {

    /**
     * Validates the epoch number.
     *
     * @throws IllegalArgumentException if {@code epoch} is below 1
     */
    public EpochMetrics {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch numbers count from 1, got " + epoch);
        }
    }

    /** Whether the epoch was evaluated on a test set. */
    public boolean hasTestMetrics() {
        return !Double.isNaN(testLoss) || !Double.isNaN(testAccuracy);
    }
}
