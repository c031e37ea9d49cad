package io.jcnn.backend.cuda;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvSpec;
import jcuda.Pointer;
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
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnStatus;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;

/**
 * The cuDNN tier of the CUDA backend's convolutions: descriptors and an algorithm per pass chosen once per shape by
 * cuDNN's heuristics ({@code _v7}; cuDNN 9 has no older query), taking the first that succeeds and is deterministic,
 * so runs reproduce. Math is float32 FMA (no TF32). One workspace, shared by every plan and grown only when a plan
 * needs more, comes from the backend's allocator. Only created where {@link CudaProbe} found cuDNN.
 */
final class CudnnConvolution implements AutoCloseable {
    private static final int MAX_ALGORITHMS = 16;

    private final cudnnHandle handle = new cudnnHandle();
    private final CachingAllocator<CUdeviceptr> memory;
    private CUdeviceptr workspace;
    private long workspaceBytes;

    CudnnConvolution(CachingAllocator<CUdeviceptr> memory) {
        this.memory = memory;
        check(JCudnn.cudnnCreate(handle), "cudnnCreate", "");
    }

    /** One shape's descriptors, algorithms and workspace sizes. */
    final class Plan implements AutoCloseable {
        final cudnnTensorDescriptor x = new cudnnTensorDescriptor();
        final cudnnTensorDescriptor y = new cudnnTensorDescriptor();
        final cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        final int forwardAlgorithm;
        final int dataAlgorithm;
        final int filterAlgorithm;
        final long forwardBytes;
        final long dataBytes;
        final long filterBytes;
        private final String shape;

        Plan(ConvGeometry g) {
            shape = g.input() + " * " + g.filter() + " " + g.spec();
            ConvSpec s = g.spec();
            check(JCudnn.cudnnCreateTensorDescriptor(x), "cudnnCreateTensorDescriptor", shape);
            check(JCudnn.cudnnCreateTensorDescriptor(y), "cudnnCreateTensorDescriptor", shape);
            check(JCudnn.cudnnCreateFilterDescriptor(w), "cudnnCreateFilterDescriptor", shape);
            check(JCudnn.cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor", shape);
            check(JCudnn.cudnnSetTensor4dDescriptor(x, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                    cudnnDataType.CUDNN_DATA_FLOAT, g.batch(), g.inChannels(), g.inHeight(), g.inWidth()),
                    "cudnnSetTensor4dDescriptor", shape);
            check(JCudnn.cudnnSetTensor4dDescriptor(y, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                    cudnnDataType.CUDNN_DATA_FLOAT, g.batch(), g.outChannels(), g.outHeight(), g.outWidth()),
                    "cudnnSetTensor4dDescriptor", shape);
            check(JCudnn.cudnnSetFilter4dDescriptor(w, cudnnDataType.CUDNN_DATA_FLOAT,
                    cudnnTensorFormat.CUDNN_TENSOR_NCHW, g.outChannels(), g.inChannels() / g.groups(), g.kernelH(),
                    g.kernelW()), "cudnnSetFilter4dDescriptor", shape);
            check(JCudnn.cudnnSetConvolution2dDescriptor(conv, s.padH(), s.padW(), s.strideH(), s.strideW(),
                    s.dilationH(), s.dilationW(), cudnnConvolutionMode.CUDNN_CROSS_CORRELATION,
                    cudnnDataType.CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor", shape);
            check(JCudnn.cudnnSetConvolutionGroupCount(conv, g.groups()), "cudnnSetConvolutionGroupCount", shape);
            check(JCudnn.cudnnSetConvolutionMathType(conv, cudnnMathType.CUDNN_FMA_MATH),
                    "cudnnSetConvolutionMathType", shape);

            int[] count = new int[1];
            cudnnConvolutionFwdAlgoPerf[] forward = new cudnnConvolutionFwdAlgoPerf[MAX_ALGORITHMS];
            fill(forward, cudnnConvolutionFwdAlgoPerf::new);
            check(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, x, w, conv, y, MAX_ALGORITHMS, count,
                    forward), "cudnnGetConvolutionForwardAlgorithm_v7", shape);
            int f = pick(count[0], i -> forward[i].status, i -> forward[i].determinism, "forward");
            forwardAlgorithm = forward[f].algo;
            forwardBytes = forward[f].memory;

            cudnnConvolutionBwdDataAlgoPerf[] data = new cudnnConvolutionBwdDataAlgoPerf[MAX_ALGORITHMS];
            fill(data, cudnnConvolutionBwdDataAlgoPerf::new);
            check(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, w, y, conv, x, MAX_ALGORITHMS, count,
                    data), "cudnnGetConvolutionBackwardDataAlgorithm_v7", shape);
            int d = pick(count[0], i -> data[i].status, i -> data[i].determinism, "backward data");
            dataAlgorithm = data[d].algo;
            dataBytes = data[d].memory;

            cudnnConvolutionBwdFilterAlgoPerf[] filter = new cudnnConvolutionBwdFilterAlgoPerf[MAX_ALGORITHMS];
            fill(filter, cudnnConvolutionBwdFilterAlgoPerf::new);
            check(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, x, y, conv, w, MAX_ALGORITHMS,
                    count, filter), "cudnnGetConvolutionBackwardFilterAlgorithm_v7", shape);
            int b = pick(count[0], i -> filter[i].status, i -> filter[i].determinism, "backward filter");
            filterAlgorithm = filter[b].algo;
            filterBytes = filter[b].memory;

            reserve(Math.max(forwardBytes, Math.max(dataBytes, filterBytes)));
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

        @Override
        public void close() {
            JCudnn.cudnnDestroyTensorDescriptor(x);
            JCudnn.cudnnDestroyTensorDescriptor(y);
            JCudnn.cudnnDestroyFilterDescriptor(w);
            JCudnn.cudnnDestroyConvolutionDescriptor(conv);
        }

        void forward(CUdeviceptr in, CUdeviceptr filter, CUdeviceptr out) {
            check(JCudnn.cudnnConvolutionForward(handle, ONE, x, in, w, filter, conv, forwardAlgorithm,
                    workspace(), forwardBytes, ZERO, y, out), "cudnnConvolutionForward", shape);
        }

        void backwardData(CUdeviceptr dy, CUdeviceptr filter, CUdeviceptr dx) {
            check(JCudnn.cudnnConvolutionBackwardData(handle, ONE, w, filter, y, dy, conv, dataAlgorithm,
                    workspace(), dataBytes, ZERO, x, dx), "cudnnConvolutionBackwardData", shape);
        }

        void backwardFilter(CUdeviceptr in, CUdeviceptr dy, CUdeviceptr dw) {
            check(JCudnn.cudnnConvolutionBackwardFilter(handle, ONE, x, in, y, dy, conv, filterAlgorithm,
                    workspace(), filterBytes, ZERO, w, dw), "cudnnConvolutionBackwardFilter", shape);
        }
    }

    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    private static <T> void fill(T[] array, java.util.function.Supplier<T> make) {
        for (int i = 0; i < array.length; i++) {
            array[i] = make.get();
        }
    }

    /** Grows the shared workspace to at least {@code bytes}; never shrinks. */
    private void reserve(long bytes) {
        if (bytes > workspaceBytes) {
            if (workspace != null) {
                memory.release(workspace);
            }
            workspace = memory.allocate(bytes);
            workspaceBytes = bytes;
        }
    }

    private Pointer workspace() {
        return workspace == null ? new Pointer() : workspace;
    }

    private static void check(int status, String call, String what) {
        if (status != cudnnStatus.CUDNN_STATUS_SUCCESS) {
            throw new CudaException("cuda: " + call + " failed with " + JCudnn.cudnnGetErrorString(status)
                    + (what.isEmpty() ? "" : " (" + what + ")"));
        }
    }

    @Override
    public void close() {
        if (workspace != null) {
            memory.release(workspace);
            workspace = null;
        }
        JCudnn.cudnnDestroy(handle);
    }
}
