package io.jcnn.explain;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * The style loss of one layer (Gatys, Ecker and Bethge, 2015): the squared distance between the Gram matrix of the
 * layer's feature maps and a target's. With F the N×M matrix of the maps (N channels, M = H·W positions),
 * G = F·Fᵀ / (N·M) and L = Σ (G − A)²; then ∂L/∂F = 4·(G − A)·F / (N·M), since G − A is symmetric. Everything runs
 * through the backend's gemm, axpy and scale, so on the GPU as well as the CPU. Owns its N×N scratch.
 */
final class GramLoss implements AutoCloseable {
    private final Backend backend;
    private final int channels;
    private final int positions;
    private final Tensor gram;

    /** For feature maps of {@code maps}: 1×N×H×W. */
    GramLoss(Backend backend, Shape maps) {
        if (maps.rank() != 4 || maps.batch() != 1) {
            throw new IllegalArgumentException("a Gram matrix is taken of one image's feature maps, 1×C×H×W; got "
                    + maps);
        }
        this.backend = backend;
        this.channels = maps.channels();
        this.positions = maps.height() * maps.width();
        this.gram = backend.allocate(Shape.of(channels, channels));
    }

    /** The N×N shape of the Gram matrix. */
    Shape gramShape() {
        return gram.shape();
    }

    /** {@code out} = G of {@code features}. */
    void gram(Tensor features, Tensor out) {
        backend.gemm(false, true, channels, channels, positions, 1f / scale(), features, features, 0f, out);
    }

    /**
     * Returns L for {@code features} against {@code target} (an N×N Gram matrix, symmetric as every Gram matrix is:
     * the gradient relies on it), and writes weight·∂L/∂features into
     * {@code gradient} (the features' shape), or adds it to what is there when {@code accumulate}.
     */
    double lossAndGradient(Tensor features, Tensor target, float weight, Tensor gradient, boolean accumulate) {
        gram(features, gram);
        backend.axpy(-1f, target, gram);                          // G − A
        double loss = backend.sumOfSquares(gram);
        backend.gemm(false, false, channels, positions, channels, 4f * weight / scale(), gram, features,
                accumulate ? 1f : 0f, gradient);
        return loss;
    }

    private float scale() {
        return (float) channels * positions;
    }

    @Override
    public void close() {
        gram.close();
    }
}
