package io.jcnn.backend.cuda;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvPlan;
import jcuda.driver.CUdeviceptr;

/**
 * One convolution shape on the CUDA backend: the geometry and either cuDNN's plan or, for im2col and a matrix
 * product, a column buffer for one image and group. Closing it destroys the descriptors or returns the buffer.
 */
final class CudaConvPlan extends ConvPlan {
    /** The im2col buffer (taps × output pixels), or null on the cuDNN tier. */
    final CUdeviceptr columns;
    /** cuDNN's descriptors and algorithms, or null. */
    final CudnnConvolution cudnn;
    /** Channels and filters per group, taps per filter, output and input pixels per plane. */
    final int cg;
    final int kg;
    final int taps;
    final int pq;
    final int hw;
    private final CudaContext context;

    CudaConvPlan(CudaBackend backend, CudaContext context, ConvGeometry g, CUdeviceptr columns,
                 CudnnConvolution cudnn) {
        super(backend, g);
        this.context = context;
        this.columns = columns;
        this.cudnn = cudnn;
        cg = g.inChannels() / g.groups();
        kg = g.outChannels() / g.groups();
        taps = cg * g.kernelH() * g.kernelW();
        pq = g.outHeight() * g.outWidth();
        hw = g.inHeight() * g.inWidth();
    }

    /** Where image n's channels of group grp start in x (or dx), in floats. */
    long inputOffset(int n, int grp) {
        return ((long) n * geometry().inChannels() + (long) grp * cg) * hw;
    }

    /** Where image n's filters of group grp start in y (or dy). */
    long outputOffset(int n, int grp) {
        return ((long) n * geometry().outChannels() + (long) grp * kg) * pq;
    }

    /** Where group grp's filters start in w (or dw). */
    long filterOffset(int grp) {
        return (long) grp * kg * taps;
    }

    @Override
    protected void release() {
        if (context.isClosed()) {
            return;  // the backend's close freed the buffer and the descriptors' handle
        }
        context.makeCurrent();
        if (cudnn != null) {
            cudnn.close();
        } else {
            context.memory.release(columns);
        }
    }

    @Override
    public String algorithms() {
        return cudnn != null ? cudnn.toString() : "im2col + gemm on every pass";
    }

    @Override
    public String toString() {
        return "cuda convolution " + geometry().input() + " * " + geometry().filter() + ": " + algorithms();
    }
}
