package io.jcnn.explain;

import java.util.Arrays;

/**
 * A classifier's scores (logits, before softmax) for a batch: {@code items × classes} values, row-major, copied to
 * the host. Probabilities are the softmax of a row, computed in double precision.
 */
public final class ClassScores {
    private final float[] values;
    private final int items;
    private final int classes;

    /** Wraps (a copy of) {@code values}, which must hold {@code items × classes} scores. */
    public ClassScores(float[] values, int items, int classes) {
        if (items < 1 || classes < 1 || values.length != (long) items * classes) {
            throw new IllegalArgumentException("class scores: expected " + items + "×" + classes + " values, got "
                    + values.length);
        }
        this.values = values.clone();
        this.items = items;
        this.classes = classes;
    }

    /** Number of batch items (rows). */
    public int items() {
        return items;
    }

    /** Number of classes (scores per item). */
    public int classes() {
        return classes;
    }

    /** The score (logit) of {@code classIndex} for batch item {@code item}. */
    public float score(int item, int classIndex) {
        checkClass(classIndex, classes, "class scores");
        return values[index(item, classIndex)];
    }

    /** The highest-scoring class of {@code item}; the lowest index wins a tie. */
    public int predicted(int item) {
        int from = index(item, 0);
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (values[from + c] > values[from + best]) {
                best = c;
            }
        }
        return best;
    }

    /** softmax(scores of {@code item})[classIndex]. */
    public double probability(int item, int classIndex) {
        checkClass(classIndex, classes, "class scores");
        int from = index(item, 0);
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, values[from + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(values[from + c] - max);
        }
        return Math.exp(values[from + classIndex] - max) / sum;
    }

    /** The scores of {@code item}, a copy. */
    public float[] of(int item) {
        int from = index(item, 0);
        return Arrays.copyOfRange(values, from, from + classes);
    }

    private int index(int item, int classIndex) {
        if (item < 0 || item >= items) {
            throw new IllegalArgumentException("class scores: item " + item + " is out of range; there are " + items
                    + " (0 to " + (items - 1) + ")");
        }
        return item * classes + classIndex;
    }

    /**
     * Throws {@link IllegalArgumentException} unless {@code classIndex} is in [0, classes): for example
     * {@code saliency: class 12 is out of range; the model has 10 classes (0 to 9)}.
     */
    static void checkClass(int classIndex, int classes, String what) {
        if (classIndex < 0 || classIndex >= classes) {
            throw new IllegalArgumentException(what + ": class " + classIndex + " is out of range; the model has "
                    + classes + " classes (0 to " + (classes - 1) + ")");
        }
    }
}
