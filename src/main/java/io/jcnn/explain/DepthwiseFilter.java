package io.jcnn.explain;

import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * One (2r+1)×(2r+1) kernel applied to every channel of an N×C×H×W tensor on its own, zero-padded so the output keeps
 * the input's size: a convolution with C groups, planned once on the backend. With a one-hot kernel it shifts the
 * image (jitter); with a Gaussian it blurs. Convolution is cross-correlation:
 * y[i, j] = Σ k[a, b]·x[i + a − r, j + b − r].
 */
final class DepthwiseFilter implements AutoCloseable {
    private final Backend backend;
    private final int radius;
    private final int channels;
    private final ConvPlan plan;
    private final Tensor filter;

    DepthwiseFilter(Backend backend, Shape input, int radius) {
        if (radius < 0) {
            throw new IllegalArgumentException("filter radius must be at least 0, got " + radius);
        }
        int size = 2 * radius + 1;
        this.backend = backend;
        this.radius = radius;
        this.channels = input.channels();
        Shape filterShape = Shape.nchw(channels, 1, size, size);
        this.plan = backend.planConv2d(input, filterShape, ConvSpec.of(1, radius).withGroups(channels));
        this.filter = backend.allocate(filterShape);
    }

    /** Uses {@code kernel} ((2r+1)² values, row-major) for every channel. */
    void setKernel(float[] kernel) {
        int taps = (2 * radius + 1) * (2 * radius + 1);
        if (kernel.length != taps) {
            throw new IllegalArgumentException("a radius-" + radius + " kernel has " + taps + " values, got "
                    + kernel.length);
        }
        float[] all = new float[channels * taps];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(kernel, 0, all, c * taps, taps);
        }
        filter.copyFrom(all);
    }

    /** The kernel that moves the image down by {@code dy} and right by {@code dx} rows and columns, |d| ≤ r. */
    void setShift(int dy, int dx) {
        if (Math.abs(dy) > radius || Math.abs(dx) > radius) {
            throw new IllegalArgumentException("a shift of " + dy + ", " + dx + " exceeds the filter radius " + radius);
        }
        int size = 2 * radius + 1;
        float[] kernel = new float[size * size];
        kernel[(radius - dy) * size + (radius - dx)] = 1f;
        setKernel(kernel);
    }

    /** A normalised Gaussian of standard deviation {@code sigma} pixels, truncated to the filter. */
    void setGaussian(double sigma) {
        int size = 2 * radius + 1;
        double[] weights = new double[size * size];
        double sum = 0;
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                double d2 = (a - radius) * (a - radius) + (b - radius) * (b - radius);
                weights[a * size + b] = Math.exp(-d2 / (2 * sigma * sigma));
                sum += weights[a * size + b];
            }
        }
        float[] kernel = new float[weights.length];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (float) (weights[i] / sum);
        }
        setKernel(kernel);
    }

    /** y = the filtered x. */
    void apply(Tensor x, Tensor y) {
        backend.conv2dForward(plan, x, filter, y);
    }

    /** dx = the gradient through {@link #apply}: the transposed filter applied to dy. */
    void applyTransposed(Tensor dy, Tensor dx) {
        backend.conv2dBackwardData(plan, dy, filter, dx);
    }

    @Override
    public void close() {
        filter.close();
        plan.close();
    }
}
