package io.jcnn.spark;

import java.io.Serializable;

/**
 * One training example as it travels in a Spark dataset: its position in the full training set (which fixes each
 * shard's order, whatever order Spark delivers rows in), its pixels (C×H×W bytes) and its class.
 *
 * @param index  the example's position in the training set
 * @param pixels C·H·W pixel bytes, row-major
 * @param label  the class, 0 or more
 */
public record LabeledImage(long index, byte[] pixels, int label) implements Serializable {
    /**
     * Validates the example.
     *
     * @throws IllegalArgumentException if {@code index} or {@code label} is negative or there are no pixels
     */
    public LabeledImage {
        if (index < 0 || label < 0 || pixels == null || pixels.length == 0) {
            throw new IllegalArgumentException("a labeled image needs an index and a label of 0 or more and pixels,"
                    + " got index " + index + ", label " + label + ", " + (pixels == null ? "no" : pixels.length)
                    + " pixels");
        }
    }
}
