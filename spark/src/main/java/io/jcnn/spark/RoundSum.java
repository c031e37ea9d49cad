package io.jcnn.spark;

import java.io.Serializable;

/**
 * The partitions' results of one round, summed as Spark's {@code treeAggregate} merges them: every state tensor
 * summed element by element in double precision, how many partitions contributed, and the training loss and
 * accuracy counts. Double sums make the order in which Spark merges partial sums invisible in the float average
 * (it could only show where a sum falls within about 1e-16 of a float rounding boundary).
 */
final class RoundSum implements Serializable {
    private static final long serialVersionUID = 1L;
    private double[][] sums;
    private int contributions;
    private int optimizerSteps;
    private double lossSum;
    private long correct;
    private long seen;

    /** The empty sum, treeAggregate's zero. */
    RoundSum() {
    }

    /** Adds one partition's state after its steps, and what those steps measured. */
    RoundSum add(ModelState state, double loss, long right, long images) {
        float[][] tensors = state.tensors();
        if (sums == null) {
            sums = new double[tensors.length][];
            for (int i = 0; i < tensors.length; i++) {
                sums[i] = new double[tensors[i].length];
            }
            optimizerSteps = state.optimizerSteps();
        }
        for (int i = 0; i < tensors.length; i++) {
            double[] sum = sums[i];
            float[] values = tensors[i];
            for (int j = 0; j < values.length; j++) {
                sum[j] += values[j];
            }
        }
        contributions++;
        lossSum += loss;
        correct += right;
        seen += images;
        return this;
    }

    /** Merges {@code other} into this sum. */
    RoundSum merge(RoundSum other) {
        if (other.sums == null) {
            return this;
        }
        if (sums == null) {
            return other;
        }
        for (int i = 0; i < sums.length; i++) {
            for (int j = 0; j < sums[i].length; j++) {
                sums[i][j] += other.sums[i][j];
            }
        }
        contributions += other.contributions;
        lossSum += other.lossSum;
        correct += other.correct;
        seen += other.seen;
        return this;
    }

    /** The partitions' average state. */
    ModelState average() {
        if (contributions == 0) {
            throw new IllegalStateException("no partition contributed to the round");
        }
        float[][] mean = new float[sums.length][];
        for (int i = 0; i < sums.length; i++) {
            mean[i] = new float[sums[i].length];
            for (int j = 0; j < mean[i].length; j++) {
                mean[i][j] = (float) (sums[i][j] / contributions);
            }
        }
        return new ModelState(mean, optimizerSteps);
    }

    int contributions() {
        return contributions;
    }

    double lossSum() {
        return lossSum;
    }

    long correct() {
        return correct;
    }

    long seen() {
        return seen;
    }
}
