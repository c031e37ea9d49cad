package io.jcnn.optim;

/**
 * The learning rate as a function of an epoch or iteration index t, counting from 0. A trainer asks for
 * {@code rate(t)} and passes it to {@link Optimizer#setLearningRate}.
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /** The learning rate at index {@code t} ≥ 0. */
    float rate(int t);

    /** The same rate at every index. */
    static LearningRateSchedule constant(float rate) {
        ScheduleChecks.rate("constant schedule", "rate", rate);
        return t -> {
            ScheduleChecks.index("constant schedule", t);
            return rate;
        };
    }
}
