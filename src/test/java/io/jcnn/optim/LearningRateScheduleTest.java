package io.jcnn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LearningRateScheduleTest {

    @Test
    void constant() {
        LearningRateSchedule s = LearningRateSchedule.constant(0.05f);
        assertEquals(0.05f, s.rate(0));
        assertEquals(0.05f, s.rate(1_000_000));
        assertRejected("constant schedule", () -> LearningRateSchedule.constant(Float.NaN));
        assertRejected("constant schedule", () -> s.rate(-1));
    }

    @Test
    void stepScheduleHalvesEveryTenIndices() {
        StepSchedule s = new StepSchedule(0.1f, 0.5f, 10);
        assertEquals(0.1f, s.rate(0));
        assertEquals(0.1f, s.rate(9));
        assertEquals(0.05f, s.rate(10), 1e-9f);
        assertEquals(0.025f, s.rate(25), 1e-9f);
        assertEquals(0.0125f, s.rate(30), 1e-9f);
    }

    @Test
    void cosineScheduleAnnealsToTheMinimumAndStays() {
        CosineSchedule s = new CosineSchedule(0.1f, 0.001f, 100);
        assertEquals(0.1f, s.rate(0), 1e-9f);
        // 0.001 + ½·0.099·(1 + cos(π/4)) = 0.0855017857
        assertEquals(0.0855017857f, s.rate(25), 1e-8f);
        assertEquals(0.0505f, s.rate(50), 1e-8f);
        assertEquals(0.001f, s.rate(100), 1e-9f);
        assertEquals(0.001f, s.rate(150), 1e-9f);
    }

    @Test
    void badArgumentsAreRejected() {
        assertRejected("StepSchedule: base rate", () -> new StepSchedule(-1f, 0.5f, 10));
        assertRejected("StepSchedule: gamma", () -> new StepSchedule(0.1f, 0f, 10));
        assertRejected("StepSchedule: step size", () -> new StepSchedule(0.1f, 0.5f, 0));
        assertRejected("StepSchedule: index", () -> new StepSchedule(0.1f, 0.5f, 10).rate(-1));
        assertRejected("CosineSchedule: minimum rate", () -> new CosineSchedule(0.1f, 0.2f, 10));
        assertRejected("CosineSchedule: horizon", () -> new CosineSchedule(0.1f, 0f, 0));
        assertRejected("CosineSchedule: base rate", () -> new CosineSchedule(Float.POSITIVE_INFINITY, 0f, 10));
        assertRejected("CosineSchedule: index", () -> new CosineSchedule(0.1f, 0f, 10).rate(-5));
    }

    private static void assertRejected(String prefix, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }
}
