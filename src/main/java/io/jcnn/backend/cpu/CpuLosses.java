package io.jcnn.backend.cpu;

/** Fused softmax-cross-entropy and Euclidean (MSE) losses with their gradients. */
final class CpuLosses {
    private CpuLosses() {
    }

    static void softmaxCrossEntropy(CpuParallel parallel, float[] logits, float[] labels, float[] loss, float[] dLogits,
                                    int batch, int classes) {
        throw new UnsupportedOperationException("softmaxCrossEntropy is not implemented yet");
    }

    static void mse(CpuParallel parallel, float[] prediction, float[] target, float[] loss, float[] dPrediction,
                    int batch, int size) {
        throw new UnsupportedOperationException("mseLoss is not implemented yet");
    }
}
