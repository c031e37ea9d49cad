// jcnn's CUDA kernels run on the host through cuda_emulation.h and checked against plain reference loops, so their
// indexing, reductions and edge cases are tested on machines without a GPU. Build and run (what KernelEmulationTest
// does): g++ -std=c++20 -O1 -pthread -I.. -include cuda_emulation.h kernels_test.cpp -o kernels_test && ./kernels_test
// Prints one line per failed check and exits 1 if any failed.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>

#include "../bias.cu"
#include "../dropout.cu"
#include "../elementwise.cu"
#include "../gemm.cu"
#include "../im2col.cu"
#include "../losses.cu"
#include "../normalization.cu"
#include "../optimizers.cu"
#include "../pooling.cu"

static int failures = 0;

static void check(bool ok, const char* what, int index, double expected, double actual) {
    if (!ok) {
        if (failures < 40) std::printf("FAIL %s at %d: expected %.9g, got %.9g\n", what, index, expected, actual);
        failures++;
    }
}

static void close_all(const char* what, const std::vector<double>& expected, const float* actual, double tol) {
    for (size_t i = 0; i < expected.size(); i++) {
        check(std::fabs(expected[i] - actual[i]) <= tol * (1 + std::fabs(expected[i])), what, (int) i, expected[i],
              actual[i]);
    }
}

static std::vector<float> uniform(unsigned seed, size_t n) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = u(random);
    return v;
}

static dim3 grid1(int n) { return dim3{(unsigned) std::min(8, (n + 255) / 256), 1, 1}; }
static const dim3 BLOCK{256, 1, 1};

static void test_sgemm() {
    const int m = 37, n = 53, k = 29;
    for (int ta = 0; ta < 2; ta++) {
        for (int tb = 0; tb < 2; tb++) {
            for (float beta : {0.0f, 0.5f}) {
                std::vector<float> a = uniform(1, m * k), b = uniform(2, k * n), c = uniform(3, m * n);
                if (beta == 0.0f) c[5] = NAN;  // beta 0 ignores C, NaN included
                std::vector<double> expected(m * n);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            s += (double) a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
                        }
                        expected[i * n + j] = 0.7 * s + (beta == 0.0f ? 0.0 : beta * c[i * n + j]);
                    }
                }
                launch(sgemm, dim3{(n + 63) / 64, (m + 63) / 64, 1}, dim3{16, 16, 1}, ta, tb, m, n, k, 0.7f,
                       (const float*) a.data(), ta ? m : k, (const float*) b.data(), tb ? k : n, beta, c.data(), n);
                close_all("sgemm", expected, c.data(), 1e-5);
            }
        }
    }
}

// im2col against the definition, and col2im as its adjoint: <im2col(x), c> = <x, col2im(c)>.
static void test_im2col() {
    Conv g{9, 11, 0, 0, 3, 2, 2, 1, 1, 2, 2, 1};  // h w p q r s sh sw ph pw dh dw
    g.p = (g.h + 2 * g.ph - g.dh * (g.r - 1) - 1) / g.sh + 1;
    g.q = (g.w + 2 * g.pw - g.dw * (g.s - 1) - 1) / g.sw + 1;
    const int channels = 3, pq = g.p * g.q, rows = channels * g.r * g.s;
    std::vector<float> x = uniform(4, channels * g.h * g.w), cols(rows * pq), c = uniform(5, rows * pq);
    std::vector<float> back(x.size());
    launch(im2col, grid1(rows * pq), BLOCK, g, channels, (const float*) x.data(), cols.data());
    std::vector<double> expected(rows * pq);
    for (int ch = 0; ch < channels; ch++)
        for (int r = 0; r < g.r; r++)
            for (int s = 0; s < g.s; s++)
                for (int p = 0; p < g.p; p++)
                    for (int q = 0; q < g.q; q++) {
                        int ih = p * g.sh - g.ph + r * g.dh, iw = q * g.sw - g.pw + s * g.dw;
                        expected[((ch * g.r + r) * g.s + s) * pq + p * g.q + q] =
                            ih >= 0 && ih < g.h && iw >= 0 && iw < g.w ? x[(ch * g.h + ih) * g.w + iw] : 0.0;
                    }
    close_all("im2col", expected, cols.data(), 0);
    launch(col2im, grid1(channels * g.h * g.w), BLOCK, g, channels, (const float*) c.data(), back.data());
    double left = 0, right = 0;
    for (size_t i = 0; i < cols.size(); i++) left += (double) cols[i] * c[i];
    for (size_t i = 0; i < x.size(); i++) right += (double) x[i] * back[i];
    check(std::fabs(left - right) <= 1e-4 * std::fabs(left), "col2im is im2col's adjoint", 0, left, right);
}

static void test_pooling() {
    const Pool shapes[] = {{8, 8, 4, 4, 2, 2, 2, 2, 0, 0}, {7, 9, 4, 5, 3, 3, 2, 2, 1, 1}, {6, 5, 6, 3, 3, 2, 1, 2, 1, 0}};
    for (Pool g : shapes) {
        const int planes = 3;
        std::vector<float> x = uniform(6, planes * g.h * g.w), dy = uniform(7, planes * g.p * g.q);
        x[3] = x[4];  // a tie: the first maximum wins
        for (int isMax = 0; isMax < 2; isMax++) {
            std::vector<float> y(planes * g.p * g.q), dx(x.size());
            std::vector<double> ey(y.size()), edx(x.size(), 0.0);
            for (int pl = 0; pl < planes; pl++)
                for (int op = 0; op < g.p; op++)
                    for (int oq = 0; oq < g.q; oq++) {
                        int h0 = std::max(0, op * g.sh - g.ph), h1 = std::min(g.h, op * g.sh - g.ph + g.kh);
                        int w0 = std::max(0, oq * g.sw - g.pw), w1 = std::min(g.w, oq * g.sw - g.pw + g.kw);
                        int best = h0 * g.w + w0;
                        double sum = 0;
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++) {
                                float v = x[pl * g.h * g.w + ih * g.w + iw];
                                if (v > x[pl * g.h * g.w + best]) best = ih * g.w + iw;
                                sum += v;
                            }
                        int o = (pl * g.p + op) * g.q + oq;
                        ey[o] = isMax ? x[pl * g.h * g.w + best] : sum / (g.kh * g.kw);
                        if (isMax) {
                            edx[pl * g.h * g.w + best] += dy[o];
                        } else {
                            for (int ih = h0; ih < h1; ih++)
                                for (int iw = w0; iw < w1; iw++) edx[pl * g.h * g.w + ih * g.w + iw] += dy[o] / (g.kh * g.kw);
                        }
                    }
            launch(pool_forward, grid1((int) y.size()), BLOCK, planes, g, isMax, (const float*) x.data(), y.data());
            launch(pool_backward, grid1((int) x.size()), BLOCK, planes, g, isMax, (const float*) x.data(),
                   (const float*) dy.data(), dx.data());
            close_all(isMax ? "max pool forward" : "average pool forward", ey, y.data(), 1e-6);
            close_all(isMax ? "max pool backward" : "average pool backward", edx, dx.data(), 1e-6);
        }
    }
}

static void test_softmax_and_losses() {
    const int rows = 5, cols = 300;
    std::vector<float> x = uniform(8, rows * cols), dy = uniform(9, rows * cols);
    x[7] = 80.0f;  // large logits must not overflow
    for (int log = 0; log < 2; log++) {
        std::vector<float> y(x.size()), dx(x.size());
        std::vector<double> ey(x.size()), edx(x.size());
        for (int r = 0; r < rows; r++) {
            double m = -INFINITY, s = 0, dot = 0;
            for (int j = 0; j < cols; j++) m = std::max(m, (double) x[r * cols + j]);
            for (int j = 0; j < cols; j++) s += std::exp(x[r * cols + j] - m);
            for (int j = 0; j < cols; j++) {
                double shifted = x[r * cols + j] - m;
                ey[r * cols + j] = log ? shifted - std::log(s) : std::exp(shifted) / s;
            }
            for (int j = 0; j < cols; j++) dot += log ? dy[r * cols + j] : dy[r * cols + j] * ey[r * cols + j];
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                edx[i] = log ? dy[i] - std::exp(ey[i]) * dot : ey[i] * (dy[i] - dot);
            }
        }
        launch(softmax_forward, dim3{rows, 1, 1}, BLOCK, rows, cols, (const float*) x.data(), y.data(), log);
        close_all(log ? "log-softmax forward" : "softmax forward", ey, y.data(), 1e-6);
        launch(softmax_backward, dim3{rows, 1, 1}, BLOCK, rows, cols, (const float*) y.data(),
               (const float*) dy.data(), dx.data(), log);
        close_all(log ? "log-softmax backward" : "softmax backward", edx, dx.data(), 1e-5);
    }
    // Fused softmax-cross-entropy, writing dLogits over the logits themselves.
    const int batch = 4, classes = 10;
    std::vector<float> logits = uniform(10, batch * classes), labels = {3, 0, 9, 3};
    std::vector<double> rowLoss(batch), expectedD(batch * classes), expectedLoss(batch);
    for (int n = 0; n < batch; n++) {
        double m = -INFINITY, s = 0;
        for (int j = 0; j < classes; j++) m = std::max(m, (double) logits[n * classes + j]);
        for (int j = 0; j < classes; j++) s += std::exp(logits[n * classes + j] - m);
        int label = (int) labels[n];
        expectedLoss[n] = std::log(s) - (logits[n * classes + label] - m);
        for (int j = 0; j < classes; j++) {
            double p = std::exp(logits[n * classes + j] - m) / s;
            expectedD[n * classes + j] = ((j == label) ? p - 1 : p) / batch;
        }
    }
    launch(softmax_cross_entropy, dim3{batch, 1, 1}, BLOCK, batch, classes, (const float*) logits.data(),
           (const float*) labels.data(), rowLoss.data(), logits.data());
    close_all("softmax cross-entropy gradient", expectedD, logits.data(), 1e-6);
    for (int n = 0; n < batch; n++) check(std::fabs(rowLoss[n] - expectedLoss[n]) < 1e-9, "row loss", n, expectedLoss[n], rowLoss[n]);
    std::vector<float> bad = {1, 2, 2.5f, 10, 0};
    int first = (int) bad.size();
    launch(check_labels, grid1(5), BLOCK, (int) bad.size(), classes, (const float*) bad.data(), &first);
    check(first == 2, "check_labels finds the first bad label", 0, 2, first);
    // Euclidean loss partial sums and gradient.
    std::vector<float> p = uniform(11, 1000), t = uniform(12, 1000), d(1000);
    std::vector<double> partials(4);
    launch(mse_loss, dim3{4, 1, 1}, BLOCK, 1000, 8, (const float*) p.data(), (const float*) t.data(), d.data(),
           partials.data());
    double sum = 0, expected = 0;
    for (double v : partials) sum += v;
    std::vector<double> ed(1000);
    for (int i = 0; i < 1000; i++) {
        expected += ((double) p[i] - t[i]) * ((double) p[i] - t[i]);
        ed[i] = ((double) p[i] - t[i]) / 8;
    }
    check(std::fabs(sum - expected) < 1e-9 * expected, "mse sum of squares", 0, expected, sum);
    close_all("mse gradient", ed, d.data(), 1e-6);
}

static void test_bias_and_reductions() {
    const int n = 3, c = 5, s = 49;
    std::vector<float> y = uniform(13, n * c * s), bias = uniform(14, c), dbias(c);
    std::vector<double> ey(y.size()), edb(c, 0.0);
    for (int i = 0; i < n * c * s; i++) ey[i] = (double) y[i] + bias[(i / s) % c];
    for (int i = 0; i < n * c * s; i++) edb[(i / s) % c] += y[i];
    launch(bias_gradient, dim3{c, 1, 1}, BLOCK, n, c, s, (const float*) y.data(), dbias.data());
    close_all("bias gradient", edb, dbias.data(), 1e-6);
    launch(bias_add, grid1(n * c * s), BLOCK, n, c, s, y.data(), (const float*) bias.data());
    close_all("bias add", ey, y.data(), 1e-7);
    for (int kind = 0; kind < 4; kind++) {
        std::vector<float> z = uniform(16 + kind, n * c * s), out(n * c * s);
        std::vector<double> ez(z.size()), eout(z.size());
        for (int i = 0; i < n * c * s; i++) {
            float v = z[i] + bias[(i / s) % c];
            ez[i] = v;
            eout[i] = kind == 0 ? (v > 0 ? v : 0) : kind == 1 ? (v > 0 ? v : 0.1 * v)
                    : kind == 2 ? 1.0 / (1.0 + std::exp(-(double) v)) : std::tanh((double) v);
        }
        launch(bias_activation_forward, grid1(n * c * s), BLOCK, n, c, s, z.data(), (const float*) bias.data(), kind,
               0.1f, out.data());
        close_all("bias activation: z", ez, z.data(), 0);
        close_all("bias activation: y", eout, out.data(), 1e-6);
    }
    std::vector<float> x = uniform(15, 5000);
    std::vector<double> partials(8);
    launch(sum_of_squares_partial, dim3{8, 1, 1}, BLOCK, 5000, (const float*) x.data(), partials.data());
    double sum = 0, expected = 0;
    for (double v : partials) sum += v;
    for (float v : x) expected += (double) v * v;
    check(std::fabs(sum - expected) < 1e-9 * expected, "sum of squares", 0, expected, sum);
}

static void test_elementwise_dropout_and_optimizers() {
    std::vector<float> x = uniform(16, 300), dy = uniform(17, 300);
    x[0] = 0.0f;  // ReLU's derivative at 0 is 0
    for (int kind = 0; kind < 4; kind++) {
        std::vector<float> y(300), dx(300);
        std::vector<double> ey(300), edx(300);
        for (int i = 0; i < 300; i++) {
            double v = x[i];
            ey[i] = kind == 0 ? std::max(v, 0.0) : kind == 1 ? (v > 0 ? v : 0.1 * v)
                  : kind == 2 ? 1 / (1 + std::exp(-v)) : std::tanh(v);
            edx[i] = kind == 0 ? (v > 0 ? dy[i] : 0) : kind == 1 ? (v > 0 ? dy[i] : 0.1 * dy[i])
                   : kind == 2 ? dy[i] * ey[i] * (1 - ey[i]) : dy[i] * (1 - ey[i] * ey[i]);
        }
        launch(activation_forward, grid1(300), BLOCK, kind, 0.1f, 300, (const float*) x.data(), y.data());
        launch(activation_backward, grid1(300), BLOCK, kind, 0.1f, 300, (const float*) x.data(),
               (const float*) y.data(), (const float*) dy.data(), dx.data());
        close_all("activation forward", ey, y.data(), 1e-6);
        close_all("activation backward", edx, dx.data(), 1e-6);
    }
    // CounterRandom.uniform(42, i) for i = 0..5, from the Java implementation: kept where ≥ rate 0.3.
    const float java[] = {0.74156487f, 0.15991038f, 0.2786011f, 0.34419066f, 0.038030148f, 0.868228f};
    std::vector<float> in = {1, 2, 3, 4, 5, 6}, out(6);
    launch(dropout, grid1(6), BLOCK, 6, (const float*) in.data(), out.data(), 0.3f, 1.0f / 0.7f,
           (unsigned long long) 42);
    for (int i = 0; i < 6; i++) {
        double expected = java[i] >= 0.3f ? in[i] * (1.0f / 0.7f) : 0.0;
        check(out[i] == (float) expected, "dropout mask matches CounterRandom", i, expected, out[i]);
    }
    std::vector<float> param = uniform(18, 100), grad = uniform(19, 100), velocity = uniform(20, 100);
    std::vector<double> ep(100), ev(100);
    for (int i = 0; i < 100; i++) {
        double g = grad[i] + 5e-4 * param[i];
        ev[i] = 0.9 * velocity[i] + g;
        ep[i] = param[i] - 0.1 * (g + 0.9 * ev[i]);
    }
    launch(sgd_step, grid1(100), BLOCK, 100, param.data(), (const float*) grad.data(), velocity.data(), 0.1f, 0.9f,
           5e-4f, 1);
    close_all("nesterov sgd parameter", ep, param.data(), 1e-6);
    close_all("nesterov sgd velocity", ev, velocity.data(), 1e-6);
    std::vector<float> m = uniform(21, 100), v(100);
    for (float& e : v) e = 0.01f;
    std::vector<double> em(100), eparam(100);
    double stepSize = 1e-3 / (1 - std::pow(0.9, 3)), inverse2 = 1 / (1 - std::pow(0.999, 3));
    for (int i = 0; i < 100; i++) {
        double g = grad[i] + 1e-4 * param[i];
        em[i] = 0.9 * m[i] + 0.1 * g;
        double vi = 0.999 * 0.01 + 0.001 * g * g;
        eparam[i] = param[i] - stepSize * em[i] / (std::sqrt(vi * inverse2) + 1e-8);
    }
    launch(adam_step, grid1(100), BLOCK, 100, param.data(), (const float*) grad.data(), m.data(), v.data(),
           stepSize, 0.9f, 0.999f, 1e-8f, 1e-4f, inverse2);
    close_all("adam first moment", em, m.data(), 1e-6);
    close_all("adam parameter", eparam, param.data(), 1e-5);
}

static void test_normalization() {
    const int n = 2, c = 7, s = 6, size = 5;
    const float alpha = 1e-2f, beta = 0.75f, k = 2.0f;
    std::vector<float> x = uniform(22, n * c * s), dy = uniform(23, n * c * s), y(x.size()), dx(x.size());
    auto scale = [&](int image, int j, int pos) {
        double sum = 0;
        for (int i = std::max(0, j - size / 2); i <= std::min(c - 1, j + size / 2); i++) {
            double v = x[(image * c + i) * s + pos];
            sum += v * v;
        }
        return k + (double) alpha / size * sum;
    };
    std::vector<double> ey(x.size()), edx(x.size());
    for (int image = 0; image < n; image++)
        for (int ch = 0; ch < c; ch++)
            for (int pos = 0; pos < s; pos++) ey[(image * c + ch) * s + pos] = x[(image * c + ch) * s + pos]
                                                                               * std::pow(scale(image, ch, pos), -beta);
    launch(lrn_forward, grid1(n * c * s), BLOCK, n, c, s, size, alpha, beta, k, (const float*) x.data(), y.data());
    close_all("lrn forward", ey, y.data(), 1e-6);
    // dx = dy·scale^−beta − (2·alpha·beta/size)·x·Σ over the window of dy_j·y_j/scale_j, in double.
    for (int image = 0; image < n; image++)
        for (int ch = 0; ch < c; ch++)
            for (int pos = 0; pos < s; pos++) {
                int i = (image * c + ch) * s + pos;
                double grad = dy[i] * std::pow(scale(image, ch, pos), -beta);
                for (int j = std::max(0, ch - size / 2); j <= std::min(c - 1, ch + size / 2); j++) {
                    int at = (image * c + j) * s + pos;
                    grad -= 2.0 * alpha * beta / size * x[i] * dy[at] * ey[at] / scale(image, j, pos);
                }
                edx[i] = grad;
            }
    launch(lrn_backward, grid1(n * c * s), BLOCK, n, c, s, size, alpha, beta, k, (const float*) x.data(),
           (const float*) y.data(), (const float*) dy.data(), dx.data());
    close_all("lrn backward", edx, dx.data(), 1e-5);

    // Batch normalisation, training then backward, against the formulas in double.
    const int bn = 3, bc = 4, bs = 300;
    std::vector<float> bx = uniform(24, bn * bc * bs), bdy = uniform(25, bx.size()), gamma = uniform(26, bc),
                       betas = uniform(27, bc), by(bx.size()), bdx(bx.size()), rm(bc, 0.5f), rv(bc, 2.0f),
                       sm(bc), si(bc), dg(bc), db(bc);
    for (float& v : bx) v = 3 + 2 * v;  // a mean far from 0
    launch(batchnorm_forward_training, dim3{bc, 1, 1}, BLOCK, bn, bc, bs, (const float*) bx.data(),
           (const float*) gamma.data(), (const float*) betas.data(), by.data(), rm.data(), rv.data(), sm.data(),
           si.data(), 0.1f, 1e-5f);
    launch(batchnorm_backward, dim3{bc, 1, 1}, BLOCK, bn, bc, bs, (const float*) bx.data(), (const float*) bdy.data(),
           (const float*) gamma.data(), (const float*) sm.data(), (const float*) si.data(), bdx.data(), dg.data(),
           db.data());
    std::vector<double> eby(bx.size()), ebdx(bx.size()), erm(bc), ev(bc), edg(bc), edb(bc);
    for (int ch = 0; ch < bc; ch++) {
        double mean = 0, var = 0, m = (double) bn * bs;
        for (int im = 0; im < bn; im++) for (int p = 0; p < bs; p++) mean += bx[(im * bc + ch) * bs + p];
        mean /= m;
        for (int im = 0; im < bn; im++) for (int p = 0; p < bs; p++) {
            double d = bx[(im * bc + ch) * bs + p] - mean;
            var += d * d;
        }
        double inv = 1 / std::sqrt(var / m + 1e-5), sdy = 0, sdyx = 0;
        erm[ch] = 0.9 * 0.5 + 0.1 * mean;
        ev[ch] = 0.9 * 2.0 + 0.1 * var / (m - 1);
        for (int im = 0; im < bn; im++) for (int p = 0; p < bs; p++) {
            int at = (im * bc + ch) * bs + p;
            eby[at] = gamma[ch] * (bx[at] - mean) * inv + betas[ch];
            sdy += bdy[at];
            sdyx += bdy[at] * (bx[at] - mean) * inv;
        }
        edg[ch] = sdyx;
        edb[ch] = sdy;
        for (int im = 0; im < bn; im++) for (int p = 0; p < bs; p++) {
            int at = (im * bc + ch) * bs + p;
            ebdx[at] = gamma[ch] * inv * (bdy[at] - sdy / m - (bx[at] - mean) * inv * sdyx / m);
        }
    }
    close_all("batch norm forward", eby, by.data(), 1e-5);
    close_all("batch norm running mean", erm, rm.data(), 1e-6);
    close_all("batch norm running variance", ev, rv.data(), 1e-6);
    close_all("batch norm backward dx", ebdx, bdx.data(), 1e-5);
    close_all("batch norm dGamma", edg, dg.data(), 1e-5);
    close_all("batch norm dBeta", edb, db.data(), 1e-5);
    std::vector<float> iy(bx.size());
    launch(batchnorm_forward_inference, grid1((int) bx.size()), BLOCK, bn, bc, bs, (const float*) bx.data(),
           (const float*) gamma.data(), (const float*) betas.data(), iy.data(), (const float*) rm.data(),
           (const float*) rv.data(), 1e-5f);
    std::vector<double> eiy(bx.size());
    for (size_t i = 0; i < bx.size(); i++) {
        int ch = (int) (i / bs) % bc;
        eiy[i] = gamma[ch] * (bx[i] - rm[ch]) / std::sqrt((double) rv[ch] + 1e-5) + betas[ch];
    }
    close_all("batch norm inference", eiy, iy.data(), 1e-5);
}

int main() {
    test_normalization();
    test_sgemm();
    test_im2col();
    test_pooling();
    test_softmax_and_losses();
    test_bias_and_reductions();
    test_elementwise_dropout_and_optimizers();
    if (failures > 0) {
        std::printf("%d checks failed\n", failures);
        return 1;
    }
    std::printf("all kernel checks passed\n");
    return 0;
}
