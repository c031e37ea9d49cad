package io.jcnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bias gradient's sum over one N×C×S plane in vectors: two float vectors accumulate the plane's elements lane by
 * lane (element i in lane i mod LANES of accumulator i / LANES mod 2), then the lanes (in four interleaved double
 * sums) and the scalar tail are added in double, in a fixed order. Planes are at most a few thousand elements, so
 * each lane sums a few dozen floats; the double sum over images and lanes keeps the result as accurate as the scalar
 * path's. Only loaded where the vector kernel runs.
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

    /**
     * dbias[channel] = Σ over images of each plane's sum (as described above), for channels [start, end) of N×C×S
     * data. The lane scratch is looked up once per call: per plane, the thread-local lookup cost as much as a 64-float
     * plane's sum on the calling thread, whose map holds many entries.
     */
    static void channelSums(float[] dy, int n, int c, int s, int start, int end, float[] dbias) {
        float[] lanes = LANES_SCRATCH.get();
        for (int channel = start; channel < end; channel++) {
            double sum = 0;
            for (int image = 0; image < n; image++) {
                sum += planeSum(dy, (image * c + channel) * s, s, lanes);
            }
            dbias[channel] = (float) sum;
        }
    }

    /** Σ dy[offset, offset + s), as described above; {@code lanes} holds 2·LANES floats of scratch. */
    private static double planeSum(float[] dy, int offset, int s, float[] lanes) {
        FloatVector a = FloatVector.zero(SPECIES);
        FloatVector b = a;
        int i = 0;
        for (; i + 2 * LANES <= s; i += 2 * LANES) {
            a = a.add(FloatVector.fromArray(SPECIES, dy, offset + i));
            b = b.add(FloatVector.fromArray(SPECIES, dy, offset + i + LANES));
        }
        a.intoArray(lanes, 0);
        b.intoArray(lanes, LANES);
        // Four chains of double adds instead of one: the lane sum was a chain of 2·LANES dependent adds per plane,
        // longer than the plane's vector loop at LeNet's 8×8 planes. 2·LANES is a multiple of 4 at every width.
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int lane = 0; lane < 2 * LANES; lane += 4) {
            s0 += lanes[lane];
            s1 += lanes[lane + 1];
            s2 += lanes[lane + 2];
            s3 += lanes[lane + 3];
        }
        double sum = (s0 + s1) + (s2 + s3);
        for (; i < s; i++) {
            sum += dy[offset + i];
        }
        return sum;
    }
}
