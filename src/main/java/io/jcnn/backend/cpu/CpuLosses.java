package io.jcnn.backend.cpu;

/**
 * Fused softmax-cross-entropy and Euclidean (MSE) losses with their gradients. Loss sums are accumulated in double
 * per chunk and the chunk partials added in chunk order, so a given thread count always gives the same bits.
 */
final class CpuLosses {
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 14;

    private CpuLosses() {
    }

    /**
     * loss = mean over n of (log Σ_j e^(x_nj) − x_n,label), computed as max + log Σ e^(x − max) so that large logits
     * cannot overflow; dLogits = (softmax − onehot)/N. Labels are checked before anything is written.
     */
    static void softmaxCrossEntropy(CpuParallel parallel, float[] logits, float[] labels, float[] loss,
                                    float[] dLogits, int batch, int classes) {
        checkLabels(labels, batch, classes);
        int chunks = parallel.chunks(batch, CpuSoftmax.rowsPerChunk(classes));
        double[] partials = new double[chunks];
        double invBatch = 1.0 / batch;
        parallel.forRange(batch, CpuSoftmax.rowsPerChunk(classes), (chunk, first, last) -> {
            double chunkLoss = 0;
            for (int n = first; n < last; n++) {
                int offset = n * classes;
                int label = (int) labels[n];
                float max = CpuSoftmax.rowMax(logits, offset, classes);
                double sum = CpuSoftmax.sumExp(logits, offset, classes, max);
                // Read the label's logit before writing dLogits, which is then safe even in place.
                double labelShifted = (double) logits[offset + label] - max;
                chunkLoss += Math.log(sum) - labelShifted;
                double scale = invBatch / sum;
                for (int i = offset; i < offset + classes; i++) {
                    dLogits[i] = (float) (Math.exp((double) logits[i] - max) * scale);
                }
                dLogits[offset + label] = (float) ((Math.exp(labelShifted) / sum - 1.0) * invBatch);
            }
            partials[chunk] = chunkLoss;
        });
        loss[0] = (float) (sumInOrder(partials) * invBatch);
    }

    /** Every label must be an integer class index in [0, classes); the first one that is not is reported. */
    private static void checkLabels(float[] labels, int batch, int classes) {
        for (int n = 0; n < batch; n++) {
            float label = labels[n];
            if (!(label >= 0f && label < classes && label == Math.rint(label))) {
                throw new IllegalArgumentException("softmaxCrossEntropy: label at batch index " + n + " is " + label
                        + ", expected an integer class index in [0, " + classes + ")");
            }
        }
    }

    /** loss = Σ (p − t)² / (2N); dPrediction = (p − t)/N; N is the batch size. */
    static void mse(CpuParallel parallel, float[] prediction, float[] target, float[] loss, float[] dPrediction,
                    int batch, int size) {
        int chunks = parallel.chunks(size, MIN_ELEMENTS_PER_CHUNK);
        double[] partials = new double[chunks];
        parallel.forRange(size, MIN_ELEMENTS_PER_CHUNK, (chunk, start, end) -> {
            double sum = 0;
            for (int i = start; i < end; i++) {
                float difference = prediction[i] - target[i];
                sum += (double) difference * difference;
                dPrediction[i] = difference / batch;
            }
            partials[chunk] = sum;
        });
        loss[0] = (float) (sumInOrder(partials) / (2.0 * batch));
    }

    /** Adds per-chunk partials in chunk order: the fixed order that makes reductions reproducible. */
    static double sumInOrder(double[] partials) {
        double total = 0;
        for (double p : partials) {
            total += p;
        }
        return total;
    }
}
