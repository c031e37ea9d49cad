package io.jcnn.backend.cpu;

import java.util.Arrays;

/**
 * Zero-framed copies of image planes, the source that padded convolutions read without bounds tests: each h × w plane
 * becomes an (h + 2·padH) × (w + 2·padW) plane with the original in the middle.
 *
 * <p>The side borders are written element by element: on AlexNet-32's 8×8 planes, an {@code Arrays.fill} call per
 * one-float border cost more than the row copies, and framing took about 7% of a training step.
 */
final class CpuFrame {
    private CpuFrame() {
    }

    /** Floats of the framed copy of {@code planes} planes. */
    static long floats(int planes, int h, int w, int padH, int padW) {
        return (long) planes * (h + 2 * padH) * (w + 2 * padW);
    }

    /** Planes [start, end) of {@code in} (each h × w, from index 0) into {@code out} from {@code offset}, framed. */
    static void copy(float[] in, int h, int w, int padH, int padW, float[] out, int offset, int start, int end) {
        int hp = h + 2 * padH;
        int wp = w + 2 * padW;
        for (int plane = start; plane < end; plane++) {
            int to = offset + plane * hp * wp;
            int from = plane * h * w;
            Arrays.fill(out, to, to + padH * wp, 0f);
            for (int row = 0; row < h; row++) {
                int line = to + (row + padH) * wp;
                for (int b = 0; b < padW; b++) {
                    out[line + b] = 0f;
                    out[line + padW + w + b] = 0f;
                }
                System.arraycopy(in, from + row * w, out, line + padW, w);
            }
            Arrays.fill(out, to + (padH + h) * wp, to + hp * wp, 0f);
        }
    }
}
