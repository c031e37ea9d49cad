package io.jcnn.backend.cuda;

import io.jcnn.backend.LrnSpec;
import io.jcnn.tensor.Shape;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnBatchNormMode;
import jcuda.jcudnn.cudnnLRNDescriptor;
import jcuda.jcudnn.cudnnLRNMode;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * Local response normalisation and batch normalisation on the cuDNN tier. cuDNN's LRN is jcnn's formula; it takes
 * windows of at most 16 channels, k ≥ 1e-5 and beta ≥ 0.01, and other settings stay on jcnn's kernels. Batch norm is
 * cuDNN's spatial mode (statistics per channel over N, H and W; per feature for N×F), whose running variance is the
 * unbiased one and whose saved statistics are the mean and 1/√(var + eps), as the backend contract says; epsilon must
 * be at least cuDNN's minimum, 1e-5.
 */
final class CudnnNormalization implements AutoCloseable {
    private static final int MAX_LRN_SIZE = 16;
    private static final double MIN_LRN_K = 1e-5;
    private static final double MIN_LRN_BETA = 0.01;
    /** cuDNN's CUDNN_BN_MIN_EPSILON; also what backward passes, where saved statistics make epsilon unused. */
    private static final double MIN_EPSILON = 1e-5;

    private final Cudnn cudnn;
    private final Map<LrnSpec, cudnnLRNDescriptor> lrns = new HashMap<>();

    CudnnNormalization(Cudnn cudnn) {
        this.cudnn = cudnn;
    }

    /** Whether cuDNN's LRN takes these settings. */
    static boolean supports(LrnSpec spec) {
        return spec.size() <= MAX_LRN_SIZE && spec.k() >= MIN_LRN_K && spec.beta() >= MIN_LRN_BETA;
    }

    /** Whether cuDNN's batch norm takes this epsilon (1e-5f, the usual setting, is a hair below 1e-5 as a double). */
    static boolean supportsEpsilon(float epsilon) {
        return epsilon >= (float) MIN_EPSILON;
    }

    /** The epsilon handed to cuDNN: the float's value, raised by at most a rounding error to cuDNN's minimum. */
    private static double cudnnEpsilon(float epsilon) {
        return Math.max(epsilon, MIN_EPSILON);
    }

    private cudnnLRNDescriptor lrn(LrnSpec spec) {
        cudnnLRNDescriptor d = lrns.get(spec);
        if (d == null) {
            d = new cudnnLRNDescriptor();
            Cudnn.check(JCudnn.cudnnCreateLRNDescriptor(d), "cudnnCreateLRNDescriptor", spec.toString());
            lrns.put(spec, d);
            Cudnn.check(JCudnn.cudnnSetLRNDescriptor(d, spec.size(), spec.alpha(), spec.beta(), spec.k()),
                    "cudnnSetLRNDescriptor", spec.toString());
        }
        return d;
    }

    void lrnForward(LrnSpec spec, Shape shape, CUdeviceptr x, CUdeviceptr y) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnLRNCrossChannelForward(cudnn.handle, lrn(spec),
                cudnnLRNMode.CUDNN_LRN_CROSS_CHANNEL_DIM1, Cudnn.ONE, d, x, Cudnn.ZERO, d, y),
                "cudnnLRNCrossChannelForward", spec + " of " + shape);
    }

    void lrnBackward(LrnSpec spec, Shape shape, CUdeviceptr x, CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnLRNCrossChannelBackward(cudnn.handle, lrn(spec),
                cudnnLRNMode.CUDNN_LRN_CROSS_CHANNEL_DIM1, Cudnn.ONE, d, y, d, dy, d, x, Cudnn.ZERO, d, dx),
                "cudnnLRNCrossChannelBackward", spec + " of " + shape);
    }

    /** The descriptor of the per-channel parameters and statistics of x: 1×C×1×1. */
    private cudnnTensorDescriptor parameters(Shape x) {
        return cudnn.describe(Shape.nchw(1, x.channels(), 1, 1));
    }

    void batchNormForwardTraining(Shape shape, CUdeviceptr x, CUdeviceptr gamma, CUdeviceptr beta, CUdeviceptr y,
                                  CUdeviceptr runningMean, CUdeviceptr runningVariance, CUdeviceptr savedMean,
                                  CUdeviceptr savedInvStd, float momentum, float epsilon) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnBatchNormalizationForwardTraining(cudnn.handle,
                cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL, Cudnn.ONE, Cudnn.ZERO, d, x, d, y, parameters(shape),
                gamma, beta, momentum, runningMean, runningVariance, cudnnEpsilon(epsilon), savedMean, savedInvStd),
                "cudnnBatchNormalizationForwardTraining", shape.toString());
    }

    void batchNormForwardInference(Shape shape, CUdeviceptr x, CUdeviceptr gamma, CUdeviceptr beta, CUdeviceptr y,
                                   CUdeviceptr runningMean, CUdeviceptr runningVariance, float epsilon) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnBatchNormalizationForwardInference(cudnn.handle,
                cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL, Cudnn.ONE, Cudnn.ZERO, d, x, d, y, parameters(shape),
                gamma, beta, runningMean, runningVariance, cudnnEpsilon(epsilon)),
                "cudnnBatchNormalizationForwardInference", shape.toString());
    }

    void batchNormBackward(Shape shape, CUdeviceptr x, CUdeviceptr dy, CUdeviceptr gamma, CUdeviceptr savedMean,
                           CUdeviceptr savedInvStd, CUdeviceptr dx, CUdeviceptr dGamma, CUdeviceptr dBeta) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnBatchNormalizationBackward(cudnn.handle, cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL,
                Cudnn.ONE, Cudnn.ZERO, Cudnn.ONE, Cudnn.ZERO, d, x, d, dy, d, dx, parameters(shape), gamma, dGamma,
                dBeta, MIN_EPSILON, savedMean, savedInvStd), "cudnnBatchNormalizationBackward", shape.toString());
    }

    @Override
    public void close() {
        lrns.values().forEach(JCudnn::cudnnDestroyLRNDescriptor);
        lrns.clear();
    }
}
