package io.jcnn.backend.cuda;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvSpec;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnStatus;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;

/**
 * One convolution shape on the cuDNN tier: descriptors, and an algorithm per pass chosen once by cuDNN's heuristics
 * ({@code _v7}; cuDNN 9 has no older query), taking the first that succeeds and is deterministic, so runs reproduce.
 * Math is float32 FMA (no TF32). The workspace is the shared one of {@link Cudnn}, grown here to what the passes need.
 */
final class CudnnConvolution implements AutoCloseable {
    private static final int MAX_ALGORITHMS = 16;

    private final Cudnn cudnn;
    private final cudnnTensorDescriptor x;
    private final cudnnTensorDescriptor y;
    private final cudnnFilterDescriptor w = new cudnnFilterDescriptor();
    private final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
    private final int forwardAlgorithm;
    private final int dataAlgorithm;
    private final int filterAlgorithm;
    private final long forwardBytes;
    private final long dataBytes;
    private final long filterBytes;
    private final String shape;

    CudnnConvolution(Cudnn cudnn, ConvGeometry g) {
        this.cudnn = cudnn;
        shape = g.input() + " * " + g.filter() + " " + g.spec();
        ConvSpec s = g.spec();
        x = cudnn.describe(g.input());
        y = cudnn.describe(g.output());
        check(JCudnn.cudnnCreateFilterDescriptor(w), "cudnnCreateFilterDescriptor");
        check(JCudnn.cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
        check(JCudnn.cudnnSetFilter4dDescriptor(w, cudnnDataType.CUDNN_DATA_FLOAT,
                cudnnTensorFormat.CUDNN_TENSOR_NCHW, g.outChannels(), g.inChannels() / g.groups(), g.kernelH(),
                g.kernelW()), "cudnnSetFilter4dDescriptor");
        check(JCudnn.cudnnSetConvolution2dDescriptor(conv, s.padH(), s.padW(), s.strideH(), s.strideW(),
                s.dilationH(), s.dilationW(), cudnnConvolutionMode.CUDNN_CROSS_CORRELATION,
                cudnnDataType.CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
        check(JCudnn.cudnnSetConvolutionGroupCount(conv, g.groups()), "cudnnSetConvolutionGroupCount");
        check(JCudnn.cudnnSetConvolutionMathType(conv, cudnnMathType.CUDNN_FMA_MATH), "cudnnSetConvolutionMathType");

        int[] count = new int[1];
        cudnnConvolutionFwdAlgoPerf[] forward = new cudnnConvolutionFwdAlgoPerf[MAX_ALGORITHMS];
        fill(forward, cudnnConvolutionFwdAlgoPerf::new);
        check(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(cudnn.handle, x, w, conv, y, MAX_ALGORITHMS, count,
                forward), "cudnnGetConvolutionForwardAlgorithm_v7");
        int f = pick(count[0], i -> forward[i].status, i -> forward[i].determinism, "forward");
        forwardAlgorithm = forward[f].algo;
        forwardBytes = forward[f].memory;

        cudnnConvolutionBwdDataAlgoPerf[] data = new cudnnConvolutionBwdDataAlgoPerf[MAX_ALGORITHMS];
        fill(data, cudnnConvolutionBwdDataAlgoPerf::new);
        check(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn.handle, w, y, conv, x, MAX_ALGORITHMS, count,
                data), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
        int d = pick(count[0], i -> data[i].status, i -> data[i].determinism, "backward data");
        dataAlgorithm = data[d].algo;
        dataBytes = data[d].memory;

        cudnnConvolutionBwdFilterAlgoPerf[] filter = new cudnnConvolutionBwdFilterAlgoPerf[MAX_ALGORITHMS];
        fill(filter, cudnnConvolutionBwdFilterAlgoPerf::new);
        check(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn.handle, x, y, conv, w, MAX_ALGORITHMS,
                count, filter), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
        int b = pick(count[0], i -> filter[i].status, i -> filter[i].determinism, "backward filter");
        filterAlgorithm = filter[b].algo;
        filterBytes = filter[b].memory;

        cudnn.reserve(Math.max(forwardBytes, Math.max(dataBytes, filterBytes)));
    }

    /** The first algorithm cuDNN ranks that works here and is deterministic. */
    private int pick(int count, java.util.function.IntUnaryOperator status,
                     java.util.function.IntUnaryOperator determinism, String pass) {
        for (int i = 0; i < count; i++) {
            if (status.applyAsInt(i) == cudnnStatus.CUDNN_STATUS_SUCCESS
                    && determinism.applyAsInt(i) == cudnnDeterminism.CUDNN_DETERMINISTIC) {
                return i;
            }
        }
        throw new CudaException("cuda: cuDNN offers no deterministic " + pass + " algorithm for " + shape
                + " (" + count + " considered)");
    }

    /** The chosen algorithms, for messages and benchmarks. */
    @Override
    public String toString() {
        return "cuDNN forward algorithm " + forwardAlgorithm + ", backward data " + dataAlgorithm
                + ", backward filter " + filterAlgorithm;
    }

    void forward(CUdeviceptr in, CUdeviceptr filter, CUdeviceptr out) {
        check(JCudnn.cudnnConvolutionForward(cudnn.handle, Cudnn.ONE, x, in, w, filter, conv, forwardAlgorithm,
                cudnn.workspace(), forwardBytes, Cudnn.ZERO, y, out), "cudnnConvolutionForward");
    }

    void backwardData(CUdeviceptr dy, CUdeviceptr filter, CUdeviceptr dx) {
        check(JCudnn.cudnnConvolutionBackwardData(cudnn.handle, Cudnn.ONE, w, filter, y, dy, conv, dataAlgorithm,
                cudnn.workspace(), dataBytes, Cudnn.ZERO, x, dx), "cudnnConvolutionBackwardData");
    }

    void backwardFilter(CUdeviceptr in, CUdeviceptr dy, CUdeviceptr dw) {
        check(JCudnn.cudnnConvolutionBackwardFilter(cudnn.handle, Cudnn.ONE, x, in, y, dy, conv, filterAlgorithm,
                cudnn.workspace(), filterBytes, Cudnn.ZERO, w, dw), "cudnnConvolutionBackwardFilter");
    }

    private void check(int status, String call) {
        Cudnn.check(status, call, shape);
    }

    private static <T> void fill(T[] array, java.util.function.Supplier<T> make) {
        for (int i = 0; i < array.length; i++) {
            array[i] = make.get();
        }
    }

    /** Destroys this shape's filter and convolution descriptors (tensor descriptors belong to {@link Cudnn}). */
    @Override
    public void close() {
        JCudnn.cudnnDestroyFilterDescriptor(w);
        JCudnn.cudnnDestroyConvolutionDescriptor(conv);
    }
}
