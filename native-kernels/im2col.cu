// im2col and col2im for one image's channels [c0, c0 + channels) (the host loops over images and groups). Column
// layout as the CPU backend's: row (c·R + r)·S + s, column p·Q + q, zero where the tap falls into padding.
#include "common.cuh"

struct Conv {
    int h, w, p, q, r, s, sh, sw, ph, pw, dh, dw;
};

extern "C" __global__ void im2col(Conv g, int channels, const float* image, float* columns) {
    int pq = g.p * g.q;
    GRID_STRIDE(i, channels * g.r * g.s * pq) {
        int row = i / pq;
        int pixel = i - row * pq;
        int c = row / (g.r * g.s);
        int r = (row / g.s) % g.r;
        int s = row % g.s;
        int ih = (pixel / g.q) * g.sh - g.ph + r * g.dh;
        int iw = (pixel % g.q) * g.sw - g.pw + s * g.dw;
        columns[i] = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w ? image[(c * g.h + ih) * g.w + iw] : 0.0f;
    }
}

// The adjoint of im2col, gathered: each input pixel adds the column entries that read it, taps in (r, s) order.
extern "C" __global__ void col2im(Conv g, int channels, const float* columns, float* image) {
    int pq = g.p * g.q;
    GRID_STRIDE(i, channels * g.h * g.w) {
        int c = i / (g.h * g.w);
        int ih = (i / g.w) % g.h;
        int iw = i % g.w;
        float sum = 0.0f;
        for (int r = 0; r < g.r; r++) {
            int top = ih + g.ph - r * g.dh;
            if (top < 0 || top % g.sh != 0 || top / g.sh >= g.p) continue;
            for (int s = 0; s < g.s; s++) {
                int left = iw + g.pw - s * g.dw;
                if (left < 0 || left % g.sw != 0 || left / g.sw >= g.q) continue;
                sum += columns[((c * g.r + r) * g.s + s) * pq + (top / g.sh) * g.q + left / g.sw];
            }
        }
        image[i] = sum;
    }
}
