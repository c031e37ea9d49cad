package io.jcnn.optim;

/**
 * Cosine annealing from {@code base} down to {@code min} over {@code horizon} indices, then held at {@code min}:
 * rate(t) = min + ½(base − min)(1 + cos(π·min(t, T)/T)) with T = horizon.
 *
 * @param base    the rate at t = 0, finite and ≥ min
 * @param min     the rate from t = T on, finite and ≥ 0
 * @param horizon T, the index at which the rate reaches {@code min}, ≥ 1
 */
public record CosineSchedule(float base, float min, int horizon) implements LearningRateSchedule {
    private static final String NAME = "CosineSchedule";

    /**
     * Validates the schedule.
     *
     * @throws IllegalArgumentException if a rate is negative or not finite, {@code min} exceeds {@code base}, or
     *     {@code horizon} is below 1
     */
    public CosineSchedule {
        ScheduleChecks.rate(NAME, "base rate", base);
        ScheduleChecks.rate(NAME, "minimum rate", min);
        if (min > base) {
            throw new IllegalArgumentException(NAME + ": minimum rate " + min + " must not exceed base rate " + base);
        }
        if (horizon < 1) {
            throw new IllegalArgumentException(NAME + ": horizon must be >= 1, got " + horizon);
        }
    }

    @Override
    public float rate(int t) {
        ScheduleChecks.index(NAME, t);
        double progress = (double) Math.min(t, horizon) / horizon;
        return (float) (min + 0.5 * ((double) base - min) * (1 + Math.cos(Math.PI * progress)));
    }
}
