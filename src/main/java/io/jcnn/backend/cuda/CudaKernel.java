package io.jcnn.backend.cuda;

/**
 * Every kernel of jcnn's own CUDA code that the Java side calls: the PTX module (one per {@code .cu} file under
 * native-kernels/, compiled into the resources by native-kernels/build.sh) and the entry's name. The backend
 * resolves all of them when it starts, so a missing kernel fails at once with its name; the tests check, without a
 * GPU, that each is an entry of its module's PTX and that no module has an entry missing here.
 */
public enum CudaKernel {
    /** Sets every element to one value. */
    FILL("elementwise", "fill"),
    /** y += alpha·x. */
    AXPY("elementwise", "axpy"),
    /** x *= alpha in place. */
    SCALE("elementwise", "scale"),
    /** y = f(x) for ReLU, leaky ReLU, sigmoid or tanh. */
    ACTIVATION_FORWARD("elementwise", "activation_forward"),
    /** dx = dy·f′ of the activation, from x or y. */
    ACTIVATION_BACKWARD("elementwise", "activation_backward"),
    /** One partial sum of x² per block, in double, which the host adds in block order. */
    SUM_OF_SQUARES_PARTIAL("elementwise", "sum_of_squares_partial"),
    /** Adds a per-channel bias to N×C×S data in place. */
    BIAS_ADD("bias", "bias_add"),
    /** Sums the output gradient over N and S per channel: the bias gradient. */
    BIAS_GRADIENT("bias", "bias_gradient"),
    /** A bias add and the activation after it in one pass, leaving the biased values in place for the backward. */
    BIAS_ACTIVATION_FORWARD("bias", "bias_activation_forward"),
    /** Softmax or log-softmax of each row, one block per row. */
    SOFTMAX_FORWARD("losses", "softmax_forward"),
    /** The input gradient of softmax or log-softmax from its output and output gradient. */
    SOFTMAX_BACKWARD("losses", "softmax_backward"),
    /** Finds the first label that is not a class index, before the loss kernel writes anything. */
    CHECK_LABELS("losses", "check_labels"),
    /** Fused softmax and cross-entropy: each row's loss and (softmax − one-hot)/N. */
    SOFTMAX_CROSS_ENTROPY("losses", "softmax_cross_entropy"),
    /** The Euclidean loss's per-block partial sums of squares and its gradient (p − t)/N. */
    MSE_LOSS("losses", "mse_loss"),
    /** One SGD step with momentum (optionally Nesterov) and weight decay, in place. */
    SGD_STEP("optimizers", "sgd_step"),
    /** One Adam step with L2 weight decay and bias correction, in place. */
    ADAM_STEP("optimizers", "adam_step"),
    /** Max or average pooling of N·C planes. */
    POOL_FORWARD("pooling", "pool_forward"),
    /** The input gradient of max or average pooling, gathered per input pixel (no atomics). */
    POOL_BACKWARD("pooling", "pool_backward"),
    /** Unfolds one image's channels into the column matrix a convolution multiplies. */
    IM2COL("im2col", "im2col"),
    /** Folds a column matrix back into an image, adding overlapping taps: the data gradient of a convolution. */
    COL2IM("im2col", "col2im"),
    /** Inverted dropout with the counter-based mask; forward and backward alike. */
    DROPOUT("dropout", "dropout"),
    /** Cross-channel local response normalisation. */
    LRN_FORWARD("normalization", "lrn_forward"),
    /** The input gradient of cross-channel local response normalisation. */
    LRN_BACKWARD("normalization", "lrn_backward"),
    /** Batch normalisation with batch statistics, saving them and updating the running ones; one block per channel. */
    BATCHNORM_FORWARD_TRAINING("normalization", "batchnorm_forward_training"),
    /** Batch normalisation with the running statistics. */
    BATCHNORM_FORWARD_INFERENCE("normalization", "batchnorm_forward_inference"),
    /** The input, scale and shift gradients of training-mode batch normalisation; one block per channel. */
    BATCHNORM_BACKWARD("normalization", "batchnorm_backward"),
    /** Single-precision matrix product for machines without cuBLAS, tiled in shared memory. */
    SGEMM("gemm", "sgemm");

    /** Where the modules' PTX lies on the class path. */
    public static final String RESOURCE_FOLDER = "/io/jcnn/backend/cuda/kernels/";

    private final String module;
    private final String entry;

    CudaKernel(String module, String entry) {
        this.module = module;
        this.entry = entry;
    }

    /** The PTX module, named after its source file without {@code .cu}. */
    public String module() {
        return module;
    }

    /** The kernel's entry name in the PTX (the sources declare every kernel {@code extern "C"}). */
    public String entry() {
        return entry;
    }

    /** The class-path resource holding the module's PTX. */
    public String resource() {
        return RESOURCE_FOLDER + module + ".ptx";
    }
}
