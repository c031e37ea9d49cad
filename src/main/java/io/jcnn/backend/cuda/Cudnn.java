package io.jcnn.backend.cuda;

import io.jcnn.tensor.Shape;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnStatus;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;

/**
 * The CUDA backend's use of cuDNN: one handle on the default stream, the tensor descriptors of the shapes seen so
 * far (described once, kept until close, so no op re-describes per call) and one workspace shared by every op, grown
 * only when a plan needs more. Only created where {@link CudaProbe} found cuDNN.
 */
final class Cudnn implements AutoCloseable {
    static final Pointer ONE = Pointer.to(new float[] {1f});
    static final Pointer ZERO = Pointer.to(new float[] {0f});

    final cudnnHandle handle = new cudnnHandle();
    private final CachingAllocator<CUdeviceptr> memory;
    private final Map<Shape, cudnnTensorDescriptor> tensors = new HashMap<>();
    private CUdeviceptr workspace;
    private long workspaceBytes;

    /**
     * A handle, checked to reach cuDNN's sub-libraries: libcudnn.so.9 loads libcudnn_ops and libcudnn_cnn only when
     * first used, so a handle alone does not show that they are there. Nothing is left behind on failure.
     */
    Cudnn(CachingAllocator<CUdeviceptr> memory) {
        this.memory = memory;
        check(JCudnn.cudnnCreate(handle), "cudnnCreate", "");
        try {
            jcuda.jcudnn.cudnnPoolingDescriptor pooling = new jcuda.jcudnn.cudnnPoolingDescriptor();
            check(JCudnn.cudnnCreatePoolingDescriptor(pooling), "cudnnCreatePoolingDescriptor",
                    "libcudnn_ops.so.9 must be beside libcudnn.so.9");
            JCudnn.cudnnDestroyPoolingDescriptor(pooling);
            jcuda.jcudnn.cudnnConvolutionDescriptor convolution = new jcuda.jcudnn.cudnnConvolutionDescriptor();
            check(JCudnn.cudnnCreateConvolutionDescriptor(convolution), "cudnnCreateConvolutionDescriptor",
                    "libcudnn_cnn.so.9 must be beside libcudnn.so.9");
            JCudnn.cudnnDestroyConvolutionDescriptor(convolution);
        } catch (CudaException e) {
            JCudnn.cudnnDestroy(handle);
            throw e;
        }
    }

    /**
     * A float NCHW descriptor of {@code shape}: N×C×H×W as given, any other rank as N × (elements per item) × 1 × 1,
     * which is what softmax (per item), batch norm (per feature) and pointwise ops need.
     */
    cudnnTensorDescriptor describe(Shape shape) {
        cudnnTensorDescriptor d = tensors.get(shape);
        if (d == null) {
            d = newTensorDescriptor(shape.batch(), shape.rank() == 4 ? shape.channels() : shape.sampleSize(),
                    shape.height(), shape.width(), shape.toString());
            tensors.put(shape, d);
        }
        return d;
    }

    /** A new float NCHW descriptor; the caller destroys it. */
    static cudnnTensorDescriptor newTensorDescriptor(int n, int c, int h, int w, String what) {
        cudnnTensorDescriptor d = new cudnnTensorDescriptor();
        check(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor", what);
        int status = JCudnn.cudnnSetTensor4dDescriptor(d, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                cudnnDataType.CUDNN_DATA_FLOAT, n, c, h, w);
        if (status != cudnnStatus.CUDNN_STATUS_SUCCESS) {
            JCudnn.cudnnDestroyTensorDescriptor(d);
            check(status, "cudnnSetTensor4dDescriptor", what);
        }
        return d;
    }

    /** Grows the shared workspace to at least {@code bytes}; never shrinks. */
    void reserve(long bytes) {
        if (bytes > workspaceBytes) {
            if (workspace != null) {
                memory.release(workspace);
                workspace = null;
                workspaceBytes = 0;
            }
            workspace = memory.allocate(bytes);
            workspaceBytes = bytes;
        }
    }

    /** The shared workspace (a null pointer while no op has needed one). */
    Pointer workspace() {
        return workspace == null ? new Pointer() : workspace;
    }

    /** Throws unless a cuDNN call returned success; {@code what} names the op and the shapes. */
    static void check(int status, String call, String what) {
        if (status != cudnnStatus.CUDNN_STATUS_SUCCESS) {
            throw new CudaException("cuda: " + call + " failed with " + JCudnn.cudnnGetErrorString(status)
                    + (what.isEmpty() ? "" : " (" + what + ")"));
        }
    }

    @Override
    public void close() {
        tensors.values().forEach(JCudnn::cudnnDestroyTensorDescriptor);
        tensors.clear();
        if (workspace != null) {
            memory.release(workspace);
            workspace = null;
        }
        JCudnn.cudnnDestroy(handle);
    }
}
