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

    public TrainingResult {
        history = List.copyOf(history);
    }

    /** The ways a run ends. */
    public enum Outcome {
        COMPLETED, STOPPED, DIVERGED
    }

    /** The last epoch's metrics, or null when no epoch completed. */
    public EpochMetrics last() {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }
}
