package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.init.Initializer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * 2-D convolution with an optional per-channel bias: x N×C×H×W → y N×K×P×Q, weight K×(C/groups)×R×S.
 * The input channel count is taken from the first compile.
 */
public final class Conv2d extends AbstractLayer {
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final ConvSpec spec;
    private final boolean bias;
    private final Initializer weightInit;
    private Param weight;
    private Param biasParam;
    private ConvPlan plan;

    /** K output channels, a square kernel, He-normal weights and zero bias. */
    public Conv2d(String name, int outChannels, int kernel, ConvSpec spec) {
        this(name, outChannels, kernel, kernel, spec, true, Initializer.heNormal());
    }

    /**
     * A convolution called {@code name} with {@code outChannels} filters of kernelH×kernelW, the stride, padding,
     * dilation and groups of {@code spec}, a bias when {@code bias} is true, and weights drawn by {@code weightInit} at
     * the first compile.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, {@code spec} or {@code weightInit} is null,
     *     a size is below 1, or the groups do not divide
     *     {@code outChannels}
     */
    public Conv2d(String name, int outChannels, int kernelH, int kernelW, ConvSpec spec, boolean bias,
                  Initializer weightInit) {
        super(name);
        if (spec == null || weightInit == null) {
            throw new IllegalArgumentException("Conv2d '" + name + "': " + (spec == null ? "spec" : "weightInit")
                    + " must not be null");
        }
        if (outChannels < 1 || kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("Conv2d '" + name + "': output channels and kernel size must be positive, got "
                    + outChannels + " channels, kernel " + kernelH + "×" + kernelW);
        }
        if (outChannels % spec.groups() != 0) {
            throw new IllegalArgumentException("Conv2d '" + name + "': groups=" + spec.groups()
                    + " must divide the output channels " + outChannels);
        }
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.spec = spec;
        this.bias = bias;
        this.weightInit = weightInit;
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        if (input.rank() != 4) {
            throw reject(input, "N×C×H×W");
        }
        if (input.channels() % spec.groups() != 0) {
            throw reject(input, "a channel count divisible by groups=" + spec.groups());
        }
        Shape filter = Shape.nchw(outChannels, input.channels() / spec.groups(), kernelH, kernelW);
        if (weight != null && !weight.value().shape().equals(filter)) {
            throw reject(input, weight.value().shape().dim(1) * spec.groups() + " channels, as when first compiled");
        }
        try {
            plan = backend.planConv2d(input, filter, spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
        return plan.geometry().output();
    }

    /** Stride, padding, dilation and groups. */
    public ConvSpec spec() {
        return spec;
    }

    /** The number of filters, K. */
    public int outChannels() {
        return outChannels;
    }

    /** The kernel's height, R. */
    public int kernelHeight() {
        return kernelH;
    }

    /** The kernel's width, S. */
    public int kernelWidth() {
        return kernelW;
    }

    /** Whether the layer adds a per-channel bias. */
    public boolean hasBias() {
        return bias;
    }

    /**
     * How the backend computes this layer at the shape it was compiled for, in words (on the CPU: "forward by winograd,
     * backward-data by fused gemm, backward-filter by im2row gemm"); empty before compiling or where the backend does
     * not say.
     */
    public String algorithms() {
        return plan == null ? "" : plan.algorithms();
    }

    @Override
    public long forwardFlops() {
        if (plan == null) {
            return 0;
        }
        Shape out = plan.geometry().output();
        Shape filter = plan.geometry().filter();
        return 2L * out.size() * filter.dim(1) * kernelH * kernelW;
    }

    @Override
    protected void createParams(Backend backend, long seed) {
        Shape filter = plan.geometry().filter();
        int fanIn = filter.dim(1) * kernelH * kernelW;
        int fanOut = outChannels / spec.groups() * kernelH * kernelW;
        weight = addParam("weight", Parameters.initialised(backend, filter, weightInit, fanIn, fanOut, seed), true);
        if (bias) {
            biasParam = addParam("bias", backend.allocate(Shape.of(outChannels)), false);
        }
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        Backend b = backend();
        if (biasParam != null) {
            b.conv2dForwardBias(plan, x, weight.value(), biasParam.value(), y);
        } else {
            b.conv2dForward(plan, x, weight.value(), y);
        }
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        Backend b = backend();
        b.conv2dBackwardFilter(plan, x, dy, weight.gradient());
        if (biasParam != null) {
            b.biasGradient(dy, biasParam.gradient());
        }
        if (inputGradientNeeded()) {
            b.conv2dBackwardData(plan, dy, weight.value(), dx);
        }
    }

    @Override
    protected void releasePlan() {
        if (plan != null) {
            plan.close();
            plan = null;
        }
    }

    /** The K×(C/groups)×R×S weight, or null before the first compile. */
    public Param weight() {
        return weight;
    }

    /** The bias parameter, or null when the layer has none. */
    public Param bias() {
        return biasParam;
    }
}
