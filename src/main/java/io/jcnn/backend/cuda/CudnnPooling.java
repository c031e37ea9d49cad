package io.jcnn.backend.cuda;

import io.jcnn.backend.PoolGeometry;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolSpec;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnNanPropagation;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnPoolingMode;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * One pooling shape on the cuDNN tier. jcnn's output size rule (rounding down) and average (padding counted in the
 * divisor, never in the sum) are cuDNN's {@code COUNT_INCLUDE_PADDING} ones, so forward of both modes and average
 * backward run here. Max-pooling backward stays on jcnn's kernel: the backend contract routes a tied gradient to the
 * first maximum in row-major order, which cuDNN does not promise. A NaN in a window makes its maximum NaN.
 */
final class CudnnPooling implements AutoCloseable {
    private final Cudnn cudnn;
    private final cudnnPoolingDescriptor pooling = new cudnnPoolingDescriptor();
    private final cudnnTensorDescriptor x;
    private final cudnnTensorDescriptor y;
    private final boolean max;
    private final String shape;

    CudnnPooling(Cudnn cudnn, PoolGeometry g) {
        this.cudnn = cudnn;
        PoolSpec s = g.spec();
        shape = g.input() + " " + s;
        max = s.mode() == PoolMode.MAX;
        x = cudnn.describe(g.input());
        y = cudnn.describe(g.output());
        Cudnn.check(JCudnn.cudnnCreatePoolingDescriptor(pooling), "cudnnCreatePoolingDescriptor", shape);
        Cudnn.check(JCudnn.cudnnSetPooling2dDescriptor(pooling, max ? cudnnPoolingMode.CUDNN_POOLING_MAX
                        : cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                cudnnNanPropagation.CUDNN_PROPAGATE_NAN, s.kernelH(), s.kernelW(), s.padH(), s.padW(), s.strideH(),
                s.strideW()), "cudnnSetPooling2dDescriptor", shape);
        int[] n = new int[1];
        int[] c = new int[1];
        int[] p = new int[1];
        int[] q = new int[1];
        Cudnn.check(JCudnn.cudnnGetPooling2dForwardOutputDim(pooling, x, n, c, p, q),
                "cudnnGetPooling2dForwardOutputDim", shape);
        if (p[0] != g.output().height() || q[0] != g.output().width()) {
            close();
            throw new CudaException("cuda: cuDNN pools " + shape + " to " + p[0] + "×" + q[0] + ", jcnn to "
                    + g.output().height() + "×" + g.output().width());
        }
    }

    /** Whether cuDNN runs backward for this shape (average pooling); max-pooling backward is jcnn's kernel. */
    boolean runsBackward() {
        return !max;
    }

    void forward(CUdeviceptr in, CUdeviceptr out) {
        Cudnn.check(JCudnn.cudnnPoolingForward(cudnn.handle, pooling, Cudnn.ONE, x, in, Cudnn.ZERO, y, out),
                "cudnnPoolingForward", shape);
    }

    void backward(CUdeviceptr in, CUdeviceptr out, CUdeviceptr dy, CUdeviceptr dx) {
        Cudnn.check(JCudnn.cudnnPoolingBackward(cudnn.handle, pooling, Cudnn.ONE, y, out, y, dy, x, in, Cudnn.ZERO,
                x, dx), "cudnnPoolingBackward", shape);
    }

    @Override
    public void close() {
        JCudnn.cudnnDestroyPoolingDescriptor(pooling);
    }
}
