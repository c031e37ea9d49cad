package io.jcnn.backend.cpu;

/** Spatial batch normalisation for N×C×S data (S = H·W, or 1 for N×C). */
final class CpuBatchNorm {
    private CpuBatchNorm() {
    }

    static void forwardTraining(CpuParallel parallel, int n, int c, int s, float[] x, float[] gamma, float[] beta,
                                float[] y, float[] runningMean, float[] runningVariance, float[] savedMean,
                                float[] savedInvStd, float momentum, float epsilon) {
        throw new UnsupportedOperationException("batchNormForwardTraining is not implemented yet");
    }

    static void forwardInference(CpuParallel parallel, int n, int c, int s, float[] x, float[] gamma, float[] beta,
                                 float[] y, float[] runningMean, float[] runningVariance, float epsilon) {
        throw new UnsupportedOperationException("batchNormForwardInference is not implemented yet");
    }

    static void backward(CpuParallel parallel, int n, int c, int s, float[] x, float[] dy, float[] gamma,
                         float[] savedMean, float[] savedInvStd, float[] dx, float[] dGamma, float[] dBeta) {
        throw new UnsupportedOperationException("batchNormBackward is not implemented yet");
    }
}
