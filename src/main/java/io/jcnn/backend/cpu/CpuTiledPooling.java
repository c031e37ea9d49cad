package io.jcnn.backend.cpu;

import java.util.Arrays;

/**
 * Pooling whose windows tile the input (stride = kernel, no padding): every input pixel belongs to at most one
 * window, so backward writes each covered pixel once instead of clearing the plane and accumulating, and the loops
 * carry no clipping. Results are identical to {@link CpuPooling}'s general path: the maximum is the first in
 * row-major window order (strictly greater replaces), and rows or columns past the last whole window get zero
 * gradient.
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
                    for (int oq = 0; oq < q; oq++) {
                        int i = 2 * oq;
                        float a = x[top + i];
                        float b = x[top + i + 1];
                        float c = x[below + i];
                        float d = x[below + i + 1];
                        y[out + oq] = max ? first2x2Max(a, b, c, d) : (a + b + c + d) * inverseArea;
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

    /** dx for planes [start, end) from x (to find each window's maximum again) and dy. */
    static void backward(int kh, int kw, boolean max, float inverseArea, int h, int w, int p, int q,
                         float[] x, float[] dy, float[] dx, int start, int end) {
        int coveredW = q * kw;
        for (int plane = start; plane < end; plane++) {
            int xPlane = plane * h * w;
            int yPlane = plane * p * q;
            for (int op = 0; op < p; op++) {
                int top = xPlane + op * kh * w;
                int out = yPlane + op * q;
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
                if (coveredW < w) {
                    for (int r = 0; r < kh; r++) {
                        Arrays.fill(dx, top + r * w + coveredW, top + (r + 1) * w, 0f);
                    }
                }
            }
            Arrays.fill(dx, xPlane + p * kh * w, xPlane + h * w, 0f);
        }
    }

    /** The first maximum of a, b, c, d in that order; a NaN in the first place stays, elsewhere it never wins. */
    private static float first2x2Max(float a, float b, float c, float d) {
        float best = a;
        if (b > best) {
            best = b;
        }
        if (c > best) {
            best = c;
        }
        if (d > best) {
            best = d;
        }
        return best;
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
