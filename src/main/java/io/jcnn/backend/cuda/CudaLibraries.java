package io.jcnn.backend.cuda;

/**
 * The vendor libraries a CUDA backend runs on: cuBLAS for matrix products and cuDNN for the ops it has, each only
 * where its tier allows it and it loads, and each started here, so that one that loads but cannot start (a handle
 * that cannot be created, a missing cuDNN sub-library) costs only its tier: the backend falls back to jcnn's
 * kernels and says why in {@link #choice()}'s fallbacks.
 */
final class CudaLibraries implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CudaLibraries.class.getName());

    /** cuBLAS, or null: jcnn's SGEMM kernel then. */
    final CublasGemm cublas;
    /** cuDNN and its ops, or all null: jcnn's kernels then. */
    final Cudnn cudnn;
    final CudnnActivations cudnnActivations;
    final CudnnNormalization cudnnNormalization;
    private final TierChoice choice;

    CudaLibraries(CudaTier tier, boolean tf32, CudaContext context) {
        TierChoice chosen = TierChoice.of(tier, CudaProbe.get());
        CublasGemm blas = null;
        if (chosen.cublas()) {
            try {
                blas = new CublasGemm(tf32);
                chosen = new TierChoice(chosen.tier(), true, chosen.cudnn(), chosen.gemmTier()
                        + (blas.tf32() ? " with TF32 tensor cores" : ""), chosen.cudnnTier(), chosen.fallbacks());
            } catch (CudaException e) {
                chosen = chosen.withoutCublas(e.getMessage());
            }
        }
        Cudnn dnn = null;
        CudnnActivations activations = null;
        CudnnNormalization normalization = null;
        if (chosen.cudnn()) {
            try {
                dnn = new Cudnn(context.memory);
                activations = new CudnnActivations(dnn);
                normalization = new CudnnNormalization(dnn);
            } catch (CudaException | LinkageError e) {
                if (activations != null) {
                    activations.close();
                }
                if (dnn != null) {
                    dnn.close();
                }
                dnn = null;
                activations = null;
                chosen = chosen.withoutCudnn(String.valueOf(e.getMessage()));
            }
        }
        cublas = blas;
        cudnn = dnn;
        cudnnActivations = activations;
        cudnnNormalization = normalization;
        choice = chosen;
        LOG.log(System.Logger.Level.DEBUG, () -> "CUDA libraries: gemm " + choice.gemmTier() + "; cuDNN ops "
                + choice.cudnnTier());
    }

    TierChoice choice() {
        return choice;
    }

    @Override
    public void close() {
        if (cudnn != null) {
            cudnnNormalization.close();
            cudnnActivations.close();
            cudnn.close();
        }
        if (cublas != null) {
            cublas.close();
        }
    }
}
