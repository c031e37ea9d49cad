package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.floats;
import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import jcuda.Pointer;

/**
 * Cross-channel LRN and batch normalisation: cuDNN where it runs and takes the settings (LRN windows up to 16
 * channels, epsilon at least cuDNN's minimum), else jcnn's kernels.
 */
final class CudaNormalization {
    private final CudaBackend backend;
    private final CudaContext context;
    /** Null: jcnn's kernels. */
    private final CudnnNormalization cudnn;

    CudaNormalization(CudaBackend backend, CudaContext context, CudnnNormalization cudnn) {
        this.backend = backend;
        this.context = context;
        this.cudnn = cudnn;
    }

    /** The kernels' LRN arguments n, c, s, size, alpha, beta, k, then the tensors'. */
    private Pointer[] lrnArgs(LrnSpec spec, Shape s, Tensor... tensors) {
        Pointer[] args = {ints(s.batch()), ints(s.channels()), ints(s.spatialSize()), ints(spec.size()),
            floats(spec.alpha()), floats(spec.beta()), floats(spec.k())};
        Pointer[] all = Arrays.copyOf(args, args.length + tensors.length);
        for (int i = 0; i < tensors.length; i++) {
            all[args.length + i] = Pointer.to(context.pointer(tensors[i]));
        }
        return all;
    }

    void lrnForward(LrnSpec spec, Tensor x, Tensor y) {
        OpChecks.lrn(backend, "lrnForward", x, y);
        context.makeCurrent();
        if (cudnn != null && CudnnNormalization.supports(spec)) {
            context.tally.add("lrnForward", CudaTier.CUDNN);
            cudnn.lrnForward(spec, x.shape(), context.pointer(x), context.pointer(y));
            return;
        }
        context.tally.add("lrnForward", CudaTier.KERNELS);
        context.launch1d(CudaKernel.LRN_FORWARD, x.size(), lrnArgs(spec, x.shape(), x, y));
    }

    void lrnBackward(LrnSpec spec, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.lrn(backend, "lrnBackward", x, y, dy, dx);
        context.makeCurrent();
        if (cudnn != null && CudnnNormalization.supports(spec)) {
            context.tally.add("lrnBackward", CudaTier.CUDNN);
            cudnn.lrnBackward(spec, x.shape(), context.pointer(x), context.pointer(y), context.pointer(dy),
                    context.pointer(dx));
            return;
        }
        context.tally.add("lrnBackward", CudaTier.KERNELS);
        context.launch1d(CudaKernel.LRN_BACKWARD, x.size(), lrnArgs(spec, x.shape(), x, y, dy, dx));
    }

    void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor runningMean,
                                  Tensor runningVariance, Tensor savedMean, Tensor savedInvStd, float momentum,
                                  float epsilon) {
        OpChecks.batchNormForwardTraining(backend, x, gamma, beta, y, runningMean, runningVariance, savedMean,
                savedInvStd, momentum, epsilon);
        context.makeCurrent();
        if (cudnn != null && CudnnNormalization.supportsEpsilon(epsilon)) {
            context.tally.add("batchNormForwardTraining", CudaTier.CUDNN);
            cudnn.batchNormForwardTraining(x.shape(), context.pointer(x), context.pointer(gamma),
                    context.pointer(beta), context.pointer(y), context.pointer(runningMean),
                    context.pointer(runningVariance), context.pointer(savedMean), context.pointer(savedInvStd),
                    momentum, epsilon);
            return;
        }
        context.tally.add("batchNormForwardTraining", CudaTier.KERNELS);
        Shape s = x.shape();
        context.launch(CudaKernel.BATCHNORM_FORWARD_TRAINING, s.channels(), 1, CudaContext.THREADS, 1,
                ints(s.batch()), ints(s.channels()), ints(s.spatialSize()), Pointer.to(context.pointer(x)),
                Pointer.to(context.pointer(gamma)), Pointer.to(context.pointer(beta)), Pointer.to(context.pointer(y)),
                Pointer.to(context.pointer(runningMean)), Pointer.to(context.pointer(runningVariance)),
                Pointer.to(context.pointer(savedMean)), Pointer.to(context.pointer(savedInvStd)), floats(momentum),
                floats(epsilon));
    }

    void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor runningMean,
                                   Tensor runningVariance, float epsilon) {
        OpChecks.batchNormForwardInference(backend, x, gamma, beta, y, runningMean, runningVariance, epsilon);
        context.makeCurrent();
        if (cudnn != null && CudnnNormalization.supportsEpsilon(epsilon)) {
            context.tally.add("batchNormForwardInference", CudaTier.CUDNN);
            cudnn.batchNormForwardInference(x.shape(), context.pointer(x), context.pointer(gamma),
                    context.pointer(beta), context.pointer(y), context.pointer(runningMean),
                    context.pointer(runningVariance), epsilon);
            return;
        }
        context.tally.add("batchNormForwardInference", CudaTier.KERNELS);
        Shape s = x.shape();
        context.launch1d(CudaKernel.BATCHNORM_FORWARD_INFERENCE, x.size(), ints(s.batch()), ints(s.channels()),
                ints(s.spatialSize()), Pointer.to(context.pointer(x)), Pointer.to(context.pointer(gamma)),
                Pointer.to(context.pointer(beta)), Pointer.to(context.pointer(y)),
                Pointer.to(context.pointer(runningMean)), Pointer.to(context.pointer(runningVariance)),
                floats(epsilon));
    }

    void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInvStd, Tensor dx,
                           Tensor dGamma, Tensor dBeta) {
        OpChecks.batchNormBackward(backend, x, dy, gamma, savedMean, savedInvStd, dx, dGamma, dBeta);
        context.makeCurrent();
        if (cudnn != null) {
            context.tally.add("batchNormBackward", CudaTier.CUDNN);
            cudnn.batchNormBackward(x.shape(), context.pointer(x), context.pointer(dy), context.pointer(gamma),
                    context.pointer(savedMean), context.pointer(savedInvStd), context.pointer(dx),
                    context.pointer(dGamma), context.pointer(dBeta));
            return;
        }
        context.tally.add("batchNormBackward", CudaTier.KERNELS);
        Shape s = x.shape();
        context.launch(CudaKernel.BATCHNORM_BACKWARD, s.channels(), 1, CudaContext.THREADS, 1, ints(s.batch()),
                ints(s.channels()), ints(s.spatialSize()), Pointer.to(context.pointer(x)),
                Pointer.to(context.pointer(dy)), Pointer.to(context.pointer(gamma)),
                Pointer.to(context.pointer(savedMean)), Pointer.to(context.pointer(savedInvStd)),
                Pointer.to(context.pointer(dx)), Pointer.to(context.pointer(dGamma)),
                Pointer.to(context.pointer(dBeta)));
    }
}
