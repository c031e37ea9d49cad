package io.jcnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2×2 max pooling at stride 2 forward, in vectors: the two input rows of a window row are maxed lane by lane, then
 * each vector's even and odd columns are shuffled against each other and maxed, and two such halves are blended,
 * giving LANES outputs per four loads. {@link FloatVector#max} follows {@link Math#max} (NaN wins, +0 over −0), and max is exact and
 * commutative, so the result has the same bits as {@link CpuTiledPooling}'s scalar loop. Only loaded where the
 * vector kernel runs.
 */
final class CpuVectorPooling {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    /** Even columns to the first half, odd ones to the second; and the other way round. */
    private static final VectorShuffle<Float> EVEN_ODD =
            VectorShuffle.fromOp(SPECIES, i -> i < LANES / 2 ? 2 * i : 2 * (i - LANES / 2) + 1);
    private static final VectorShuffle<Float> ODD_EVEN =
            VectorShuffle.fromOp(SPECIES, i -> i < LANES / 2 ? 2 * i + 1 : 2 * (i - LANES / 2));
    private static final VectorMask<Float> SECOND_HALF = VectorMask.fromLong(SPECIES, (1L << (LANES / 2)) - 1).not();
    /** Each lane and its pair's other column swapped: 1, 0, 3, 2, … */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(SPECIES, i -> i ^ 1);
    /** The first half's values, each twice: 0, 0, 1, 1, … */
    private static final VectorShuffle<Float> DOUBLE_FIRST_HALF = VectorShuffle.fromOp(SPECIES, i -> i / 2);
    /** The odd lanes: each pair's second column. */
    private static final VectorMask<Float> ODD = VectorMask.fromLong(SPECIES, 0xAAAAAAAAAAAAAAAAL);
    /** Windows one vector of a row pair covers. */
    static final int WINDOWS = LANES / 2;
    /** Each lane and its counterpart in the other half: the same column of the other row when a vector holds two. */
    private static final VectorShuffle<Float> SWAP_HALVES = VectorShuffle.fromOp(SPECIES, i -> (i + LANES / 2) % LANES);
    /** The other column of the other row. */
    private static final VectorShuffle<Float> SWAP_HALVES_PAIRS =
            VectorShuffle.fromOp(SPECIES, i -> ((i + LANES / 2) % LANES) ^ 1);
    /** Lane i of two stacked rows of 2×2 windows belongs to window (i mod LANES/2) / 2. */
    private static final VectorShuffle<Float> WINDOW_OF_LANE = VectorShuffle.fromOp(SPECIES, i -> i % (LANES / 2) / 2);

    private CpuVectorPooling() {
    }

    /**
     * The backward of one row of q ≥ {@link #WINDOWS} windows, {@link #WINDOWS} at a time (the last block moved back to
     * end at the row's end; windows it repeats get the same values again). Each window's gradient goes to its first
     * maximum in row-major order, as in {@link CpuTiledPooling}: lanes hold the two rows' columns, the window's
     * maximum sits in both of its lanes, and a lane takes the gradient where it equals the maximum and no earlier
     * candidate of its window does. A block whose maximum is infinite or NaN takes the scalar path.
     */
    static void backwardMax2x2Row(float[] x, float[] dy, float[] dx, int top, int w, int out, int q) {
        int below = top + w;
        for (int block = 0; block < q; block += WINDOWS) {
            int oq = Math.min(block, q - WINDOWS);
            int i = 2 * oq;
            if (out + oq + LANES > dy.length) {
                CpuTiledPooling.backwardMax2x2Windows(x, dy, dx, top, w, out, oq, q);
                return;
            }
            FloatVector a = FloatVector.fromArray(SPECIES, x, top + i);
            FloatVector b = FloatVector.fromArray(SPECIES, x, below + i);
            FloatVector columns = a.max(b);
            FloatVector m = columns.max(columns.rearrange(SWAP_PAIRS));
            if (!m.sub(m).compare(VectorOperators.EQ, 0f).allTrue()) {
                CpuTiledPooling.backwardMax2x2Windows(x, dy, dx, top, w, out, oq, oq + WINDOWS);
                continue;
            }
            VectorMask<Float> topHere = a.compare(VectorOperators.EQ, m);
            VectorMask<Float> topPartner = a.rearrange(SWAP_PAIRS).compare(VectorOperators.EQ, m);
            VectorMask<Float> belowHere = b.compare(VectorOperators.EQ, m);
            VectorMask<Float> belowPartner = b.rearrange(SWAP_PAIRS).compare(VectorOperators.EQ, m);
            VectorMask<Float> takeTop = topHere.and(ODD.and(topPartner).not());
            VectorMask<Float> takeBelow = belowHere.and(topHere.or(topPartner).not())
                    .and(ODD.and(belowPartner).not());
            FloatVector gradient = FloatVector.fromArray(SPECIES, dy, out + oq).rearrange(DOUBLE_FIRST_HALF);
            FloatVector zero = FloatVector.zero(SPECIES);
            zero.blend(gradient, takeTop).intoArray(dx, top + i);
            zero.blend(gradient, takeBelow).intoArray(dx, below + i);
        }
    }

    /** Whether {@link #backwardMax2x2Stacked} takes rows of {@code w} inputs and {@code q} windows. */
    static boolean stacks(int w, int q) {
        return 2 * w == LANES && 2 * q == w;
    }

    /**
     * The backward of one row of windows whose two input rows, w = LANES/2 each, fill one vector together (LeNet's
     * pool2 and AlexNet-32's pool5 at 512 bits: 8 columns, 4 windows): the maximum is taken within pairs, then across
     * the halves, and a lane takes its window's gradient where it equals the maximum and no earlier candidate in
     * row-major order does (its pair's first column; in the lower row, either upper lane), as in
     * {@link CpuTiledPooling}. Infinite or NaN maxima, and the last rows, whose dy vector would run past the array, take
     * the scalar path.
     */
    static void backwardMax2x2Stacked(float[] x, float[] dy, float[] dx, int top, int w, int out, int q) {
        if (out + LANES > dy.length) {
            CpuTiledPooling.backwardMax2x2Windows(x, dy, dx, top, w, out, 0, q);
            return;
        }
        FloatVector v = FloatVector.fromArray(SPECIES, x, top);
        FloatVector pairs = v.max(v.rearrange(SWAP_PAIRS));
        FloatVector m = pairs.max(pairs.rearrange(SWAP_HALVES));
        if (!m.sub(m).compare(VectorOperators.EQ, 0f).allTrue()) {
            CpuTiledPooling.backwardMax2x2Windows(x, dy, dx, top, w, out, 0, q);
            return;
        }
        VectorMask<Float> here = v.compare(VectorOperators.EQ, m);
        VectorMask<Float> partner = v.rearrange(SWAP_PAIRS).compare(VectorOperators.EQ, m);
        VectorMask<Float> above = v.rearrange(SWAP_HALVES).compare(VectorOperators.EQ, m)
                .or(v.rearrange(SWAP_HALVES_PAIRS).compare(VectorOperators.EQ, m));
        VectorMask<Float> take = here.and(ODD.and(partner).not()).and(SECOND_HALF.and(above).not());
        FloatVector gradient = FloatVector.fromArray(SPECIES, dy, out).rearrange(WINDOW_OF_LANE);
        FloatVector.zero(SPECIES).blend(gradient, take).intoArray(dx, top);
    }

    /** Each column pair's max, in both halves: max(column 2i, column 2i+1) in lanes i and i + LANES/2. */
    private static FloatVector pairMax(FloatVector v) {
        return v.rearrange(EVEN_ODD).max(v.rearrange(ODD_EVEN));
    }

    /** Planes [start, end) of x (each H×W) into y (each P×Q), 2×2 windows at stride 2. */
    static void max2x2(int h, int w, int p, int q, float[] x, float[] y, int start, int end) {
        int limit = end * p * q;
        for (int plane = start; plane < end; plane++) {
            int xPlane = plane * h * w;
            int yPlane = plane * p * q;
            for (int op = 0; op < p; op++) {
                int top = xPlane + 2 * op * w;
                int below = top + w;
                int out = yPlane + op * q;
                int oq = 0;
                for (; oq + LANES <= q; oq += LANES) {
                    int i = 2 * oq;
                    FloatVector a = FloatVector.fromArray(SPECIES, x, top + i)
                            .max(FloatVector.fromArray(SPECIES, x, below + i));
                    FloatVector b = FloatVector.fromArray(SPECIES, x, top + i + LANES)
                            .max(FloatVector.fromArray(SPECIES, x, below + i + LANES));
                    pairMax(a).blend(pairMax(b), SECOND_HALF).intoArray(y, out + oq);
                }
                // Fewer than LANES outputs left (LeNet's pool1 and pool2 at either width): one or two vectors of
                // inputs per row, and a whole vector stored. Its lanes past the row land on outputs of later rows of
                // this chunk, which this loop writes afterwards, in order. (Masked stores were much slower on JDK 17.)
                // The chunk's last rows, where the spill would leave the chunk, are scalar.
                int left = q - oq;
                int in = 2 * oq;
                boolean oneVector = 2 * left <= LANES;
                if (left > 0 && out + oq + LANES <= limit && below + in + (oneVector ? LANES : 2 * LANES) <= x.length) {
                    FloatVector a = FloatVector.fromArray(SPECIES, x, top + in)
                            .max(FloatVector.fromArray(SPECIES, x, below + in));
                    if (oneVector) {
                        pairMax(a).intoArray(y, out + oq);
                    } else {
                        FloatVector b = FloatVector.fromArray(SPECIES, x, top + in + LANES)
                                .max(FloatVector.fromArray(SPECIES, x, below + in + LANES));
                        pairMax(a).blend(pairMax(b), SECOND_HALF).intoArray(y, out + oq);
                    }
                    oq = q;
                }
                for (; oq < q; oq++) {
                    int i = 2 * oq;
                    y[out + oq] = Math.max(Math.max(x[top + i], x[top + i + 1]),
                            Math.max(x[below + i], x[below + i + 1]));
                }
            }
        }
    }
}
