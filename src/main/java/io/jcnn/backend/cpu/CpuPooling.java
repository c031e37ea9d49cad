package io.jcnn.backend.cpu;

import io.jcnn.backend.PoolGeometry;

/** Max and average pooling on the CPU. */
final class CpuPooling {
    private CpuPooling() {
    }

    static void forward(CpuParallel parallel, PoolGeometry g, float[] x, float[] y) {
        throw new UnsupportedOperationException("pool2dForward is not implemented yet");
    }

    static void backward(CpuParallel parallel, PoolGeometry g, float[] x, float[] y, float[] dy, float[] dx) {
        throw new UnsupportedOperationException("pool2dBackward is not implemented yet");
    }
}
