package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** dropoutForward/dropoutBackward: the counter-based mask of the Backend contract, on every backend. */
class DropoutOpsTest {
    private static final int LARGE = 1_000_003;

    /** Values in [1, 2) so that no input is 0 and a zero output always means "dropped". */
    private static float[] nonZero(long seed, int size) {
        float[] x = TestData.uniform(seed, size);
        for (int i = 0; i < size; i++) {
            x[i] = 1.5f + 0.5f * x[i];
        }
        return x;
    }

    private static float[] forward(Backend backend, float[] x, float rate, long seed) {
        Shape shape = Shape.of(x.length);
        try (Tensor tx = backend.tensor(shape, x); Tensor ty = backend.allocate(shape)) {
            backend.dropoutForward(tx, ty, rate, seed);
            return ty.toArray();
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void rateZeroIsTheIdentity(Backend backend) {
        float[] x = TestData.uniform(51, 257);
        assertArrayEquals(x, forward(backend, x, 0f, 99));
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void maskIsTheContractsCounterRandomMask(Backend backend) {
        float rate = 0.3f;
        long seed = 1234;
        float[] x = nonZero(52, LARGE);
        float[] y = forward(backend, x, rate, seed);
        float scale = 1f / (1f - rate);
        long kept = 0;
        for (int i = 0; i < LARGE; i++) {
            boolean keep = CounterRandom.uniform(seed, i) >= rate;
            if (keep) {
                kept++;
                assertEquals(x[i] * scale, y[i], "element " + i);
                assertEquals(x[i] / (1.0 - rate), y[i], 1e-6 * y[i], "element " + i);
            } else {
                assertEquals(0f, y[i], "element " + i);
            }
        }
        // The kept fraction is binomial: its standard deviation here is about 4.6e-4.
        double fraction = (double) kept / LARGE;
        assertEquals(1 - rate, fraction, 3e-3, "kept fraction");
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void sameSeedSameMaskOtherSeedOtherMask(Backend backend) {
        float[] x = nonZero(53, 100_003);
        float[] a = forward(backend, x, 0.5f, 7);
        float[] b = forward(backend, x, 0.5f, 7);
        float[] c = forward(backend, x, 0.5f, 8);
        assertArrayEquals(a, b, "same seed");
        assertFalse(Arrays.equals(a, c), "different seeds gave the same mask");
        int differing = 0;
        for (int i = 0; i < x.length; i++) {
            if ((a[i] == 0f) != (c[i] == 0f)) {
                differing++;
            }
        }
        // Independent masks at rate 0.5 differ in about half the positions.
        assertTrue(differing > x.length / 3, differing + " of " + x.length + " differ");
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void backwardAppliesTheForwardMask(Backend backend) {
        float rate = 0.25f;
        long seed = -42;
        int size = 100_003;
        float[] x = nonZero(54, size);
        float[] dy = nonZero(55, size);
        float[] y = forward(backend, x, rate, seed);
        Shape shape = Shape.of(size);
        try (Tensor tdy = backend.tensor(shape, dy); Tensor tdx = backend.allocate(shape)) {
            backend.dropoutBackward(tdy, tdx, rate, seed);
            float[] dx = tdx.toArray();
            for (int i = 0; i < size; i++) {
                assertEquals(y[i] == 0f, dx[i] == 0f, "mask differs at " + i);
                if (dx[i] != 0f) {
                    assertEquals(dy[i] * (1f / (1f - rate)), dx[i], "element " + i);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void badRatesAreRejectedNamingTheOp(Backend backend) {
        Shape shape = Shape.of(3);
        try (Tensor x = backend.allocate(shape); Tensor y = backend.allocate(shape)) {
            for (float rate : new float[] {1f, -0.1f, Float.NaN}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> backend.dropoutForward(x, y, rate, 1));
                assertTrue(e.getMessage().contains("dropoutForward") && e.getMessage().contains("rate"),
                        e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> backend.dropoutBackward(x, y, rate, 1));
                assertTrue(e.getMessage().contains("dropoutBackward"), e.getMessage());
            }
        }
    }
}
