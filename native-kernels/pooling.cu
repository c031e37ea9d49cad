// Max and average pooling over N·C planes, windows clipped to the input (padding never wins a max and is not
// averaged in: the average divides by the full window area, as the CPU backend does). Backward gathers: each input
// pixel adds up the gradients of the windows that cover it, so no atomics and the same sum order on every run.
#include "common.cuh"

struct Pool {
    int h, w, p, q, kh, kw, sh, sw, ph, pw;
};

// Offset in the plane of the first maximum, in row-major order, of output (op, oq)'s window.
__device__ int window_argmax(const float* plane, Pool g, int op, int oq) {
    int h0 = max(0, op * g.sh - g.ph), h1 = min(g.h, op * g.sh - g.ph + g.kh);
    int w0 = max(0, oq * g.sw - g.pw), w1 = min(g.w, oq * g.sw - g.pw + g.kw);
    int best = h0 * g.w + w0;
    float bestValue = plane[best];
    for (int ih = h0; ih < h1; ih++) {
        for (int iw = w0; iw < w1; iw++) {
            float v = plane[ih * g.w + iw];
            if (v > bestValue) {
                bestValue = v;
                best = ih * g.w + iw;
            }
        }
    }
    return best;
}

extern "C" __global__ void pool_forward(int planes, Pool g, int isMax, const float* x, float* y) {
    float inverseArea = 1.0f / (g.kh * g.kw);
    GRID_STRIDE(i, planes * g.p * g.q) {
        int plane = i / (g.p * g.q);
        int op = (i / g.q) % g.p;
        int oq = i % g.q;
        const float* in = x + (long long) plane * g.h * g.w;
        if (isMax) {
            y[i] = in[window_argmax(in, g, op, oq)];
        } else {
            int h0 = max(0, op * g.sh - g.ph), h1 = min(g.h, op * g.sh - g.ph + g.kh);
            int w0 = max(0, oq * g.sw - g.pw), w1 = min(g.w, oq * g.sw - g.pw + g.kw);
            float sum = 0.0f;
            for (int ih = h0; ih < h1; ih++) {
                for (int iw = w0; iw < w1; iw++) sum += in[ih * g.w + iw];
            }
            y[i] = sum * inverseArea;
        }
    }
}

// dx for every input pixel: the sum over the windows covering it of dy (max: only where it is the window's first
// maximum; average: dy / area), windows taken in row-major order.
extern "C" __global__ void pool_backward(int planes, Pool g, int isMax, const float* x, const float* dy, float* dx) {
    float inverseArea = 1.0f / (g.kh * g.kw);
    GRID_STRIDE(i, planes * g.h * g.w) {
        int plane = i / (g.h * g.w);
        int ih = (i / g.w) % g.h;
        int iw = i % g.w;
        const float* in = x + (long long) plane * g.h * g.w;
        const float* grad = dy + (long long) plane * g.p * g.q;
        // Outputs whose window [o·s − pad, o·s − pad + k) contains the pixel (a negative numerator truncates
        // towards 0, which max() then clamps, as it should).
        int opLo = max(0, (ih + g.ph - g.kh + g.sh) / g.sh), opHi = min(g.p - 1, (ih + g.ph) / g.sh);
        int oqLo = max(0, (iw + g.pw - g.kw + g.sw) / g.sw), oqHi = min(g.q - 1, (iw + g.pw) / g.sw);
        float sum = 0.0f;
        for (int op = opLo; op <= opHi; op++) {
            for (int oq = oqLo; oq <= oqHi; oq++) {
                if (isMax) {
                    if (window_argmax(in, g, op, oq) == ih * g.w + iw) sum += grad[op * g.q + oq];
                } else {
                    sum += grad[op * g.q + oq] * inverseArea;
                }
            }
        }
        dx[i] = sum;
    }
}
