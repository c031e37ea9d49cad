package io.jcnn.model;

import java.util.List;

/**
 * How a {@link Trainer} run ended.
 *
 * @param outcome whether every epoch ran, the run was stopped on request, or the loss diverged
 * @param message one line saying how it ended and where, for a person
 * @param history every epoch's metrics, including those before a resume
 * @param state   where training stands: the state a resume starts from
 */
public record TrainingResult(Outcome outcome, String message, List<EpochMetrics> history, TrainingState state) {

    /**
     * Copies {@code history}.
     *
     * @throws NullPointerException if {@code history} or one of its entries is null
     */
    public TrainingResult {
        history = List.copyOf(history);
    }

    /** The ways a run ends. */
    public enum Outcome {
        /** Every requested epoch ran. */
        COMPLETED,
        /** Stopped on request after a batch, saving a checkpoint when one is configured. */
        STOPPED,
        /** Stopped because a batch loss was NaN or infinite; no checkpoint is saved. */
        DIVERGED
    }

    /** The last epoch's metrics, or null when no epoch completed. */
    public EpochMetrics last() {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }
}
