package io.jcnn.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Which libraries a CUDA backend asked for {@code tier} uses on a machine, and each fallback with its reason: the
 * one place that decides it, for the backend and for the tests that check the backend did what it says.
 *
 * @param tier      the best tier asked for
 * @param cublas    whether matrix products run on cuBLAS (else jcnn's SGEMM kernel)
 * @param cudnn     whether cuDNN runs the ops it has (else jcnn's kernels)
 * @param gemmTier  what runs matrix products, and why, in words
 * @param cudnnTier what runs convolution, pooling, activations, softmax, LRN and batch norm, and why
 * @param fallbacks one line per library the tier allows that is not used, saying why
 */
record TierChoice(CudaTier tier, boolean cublas, boolean cudnn, String gemmTier, String cudnnTier,
                  List<String> fallbacks) {
    static final String GEMM_FALLBACK = "matrix products on jcnn's SGEMM kernel: ";
    static final String CUDNN_FALLBACK = "convolution, pooling, activations, softmax, LRN and batch norm on jcnn's "
            + "kernels: ";

    /** The choice for {@code tier} from what {@code probe} found loadable. */
    static TierChoice of(CudaTier tier, CudaProbe probe) {
        TierChoice choice = new TierChoice(tier, true, true, probe.cublas().detail(),
                probe.cudnn().detail() + ", deterministic algorithms", List.of());
        if (!tier.allows(CudaTier.CUBLAS)) {
            choice = choice.with(false, choice.cudnn, "jcnn SGEMM kernel (tier " + tier.label() + ")",
                    choice.cudnnTier, null);
        } else if (!probe.cublas().loaded()) {
            choice = choice.withoutCublas(probe.cublas().detail());
        }
        if (!tier.allows(CudaTier.CUDNN)) {
            choice = choice.with(choice.cublas, false, choice.gemmTier, "jcnn kernels (tier " + tier.label() + ")",
                    null);
        } else if (!probe.cudnn().loaded()) {
            choice = choice.withoutCudnn(probe.cudnn().detail());
        }
        return choice;
    }

    /** This choice with matrix products on jcnn's kernel because cuBLAS cannot be used: {@code why}. */
    TierChoice withoutCublas(String why) {
        return with(false, cudnn, "jcnn SGEMM kernel (" + why + ")", cudnnTier, GEMM_FALLBACK + why);
    }

    /** This choice with jcnn's kernels in place of cuDNN, because {@code why}. */
    TierChoice withoutCudnn(String why) {
        return with(cublas, false, gemmTier, "jcnn kernels (" + why + ")", CUDNN_FALLBACK + why);
    }

    private TierChoice with(boolean useCublas, boolean useCudnn, String gemm, String dnn, String fallback) {
        List<String> all = new ArrayList<>(fallbacks);
        if (fallback != null) {
            all.add(fallback);
        }
        return new TierChoice(tier, useCublas, useCudnn, gemm, dnn, List.copyOf(all));
    }
}
