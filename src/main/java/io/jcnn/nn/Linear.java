package io.jcnn.nn;

import io.jcnn.backend.Backend;
import io.jcnn.init.Initializer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * Fully connected (dense) layer: y = x·Wᵀ + b with W out×in. Any input rank is read as N×in, in = C·H·W, as
 * Caffe's InnerProduct does; the input gradient keeps the input's shape.
 */
public final class Linear extends AbstractLayer {
    private final int outFeatures;
    private final boolean bias;
    private final Initializer weightInit;
    private Param weight;
    private Param biasParam;
    private int batch;
    private int inFeatures;

    /** Xavier-uniform weights and zero bias. */
    public Linear(String name, int outFeatures) {
        this(name, outFeatures, true, Initializer.xavierUniform());
    }

    /**
     * A dense layer called {@code name} with {@code outFeatures} outputs, a bias when {@code bias} is true, and weights
     * drawn by {@code weightInit} at the first compile.
     *
     * @throws IllegalArgumentException if {@code name} is null or blank, {@code weightInit} is null, or
     *     {@code outFeatures} is below 1
     */
    public Linear(String name, int outFeatures, boolean bias, Initializer weightInit) {
        super(name);
        if (weightInit == null) {
            throw new IllegalArgumentException("Linear '" + name + "': weightInit must not be null");
        }
        if (outFeatures < 1) {
            throw new IllegalArgumentException("Linear '" + name + "': output features must be positive, got " + outFeatures);
        }
        this.outFeatures = outFeatures;
        this.bias = bias;
        this.weightInit = weightInit;
    }

    @Override
    protected Shape plan(Backend backend, Shape input) {
        if (weight != null && weight.value().shape().dim(1) != input.sampleSize()) {
            throw reject(input, weight.value().shape().dim(1) + " features per item, as when first compiled");
        }
        batch = input.batch();
        inFeatures = input.sampleSize();
        return Shape.of(batch, outFeatures);
    }

    @Override
    public long forwardFlops() {
        return 2L * batch * inFeatures * outFeatures;
    }

    @Override
    protected void createParams(Backend backend, long seed) {
        Shape w = Shape.of(outFeatures, inFeatures);
        weight = addParam("weight", Parameters.initialised(backend, w, weightInit, inFeatures, outFeatures, seed), true);
        if (bias) {
            biasParam = addParam("bias", backend.allocate(Shape.of(outFeatures)), false);
        }
    }

    @Override
    protected void forward(Tensor x, Tensor y, boolean training) {
        Backend b = backend();
        b.gemm(false, true, batch, outFeatures, inFeatures, 1f, x, weight.value(), 0f, y);
        if (biasParam != null) {
            b.biasAdd(y, biasParam.value());
        }
    }

    @Override
    protected void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        Backend b = backend();
        b.gemm(true, false, outFeatures, inFeatures, batch, 1f, dy, x, 0f, weight.gradient());
        if (biasParam != null) {
            b.biasGradient(dy, biasParam.gradient());
        }
        if (inputGradientNeeded()) {
            b.gemm(false, false, batch, inFeatures, outFeatures, 1f, dy, weight.value(), 0f, dx);
        }
    }

    /** The number of outputs per item. */
    public int outFeatures() {
        return outFeatures;
    }

    /** Whether the layer adds a bias. */
    public boolean hasBias() {
        return bias;
    }

    /** The out×in weight, or null before the first compile. */
    public Param weight() {
        return weight;
    }

    /** The bias parameter, or null when the layer has none. */
    public Param bias() {
        return biasParam;
    }
}
