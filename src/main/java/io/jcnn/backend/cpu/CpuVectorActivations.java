package io.jcnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activations whose scalar loops branch on the sign of x, in vectors: a sign that changes at random mispredicts
 * half the branches, which made ReLU backward and leaky ReLU about 40 times slower than ReLU forward. A mask and a
 * blend take the same value the scalar ternary takes (+0 where the gradient is cut, alpha·v computed the same way, a
 * NaN x failing {@code x > 0}), so the result has the same bits. Only loaded where the vector kernel runs.
 */
final class CpuVectorActivations {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    private static final FloatVector ZERO = FloatVector.zero(SPECIES);

    private CpuVectorActivations() {
    }

    /** dx = dy where x > 0, else +0. */
    static void reluBackward(float[] x, float[] dy, float[] dx, int start, int end) {
        int i = start;
        for (; i + LANES <= end; i += LANES) {
            VectorMask<Float> positive = FloatVector.fromArray(SPECIES, x, i).compare(VectorOperators.GT, 0f);
            ZERO.blend(FloatVector.fromArray(SPECIES, dy, i), positive).intoArray(dx, i);
        }
        for (; i < end; i++) {
            dx[i] = x[i] > 0f ? dy[i] : 0f;
        }
    }

    /** y = x where x > 0, else alpha·x. */
    static void leakyReluForward(float alpha, float[] x, float[] y, int start, int end) {
        int i = start;
        for (; i + LANES <= end; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
        }
        for (; i < end; i++) {
            float v = x[i];
            y[i] = v > 0f ? v : alpha * v;
        }
    }

    /** dx = dy where x > 0, else alpha·dy. */
    static void leakyReluBackward(float alpha, float[] x, float[] dy, float[] dx, int start, int end) {
        int i = start;
        for (; i + LANES <= end; i += LANES) {
            FloatVector g = FloatVector.fromArray(SPECIES, dy, i);
            g.mul(alpha).blend(g, FloatVector.fromArray(SPECIES, x, i).compare(VectorOperators.GT, 0f))
                    .intoArray(dx, i);
        }
        for (; i < end; i++) {
            dx[i] = x[i] > 0f ? dy[i] : alpha * dy[i];
        }
    }
}
