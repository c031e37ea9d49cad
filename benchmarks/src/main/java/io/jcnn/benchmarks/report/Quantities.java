package io.jcnn.benchmarks.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Numbers and durations as a report shows them: three significant digits, whole numbers from 100 up. */
final class Quantities {
    static final String NONE = "—";

    private static final String[] TIME_UNITS = {"ns", "µs", "ms", "s"};
    private static final double[] TIME_SCALES = {1e-9, 1e-6, 1e-3, 1};

    private Quantities() {
    }

    /** Such as {@code 55.4}, {@code 0.00123} or {@code 12346}; a dash for NaN. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return NONE;
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "∞" : "-∞";
        }
        if (Math.abs(value) >= 100 || value == 0) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(3));
        int integerDigits = rounded.precision() - rounded.scale();
        return rounded.setScale(Math.max(0, 3 - integerDigits)).toPlainString(); // 57 → 57.0, as 57.4 would read
    }

    /** Seconds in the unit that keeps the number readable: {@code 850 ns}, {@code 3.64 ms}, {@code 1.5 s}. */
    static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return NONE;
        }
        int unit = timeUnit(seconds);
        return number(seconds / TIME_SCALES[unit]) + " " + TIME_UNITS[unit];
    }

    /** Both ends in one unit, the one the upper end reads best in: {@code 3.36–4.07 ms}. */
    static String durationRange(double low, double high) {
        if (Double.isNaN(low) || Double.isNaN(high)) {
            return NONE;
        }
        int unit = timeUnit(high);
        return number(low / TIME_SCALES[unit]) + "–" + number(high / TIME_SCALES[unit]) + " " + TIME_UNITS[unit];
    }

    /** A ratio with two decimals: {@code 1.23}. */
    static String ratio(double value) {
        return Double.isNaN(value) ? NONE : String.format(Locale.ROOT, "%.2f", value);
    }

    /** Bytes as GiB with one decimal, the scale of any machine's memory: {@code 15.5 GiB}. */
    static String gibibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    private static int timeUnit(double seconds) {
        double magnitude = Math.abs(seconds);
        int unit = 0;
        // Round first so that 999.95 µs reads as 1 ms rather than 1000 µs.
        while (unit < TIME_UNITS.length - 1 && roundedTo3(magnitude / TIME_SCALES[unit]) >= 1000) {
            unit++;
        }
        return unit;
    }

    private static double roundedTo3(double value) {
        return Double.isFinite(value) && value != 0
                ? new BigDecimal(value).round(new MathContext(3)).doubleValue() : value;
    }
}
