package io.jcnn.backend.cpu;

import java.util.Arrays;

/**
 * Pooling whose windows tile the input (stride = kernel, no padding): every input pixel belongs to at most one
 * window, so backward writes each covered pixel once instead of clearing the plane and accumulating, and the loops
 * carry no clipping. Results match {@link CpuPooling}'s general path: backward sends each window's gradient to its
 * first maximum in row-major order, and rows or columns past the last whole window get zero gradient. (The 2×2
 * forward takes {@link Math#max}, which differs from the general path only in propagating NaN and in preferring +0
 * over −0.)
 */
final class CpuTiledPooling {
    private CpuTiledPooling() {
    }

    /** Planes [start, end) of x (each H×W) into y (each P×Q). */
    static void forward(int kh, int kw, boolean max, float inverseArea, int h, int w, int p, int q,
                        float[] x, float[] y, int start, int end) {
        for (int plane = start; plane < end; plane++) {
            int xPlane = plane * h * w;
            int yPlane = plane * p * q;
            for (int op = 0; op < p; op++) {
                int top = xPlane + op * kh * w;
                int out = yPlane + op * q;
                if (kh == 2 && kw == 2) {
                    int below = top + w;
                    if (max) {
                        for (int oq = 0; oq < q; oq++) {
                            int i = 2 * oq;
                            y[out + oq] = Math.max(Math.max(x[top + i], x[top + i + 1]),
                                    Math.max(x[below + i], x[below + i + 1]));
                        }
                    } else {
                        for (int oq = 0; oq < q; oq++) {
                            int i = 2 * oq;
                            y[out + oq] = (x[top + i] + x[top + i + 1] + x[below + i] + x[below + i + 1]) * inverseArea;
                        }
                    }
                } else {
                    for (int oq = 0; oq < q; oq++) {
                        int corner = top + oq * kw;
                        y[out + oq] = max ? x[corner + argMax(x, corner, w, kh, kw)]
                                : sum(x, corner, w, kh, kw) * inverseArea;
                    }
                }
            }
        }
    }

    /**
     * dx for planes [start, end) from x (to find each window's maximum again) and dy; {@code vector}: 2×2 max windows
     * go through {@link CpuVectorPooling} where rows are wide enough, or two rows fill a vector (same bits).
     */
    static void backward(int kh, int kw, boolean max, float inverseArea, int h, int w, int p, int q,
                         float[] x, float[] dy, float[] dx, int start, int end, boolean vector) {
        int coveredW = q * kw;
        for (int plane = start; plane < end; plane++) {
            int xPlane = plane * h * w;
            int yPlane = plane * p * q;
            for (int op = 0; op < p; op++) {
                int top = xPlane + op * kh * w;
                int out = yPlane + op * q;
                if (max && kh == 2 && kw == 2) {
                    if (vector && q >= CpuVectorPooling.WINDOWS) {
                        CpuVectorPooling.backwardMax2x2Row(x, dy, dx, top, w, out, q);
                    } else if (vector && CpuVectorPooling.stacks(w, q)) {
                        CpuVectorPooling.backwardMax2x2Stacked(x, dy, dx, top, w, out, q);
                    } else {
                        backwardMax2x2Windows(x, dy, dx, top, w, out, 0, q);
                    }
                } else {
                    for (int oq = 0; oq < q; oq++) {
                        int corner = top + oq * kw;
                        float gradient = dy[out + oq];
                        if (max) {
                            int winner = argMax(x, corner, w, kh, kw);
                            for (int r = 0; r < kh; r++) {
                                int row = corner + r * w;
                                for (int s = 0; s < kw; s++) {
                                    dx[row + s] = r * w + s == winner ? gradient : 0f;
                                }
                            }
                        } else {
                            float share = gradient * inverseArea;
                            for (int r = 0; r < kh; r++) {
                                Arrays.fill(dx, corner + r * w, corner + r * w + kw, share);
                            }
                        }
                    }
                }
                if (coveredW < w) {
                    for (int r = 0; r < kh; r++) {
                        Arrays.fill(dx, top + r * w + coveredW, top + (r + 1) * w, 0f);
                    }
                }
            }
            Arrays.fill(dx, xPlane + p * kh * w, xPlane + h * w, 0f);
        }
    }

    /**
     * Backward of windows [from, to) of one row of 2×2 windows without data-dependent branches: with random data a branch on "is this the
     * maximum" mispredicts about half the time and made this pass several times slower. For finite values,
     * m − v is +0 exactly when v equals the maximum m, so {@link #isZero} of its bits marks the candidates; the
     * first one in row-major order takes the gradient, as in the general path. Windows with an infinite or NaN
     * maximum take that general path.
     */
    static void backwardMax2x2Windows(float[] x, float[] dy, float[] dx, int top, int w, int out, int from, int to) {
        int below = top + w;
        for (int oq = from; oq < to; oq++) {
            int i = 2 * oq;
            float a = x[top + i];
            float b = x[top + i + 1];
            float c = x[below + i];
            float d = x[below + i + 1];
            float m = Math.max(Math.max(a, b), Math.max(c, d));
            int gradient = Float.floatToRawIntBits(dy[out + oq]);
            if (!Float.isFinite(m)) {
                int winner = argMax(x, top + i, w, 2, 2);
                dx[top + i] = winner == 0 ? dy[out + oq] : 0f;
                dx[top + i + 1] = winner == 1 ? dy[out + oq] : 0f;
                dx[below + i] = winner == w ? dy[out + oq] : 0f;
                dx[below + i + 1] = winner == w + 1 ? dy[out + oq] : 0f;
                continue;
            }
            int ea = isZero(m - a);
            int eb = isZero(m - b) & (ea ^ 1);
            int ec = isZero(m - c) & ((ea | eb) ^ 1);
            int ed = (ea | eb | ec) ^ 1;
            dx[top + i] = Float.intBitsToFloat(gradient & -ea);
            dx[top + i + 1] = Float.intBitsToFloat(gradient & -eb);
            dx[below + i] = Float.intBitsToFloat(gradient & -ec);
            dx[below + i + 1] = Float.intBitsToFloat(gradient & -ed);
        }
    }

    /** 1 when {@code difference} (never negative here) is +0, else 0, from its bits alone. */
    private static int isZero(float difference) {
        return 1 - Math.min(1, Float.floatToRawIntBits(difference));
    }

    /** Offset from {@code corner} (stride w) of the first maximum of the kh×kw window. */
    private static int argMax(float[] x, int corner, int w, int kh, int kw) {
        int best = 0;
        float bestValue = x[corner];
        for (int r = 0; r < kh; r++) {
            for (int s = 0; s < kw; s++) {
                float v = x[corner + r * w + s];
                if (v > bestValue) {
                    bestValue = v;
                    best = r * w + s;
                }
            }
        }
        return best;
    }

    private static float sum(float[] x, int corner, int w, int kh, int kw) {
        float total = 0f;
        for (int r = 0; r < kh; r++) {
            for (int s = 0; s < kw; s++) {
                total += x[corner + r * w + s];
            }
        }
        return total;
    }
}
