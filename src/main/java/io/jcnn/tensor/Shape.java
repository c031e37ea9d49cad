package io.jcnn.tensor;

import java.util.Arrays;

/**
 * The dimensions of a tensor, outermost first: N×C×H×W for images, N×F for feature vectors, F for a vector.
 * Immutable; every dimension is positive and the element count fits in an {@code int}.
 */
public final class Shape {
    private final int[] dims;
    private final int size;

    private Shape(int[] dims) {
        if (dims.length < 1 || dims.length > 4) {
            throw new IllegalArgumentException("a shape has 1 to 4 dimensions, got " + dims.length + ": " + Arrays.toString(dims));
        }
        long count = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("every dimension must be positive, got " + Arrays.toString(dims));
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more than 2^31-1 elements");
            }
        }
        this.dims = dims;
        this.size = (int) count;
    }

    /** A shape with the given dimensions, outermost first. */
    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /** N×C×H×W. */
    public static Shape nchw(int n, int c, int h, int w) {
        return new Shape(new int[] {n, c, h, w});
    }

    /** The number of dimensions, 1 to 4. */
    public int rank() {
        return dims.length;
    }

    /**
     * The size of dimension {@code axis}, counted from 0 at the outermost.
     *
     * @throws ArrayIndexOutOfBoundsException if {@code axis} is not in [0, rank)
     */
    public int dim(int axis) {
        return dims[axis];
    }

    /** A copy of the dimensions, outermost first. */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /** The outermost dimension (the batch size N). */
    public int batch() {
        return dims[0];
    }

    /** Elements per batch item: C·H·W, or F. */
    public int sampleSize() {
        return size / dims[0];
    }

    /** C of N×C×H×W, F of N×F; 1 for a vector. */
    public int channels() {
        return dims.length >= 2 ? dims[1] : 1;
    }

    /** H of N×C×H×W; 1 for lower ranks. */
    public int height() {
        return dims.length == 4 ? dims[2] : 1;
    }

    /** W of N×C×H×W; 1 for lower ranks. */
    public int width() {
        return dims.length == 4 ? dims[3] : 1;
    }

    /** H·W, the elements per channel of one batch item. */
    public int spatialSize() {
        return height() * width();
    }

    /** This shape with a different batch size. */
    public Shape withBatch(int n) {
        int[] d = dims.clone();
        d[0] = n;
        return new Shape(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** For example {@code 64×20×12×12}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                b.append('×');
            }
            b.append(dims[i]);
        }
        return b.toString();
    }
}
