package io.jcnn.optim;

/** Argument checks shared by the learning-rate schedules, so they reject bad values with the same wording. */
final class ScheduleChecks {
    private ScheduleChecks() {
    }

    /** Fails unless {@code rate} is finite and ≥ 0. */
    static void rate(String schedule, String role, float rate) {
        if (!(rate >= 0f) || !Float.isFinite(rate)) {
            throw new IllegalArgumentException(schedule + ": " + role + " must be finite and >= 0, got " + rate);
        }
    }

    /** Fails unless {@code t} ≥ 0. */
    static void index(String schedule, int t) {
        if (t < 0) {
            throw new IllegalArgumentException(schedule + ": index t counts from 0, got " + t);
        }
    }
}
