package io.jcnn.model;

import io.jcnn.data.DataLoader;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

import java.util.Arrays;

/**
 * How well a classifier does on a labelled dataset: mean cross-entropy loss, accuracy and the confusion matrix.
 * Loss and argmax are computed on the host from the logits in double precision, so the figures do not depend on
 * the backend's reduction order, and the zero padding of a final partial batch is never counted.
 *
 * @param samples   number of samples evaluated
 * @param loss      mean softmax cross-entropy per sample
 * @param accuracy  fraction of samples whose highest logit is their label
 * @param confusion {@code confusion[label][predicted]} counts; rows sum to each class's sample count
 */
public record Evaluation(int samples, double loss, double accuracy, int[][] confusion) {

    /**
     * Copies the confusion matrix.
     *
     * @throws IllegalArgumentException if the matrix is not square
     */
    public Evaluation {
        confusion = deepCopy(confusion);
    }

    /** A copy of the confusion matrix, {@code confusion[label][predicted]}. */
    @Override
    public int[][] confusion() {
        return deepCopy(confusion);
    }

    /** Number of classes, the confusion matrix's side. */
    public int classes() {
        return confusion.length;
    }

    /** Fraction of the samples labelled {@code label} that were classified correctly, or NaN with none. */
    public double classAccuracy(int label) {
        int total = Arrays.stream(confusion[label]).sum();
        return total == 0 ? Double.NaN : (double) confusion[label][label] / total;
    }

    /**
     * Runs {@code model} in inference mode over every sample {@code data} yields for epoch 1 (use an unshuffled,
     * unaugmented loader). The model must be compiled for the loader's batch size and sample shape and output one
     * logit per class.
     */
    public static Evaluation of(Sequential model, DataLoader data) {
        Shape input = ClassifierShapes.checkInput(model, data, "evaluate");
        int classes = ClassifierShapes.classes(model, data, "evaluate");
        int[][] confusion = new int[classes][classes];
        double lossSum = 0;
        int samples = 0;
        int correct = 0;
        float[] logits = new float[input.dim(0) * classes];
        try (Tensor images = model.backend().allocate(input);
             DataLoader.Epoch epoch = data.epoch(1, 0, false)) {
            while (epoch.hasNext()) {
                DataLoader.Batch batch = epoch.next();
                images.copyFrom(batch.images());
                Tensor output = model.forward(images, false);
                System.arraycopy(output.toArray(), 0, logits, 0, logits.length);
                float[] labels = batch.labels();
                for (int i = 0; i < batch.size(); i++) {
                    int label = (int) labels[i];
                    int predicted = argMax(logits, i * classes, classes);
                    lossSum += crossEntropy(logits, i * classes, classes, label);
                    confusion[label][predicted]++;
                    if (predicted == label) {
                        correct++;
                    }
                }
                samples += batch.size();
            }
        }
        if (samples == 0) {
            throw new IllegalArgumentException("evaluate: dataset '" + data.dataset().name() + "' is empty");
        }
        return new Evaluation(samples, lossSum / samples, (double) correct / samples, confusion);
    }

    /** Index of the largest of {@code values[from .. from + count)}; the first wins a tie. */
    static int argMax(float[] values, int from, int count) {
        int best = 0;
        for (int c = 1; c < count; c++) {
            if (values[from + c] > values[from + best]) {
                best = c;
            }
        }
        return best;
    }

    /** −log softmax(logits)[label], computed stably in double precision. */
    static double crossEntropy(float[] logits, int from, int count, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < count; c++) {
            max = Math.max(max, logits[from + c]);
        }
        double sum = 0;
        for (int c = 0; c < count; c++) {
            sum += Math.exp(logits[from + c] - max);
        }
        return max + Math.log(sum) - logits[from + label];
    }

    /** The confusion matrix as text: one row per true label, one column per predicted label. */
    public String confusionTable() {
        StringBuilder out = new StringBuilder("true\\pred");
        for (int c = 0; c < classes(); c++) {
            out.append(String.format("%6d", c));
        }
        out.append(String.format("%9s%n", "acc"));
        for (int label = 0; label < classes(); label++) {
            out.append(String.format("%9d", label));
            for (int c = 0; c < classes(); c++) {
                out.append(String.format("%6d", confusion[label][c]));
            }
            out.append(String.format("%8.2f%%%n", 100 * classAccuracy(label)));
        }
        return out.toString();
    }

    private static int[][] deepCopy(int[][] matrix) {
        int[][] copy = new int[matrix.length][];
        for (int i = 0; i < matrix.length; i++) {
            if (matrix[i].length != matrix.length) {
                throw new IllegalArgumentException("confusion matrix must be square, row " + i + " has "
                        + matrix[i].length + " entries for " + matrix.length + " classes");
            }
            copy[i] = matrix[i].clone();
        }
        return copy;
    }
}
