package io.jcnn.model;

/**
 * Where a training run stands, saved in checkpoints so that a resumed run continues exactly.
 *
 * @param seed         the run's seed (weights, batch order, augmentation, dropout)
 * @param epoch        the epoch in progress, counting from 1
 * @param batchInEpoch batches of that epoch already applied
 * @param step         optimizer steps taken in the whole run
 * @param learningRate the rate of the last step, or NaN before the first
 */
public record TrainingState(long seed, int epoch, int batchInEpoch, int step, float learningRate) {

    /**
     * Validates the position.
     *
     * @throws IllegalArgumentException if {@code epoch} is below 1 or {@code batchInEpoch} or {@code step} is negative
     */
    public TrainingState {
        if (epoch < 1 || batchInEpoch < 0 || step < 0) {
            throw new IllegalArgumentException("training state needs epoch >= 1, batch >= 0 and step >= 0, got epoch "
                    + epoch + ", batch " + batchInEpoch + ", step " + step);
        }
    }

    /** The state before the first step of a run with {@code seed}. */
    public static TrainingState start(long seed) {
        return new TrainingState(seed, 1, 0, 0, Float.NaN);
    }

    /** Epochs fully completed. */
    public int epochsCompleted() {
        return epoch - 1;
    }
}
