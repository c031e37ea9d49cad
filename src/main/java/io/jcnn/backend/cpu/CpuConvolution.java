package io.jcnn.backend.cpu;

import io.jcnn.backend.ConvGeometry;

/** Convolution forward, backward-data and backward-filter on the CPU. */
final class CpuConvolution {
    private CpuConvolution() {
    }

    /** Floats of shared workspace the three convolution ops need for this geometry and thread count. */
    static long workspaceFloats(ConvGeometry g, int threads) {
        return 0;
    }

    static void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] y, float[] workspace) {
        throw new UnsupportedOperationException("conv2dForward is not implemented yet");
    }

    static void backwardData(CpuParallel parallel, ConvGeometry g, float[] dy, float[] w, float[] dx, float[] workspace) {
        throw new UnsupportedOperationException("conv2dBackwardData is not implemented yet");
    }

    static void backwardFilter(CpuParallel parallel, ConvGeometry g, float[] x, float[] dy, float[] dw, float[] workspace) {
        throw new UnsupportedOperationException("conv2dBackwardFilter is not implemented yet");
    }
}
