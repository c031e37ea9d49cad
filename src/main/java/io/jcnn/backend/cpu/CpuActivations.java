package io.jcnn.backend.cpu;

import io.jcnn.backend.Activation;

/** Pointwise activations and their derivatives. */
final class CpuActivations {
    private CpuActivations() {
    }

    static void forward(CpuParallel parallel, Activation activation, float[] x, float[] y, int size) {
        throw new UnsupportedOperationException("activationForward is not implemented yet");
    }

    static void backward(CpuParallel parallel, Activation activation, float[] x, float[] y, float[] dy, float[] dx, int size) {
        throw new UnsupportedOperationException("activationBackward is not implemented yet");
    }
}
