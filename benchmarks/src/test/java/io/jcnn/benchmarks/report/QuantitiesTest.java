package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QuantitiesTest {
    @Test
    void numbersKeepThreeSignificantDigitsAndWholeNumbersFromAHundred() {
        assertEquals("55.4", Quantities.number(55.436));
        assertEquals("7.92", Quantities.number(7.9249));
        assertEquals("57.0", Quantities.number(57));
        assertEquals("0.00123", Quantities.number(0.0012345));
        assertEquals("133", Quantities.number(132.9));
        assertEquals("123457", Quantities.number(123456.7));
        assertEquals("0", Quantities.number(0));
        assertEquals("—", Quantities.number(Double.NaN));
        assertEquals("∞", Quantities.number(Double.POSITIVE_INFINITY));
    }

    @Test
    void durationsPickTheUnitThatReadsBest() {
        assertEquals("850 ns", Quantities.duration(850e-9));
        assertEquals("23.5 µs", Quantities.duration(23.46e-6));
        assertEquals("3.64 ms", Quantities.duration(3.6387e-3));
        assertEquals("1.50 s", Quantities.duration(1.5));
        assertEquals("120 s", Quantities.duration(120));
        // 999.96 µs rounds to 1000 µs: shown as 1.00 ms instead
        assertEquals("1.00 ms", Quantities.duration(999.96e-6));
        assertEquals("—", Quantities.duration(Double.NaN));
    }

    @Test
    void rangesShareTheUnitOfTheirUpperEnd() {
        assertEquals("0.882–1.41 ms", Quantities.durationRange(0.882e-3, 1.41e-3));
        assertEquals("12.8–13.9 ms", Quantities.durationRange(12.8e-3, 13.9e-3));
    }

    @Test
    void ratiosHaveTwoDecimals() {
        assertEquals("2.00", Quantities.ratio(2));
        assertEquals("0.89", Quantities.ratio(0.8948));
        assertEquals("—", Quantities.ratio(Double.NaN));
    }

    @Test
    void memoryInGibibytes() {
        assertEquals("23.5 GiB", Quantities.gibibytes(25_276_510_208L));
    }
}
