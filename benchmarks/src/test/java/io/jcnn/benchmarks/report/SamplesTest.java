package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplesTest {
    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertEquals(3.0, Samples.of(5, 1, 3, 9, 2).median());
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(3.5, Samples.of(10, 1, 3, 4).median());
    }

    @Test
    void histogramMedianCountsEachValueAsOftenAsItWasSeen() {
        // 1 1 1 2 10: the middle of five samples, not of three buckets
        assertEquals(1.0, Samples.weighted(new double[] {10, 1, 2}, new long[] {1, 3, 1}).median());
        // 1 1 2 2 2 2: the third and fourth samples
        assertEquals(2.0, Samples.weighted(new double[] {1, 2}, new long[] {2, 4}).median());
        // 1 1 2 2: between the buckets
        assertEquals(1.5, Samples.weighted(new double[] {1, 2}, new long[] {2, 2}).median());
    }

    @Test
    void minAndMaxAndNaNDropped() {
        Samples samples = Samples.of(4, Double.NaN, -1, 7);
        assertEquals(3, samples.size());
        assertEquals(-1.0, samples.min());
        assertEquals(7.0, samples.max());
        assertEquals(4.0, samples.median());
    }

    @Test
    void emptyHasNoMedian() {
        assertTrue(Samples.of().isEmpty());
        assertTrue(Double.isNaN(Samples.of().median()));
        assertTrue(Double.isNaN(Samples.of(Double.NaN).median()));
    }

    @Test
    void mapConvertsEachValueAndKeepsIterationOrder() {
        Samples times = Samples.of(100, 400, 200).map(rate -> 1 / rate);
        assertEquals(0.01, times.value(0));
        assertEquals(0.0025, times.value(1));
        assertEquals(0.005, times.median());
        assertEquals(0.0025, times.min());
        assertTrue(times.isPerIteration());
        assertFalse(Samples.weighted(new double[] {1}, new long[] {2}).isPerIteration());
    }

    @Test
    void allZeroMarksAnUnusedCounter() {
        assertTrue(Samples.of(0, 0, 0).allZero());
        assertFalse(Samples.of(0, 0.5, 0).allZero());
    }
}
