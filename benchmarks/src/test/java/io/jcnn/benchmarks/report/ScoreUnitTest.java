package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScoreUnitTest {
    @ParameterizedTest(name = "{1} {0} = {2} s per call")
    @CsvSource({
        "ops/s,   4,    0.25",
        "ops/ms,  4,    0.00025",
        "ops/us,  4,    0.00000025",
        "ops/ns,  4,    0.00000000025",
        "ops/min, 4,    15",
        "ops/hr,  4,    900",
        "ops/day, 4,    21600",
        "s/op,    2.5,  2.5",
        "ms/op,   2.5,  0.0025",
        "us/op,   2.5,  0.0000025",
        "µs/op,   2.5,  0.0000025",
        "ns/op,   2.5,  0.0000000025",
        "min/op,  2,    120",
        "hr/op,   2,    7200",
        "day/op,  2,    172800",
    })
    void convertsEveryModeAndTimeUnitToSecondsPerCall(String unit, double score, double seconds) {
        ScoreUnit parsed = ScoreUnit.parse(unit).orElseThrow();
        assertEquals(seconds, parsed.secondsPerOperation(score), seconds * 1e-12);
        assertEquals(1 / seconds, parsed.perSecond(score), 1e-9 / seconds);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops/s", "ops/ms"})
    void ratesAreRates(String unit) {
        assertTrue(ScoreUnit.parse(unit).orElseThrow().isRate());
    }

    @ParameterizedTest
    @ValueSource(strings = {"MB/sec", "#", "B/op", "ops/fortnight", "", "ops", "s/ops"})
    void otherUnitsAreNotScoreUnits(String unit) {
        assertFalse(ScoreUnit.parse(unit).isPresent(), unit);
    }
}
