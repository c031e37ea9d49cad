package io.jcnn.backend.cpu;

/** Softmax and log-softmax over each batch item's features. */
final class CpuSoftmax {
    private CpuSoftmax() {
    }

    static void forward(CpuParallel parallel, float[] x, float[] y, int batch, int features, boolean log) {
        throw new UnsupportedOperationException("softmaxForward is not implemented yet");
    }

    static void backward(CpuParallel parallel, float[] y, float[] dy, float[] dx, int batch, int features, boolean log) {
        throw new UnsupportedOperationException("softmaxBackward is not implemented yet");
    }
}
