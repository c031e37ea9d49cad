package io.jcnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bias gradient's sum over one N×C×S plane in vectors: two float vectors accumulate the plane's elements lane by
 * lane (element i in lane i mod LANES of accumulator i / LANES mod 2), then the lanes and the scalar tail are added
 * in double, in a fixed order. Planes are at most a few thousand elements, so each lane sums a few dozen floats; the
 * double sum over images and lanes keeps the result as accurate as the scalar path's. Only loaded where the vector
 * kernel runs.
 */
final class CpuVectorBias {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    private static final ThreadLocal<float[]> LANES_SCRATCH = ThreadLocal.withInitial(() -> new float[2 * LANES]);

    private CpuVectorBias() {
    }

    /** Whether planes of {@code s} elements are worth vectors: at least two whole ones. */
    static boolean applies(int s) {
        return s >= 2 * LANES;
    }

    /** Σ dy[offset, offset + s), as described above. */
    static double planeSum(float[] dy, int offset, int s) {
        FloatVector a = FloatVector.zero(SPECIES);
        FloatVector b = a;
        int i = 0;
        for (; i + 2 * LANES <= s; i += 2 * LANES) {
            a = a.add(FloatVector.fromArray(SPECIES, dy, offset + i));
            b = b.add(FloatVector.fromArray(SPECIES, dy, offset + i + LANES));
        }
        float[] lanes = LANES_SCRATCH.get();
        a.intoArray(lanes, 0);
        b.intoArray(lanes, LANES);
        double sum = 0;
        for (int lane = 0; lane < 2 * LANES; lane++) {
            sum += lanes[lane];
        }
        for (; i < s; i++) {
            sum += dy[offset + i];
        }
        return sum;
    }
}
