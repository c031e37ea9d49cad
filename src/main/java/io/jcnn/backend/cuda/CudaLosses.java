package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * The fused softmax-cross-entropy and the Euclidean loss on jcnn's kernels. Labels are checked on the device before
 * anything is written; per-row or per-block partial sums are added on the host in double, in order, so a run
 * reproduces.
 */
final class CudaLosses {
    private final CudaBackend backend;
    private final CudaContext context;

    CudaLosses(CudaBackend backend, CudaContext context) {
        this.backend = backend;
        this.context = context;
    }

    void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor loss, Tensor dLogits) {
        OpChecks.softmaxCrossEntropy(backend, logits, labels, loss, dLogits);
        context.makeCurrent();
        int batch = logits.shape().batch();
        int classes = logits.shape().sampleSize();
        checkLabels(labels, batch, classes);
        CUdeviceptr rowLoss = context.memory.allocate(8L * batch);
        try {
            context.launch(CudaKernel.SOFTMAX_CROSS_ENTROPY, batch, 1, CudaContext.THREADS, 1, ints(batch),
                    ints(classes), Pointer.to(context.pointer(logits)), Pointer.to(context.pointer(labels)),
                    Pointer.to(rowLoss), Pointer.to(context.pointer(dLogits)));
            context.upload(new float[] {(float) (context.sumOnHost(rowLoss, batch) / batch)},
                    (CudaStorage) loss.storage(), "the loss");
        } finally {
            context.memory.release(rowLoss);
        }
    }

    /** The CPU backend's check, on the device: the first label that is not a class index fails, before any write. */
    private void checkLabels(Tensor labels, int batch, int classes) {
        CUdeviceptr bad = context.memory.allocate(4);
        try {
            CudaException.check(JCudaDriver.cuMemcpyHtoD(bad, Pointer.to(new int[] {batch}), 4), "cuMemcpyHtoD",
                    "label check");
            context.launch1d(CudaKernel.CHECK_LABELS, batch, ints(batch), ints(classes),
                    Pointer.to(context.pointer(labels)), Pointer.to(bad));
            int[] first = new int[1];
            CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(first), bad, 4), "cuMemcpyDtoH", "label check");
            if (first[0] < batch) {
                float[] label = new float[1];
                CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(label),
                        context.at(labels, first[0]), 4), "cuMemcpyDtoH", "label check");
                throw new IllegalArgumentException("softmaxCrossEntropy: label at batch index " + first[0] + " is "
                        + label[0] + ", expected an integer class index in [0, " + classes + ")");
            }
        } finally {
            context.memory.release(bad);
        }
    }

    void mseLoss(Tensor prediction, Tensor target, Tensor loss, Tensor dPrediction) {
        OpChecks.mseLoss(backend, prediction, target, loss, dPrediction);
        context.makeCurrent();
        int batch = prediction.shape().batch();
        CUdeviceptr partials = context.memory.allocate(8L * CudaContext.REDUCTION_BLOCKS);
        try {
            context.launch(CudaKernel.MSE_LOSS, CudaContext.REDUCTION_BLOCKS, 1, CudaContext.THREADS, 1,
                    ints(prediction.size()), ints(batch), Pointer.to(context.pointer(prediction)),
                    Pointer.to(context.pointer(target)), Pointer.to(context.pointer(dPrediction)),
                    Pointer.to(partials));
            context.upload(new float[] {(float) (context.sumOnHost(partials, CudaContext.REDUCTION_BLOCKS)
                    / (2.0 * batch))}, (CudaStorage) loss.storage(), "the loss");
        } finally {
            context.memory.release(partials);
        }
    }
}
