package io.jcnn.optim;

/**
 * Step decay: rate(t) = base·gamma^⌊t/stepSize⌋, the rate multiplied by {@code gamma} every {@code stepSize}
 * epochs or iterations (Caffe's "step" policy).
 *
 * @param base     the rate from t = 0, finite and ≥ 0
 * @param gamma    the factor per step, finite and &gt; 0
 * @param stepSize indices per step, ≥ 1
 */
public record StepSchedule(float base, float gamma, int stepSize) implements LearningRateSchedule {
    private static final String NAME = "StepSchedule";

    /**
     * Validates the schedule.
     *
     * @throws IllegalArgumentException if {@code base} is negative or not finite, {@code gamma} is not positive and
     *     finite, or {@code stepSize} is below 1
     */
    public StepSchedule {
        ScheduleChecks.rate(NAME, "base rate", base);
        if (!(gamma > 0f) || !Float.isFinite(gamma)) {
            throw new IllegalArgumentException(NAME + ": gamma must be finite and > 0, got " + gamma);
        }
        if (stepSize < 1) {
            throw new IllegalArgumentException(NAME + ": step size must be >= 1, got " + stepSize);
        }
    }

    @Override
    public float rate(int t) {
        ScheduleChecks.index(NAME, t);
        return (float) (base * Math.pow(gamma, t / stepSize));
    }
}
