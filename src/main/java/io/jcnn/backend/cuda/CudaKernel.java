package io.jcnn.backend.cuda;

/**
 * Every kernel of jcnn's own CUDA code that the Java side calls: the PTX module (one per {@code .cu} file under
 * native-kernels/, compiled into the resources by native-kernels/build.sh) and the entry's name. The backend
 * resolves all of them when it starts, so a missing kernel fails at once with its name; the tests check, without a
 * GPU, that each is an entry of its module's PTX and that no module has an entry missing here.
 */
public enum CudaKernel {
    FILL("elementwise", "fill"),
    AXPY("elementwise", "axpy"),
    SCALE("elementwise", "scale"),
    ACTIVATION_FORWARD("elementwise", "activation_forward"),
    ACTIVATION_BACKWARD("elementwise", "activation_backward"),
    SUM_OF_SQUARES_PARTIAL("elementwise", "sum_of_squares_partial"),
    BIAS_ADD("bias", "bias_add"),
    BIAS_GRADIENT("bias", "bias_gradient"),
    BIAS_ACTIVATION_FORWARD("bias", "bias_activation_forward"),
    SOFTMAX_FORWARD("losses", "softmax_forward"),
    SOFTMAX_BACKWARD("losses", "softmax_backward"),
    CHECK_LABELS("losses", "check_labels"),
    SOFTMAX_CROSS_ENTROPY("losses", "softmax_cross_entropy"),
    MSE_LOSS("losses", "mse_loss"),
    SGD_STEP("optimizers", "sgd_step"),
    ADAM_STEP("optimizers", "adam_step"),
    POOL_FORWARD("pooling", "pool_forward"),
    POOL_BACKWARD("pooling", "pool_backward"),
    IM2COL("im2col", "im2col"),
    COL2IM("im2col", "col2im"),
    DROPOUT("dropout", "dropout"),
    LRN_FORWARD("normalization", "lrn_forward"),
    LRN_BACKWARD("normalization", "lrn_backward"),
    BATCHNORM_FORWARD_TRAINING("normalization", "batchnorm_forward_training"),
    BATCHNORM_FORWARD_INFERENCE("normalization", "batchnorm_forward_inference"),
    BATCHNORM_BACKWARD("normalization", "batchnorm_backward"),
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
