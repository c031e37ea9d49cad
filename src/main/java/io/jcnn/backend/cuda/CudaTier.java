package io.jcnn.backend.cuda;

/**
 * The libraries a {@link CudaBackend} may use, from the most to the least capable. Each tier includes the ones below
 * it, and each op runs on the best tier that has it and loaded here: asking for {@code CUDNN} on a machine without
 * cuDNN runs convolutions on cuBLAS or jcnn's kernels and says so in {@link CudaBackend#fallbacks()}.
 */
public enum CudaTier {
    /** cuDNN 9 for convolution, pooling, activations, softmax, LRN and batch norm; cuBLAS for matrix products. */
    CUDNN("cudnn"),
    /** cuBLAS 12 for matrix products, and so for im2col convolutions; jcnn's kernels for the rest. */
    CUBLAS("cublas"),
    /** jcnn's own PTX kernels for everything: needs only the NVIDIA driver. */
    KERNELS("kernels");

    private final String label;

    CudaTier(String label) {
        this.label = label;
    }

    /** Short lower-case name, as in {@code cuda-cudnn}. */
    public String label() {
        return label;
    }

    /** Whether this tier allows {@code library} (a tier allows itself and those below it). */
    boolean allows(CudaTier library) {
        return ordinal() <= library.ordinal();
    }

    /** The tier named by {@code label}; fails naming the accepted names. */
    public static CudaTier of(String label) {
        for (CudaTier tier : values()) {
            if (tier.label.equals(label)) {
                return tier;
            }
        }
        throw new IllegalArgumentException("unknown CUDA tier '" + label + "': expected cudnn, cublas or kernels");
    }
}
