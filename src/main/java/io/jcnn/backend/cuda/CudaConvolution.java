package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;

/**
 * Convolution forward, backward-data and backward-filter: cuDNN with its plan where cuDNN runs, else per image and
 * group im2col (or col2im) and a matrix product on {@link CudaGemm}'s tier.
 */
final class CudaConvolution {
    private final CudaBackend backend;
    private final CudaContext context;
    private final CudaGemm gemm;
    /** Null: im2col and gemm. */
    private final Cudnn cudnn;

    CudaConvolution(CudaBackend backend, CudaContext context, CudaGemm gemm, Cudnn cudnn) {
        this.backend = backend;
        this.context = context;
        this.gemm = gemm;
        this.cudnn = cudnn;
    }

    ConvPlan plan(Shape input, Shape filter, ConvSpec spec) {
        OpChecks.open(backend, "planConv2d");
        ConvGeometry g = ConvGeometry.of("planConv2d", input, filter, spec);
        context.makeCurrent();
        if (cudnn != null) {
            return new CudaConvPlan(backend, context, g, null, new CudnnConvolution(cudnn, g));
        }
        long columns = (long) g.inChannels() / g.groups() * g.kernelH() * g.kernelW() * g.outHeight()
                * g.outWidth();
        return new CudaConvPlan(backend, context, g, context.memory.allocate(4L * Math.max(1, columns)), null);
    }

    /** Where a pass runs: cuDNN for the plan's shape, else im2col or col2im and the matrix product. */
    private CudaTier implementation(CudaConvPlan p) {
        return p.cudnn != null ? CudaTier.CUDNN : gemm.implementation();
    }

    /** The kernels' Conv struct: h, w, p, q, r, s, strides, paddings, dilations. */
    private static Pointer convStruct(ConvGeometry g) {
        ConvSpec s = g.spec();
        return ints(g.inHeight(), g.inWidth(), g.outHeight(), g.outWidth(), g.kernelH(), g.kernelW(), s.strideH(),
                s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW());
    }

    void forward(ConvPlan plan, Tensor x, Tensor w, Tensor y) {
        OpChecks.conv2dForward(backend, plan, x, w, y);
        CudaConvPlan p = (CudaConvPlan) plan;
        context.makeCurrent();
        context.tally.add("conv2dForward", implementation(p));
        if (p.cudnn != null) {
            p.cudnn.forward(context.pointer(x), context.pointer(w), context.pointer(y));
            return;
        }
        for (int n = 0; n < p.geometry().batch(); n++) {
            for (int grp = 0; grp < p.geometry().groups(); grp++) {
                im2col(p, x, n, grp);
                gemm.sgemm(false, false, p.kg, p.pq, p.taps, 1f, context.at(w, p.filterOffset(grp)), p.taps,
                        p.columns, p.pq, 0f, context.at(y, p.outputOffset(n, grp)), p.pq);
            }
        }
    }

    void backwardData(ConvPlan plan, Tensor dy, Tensor w, Tensor dx) {
        OpChecks.conv2dBackwardData(backend, plan, dy, w, dx);
        CudaConvPlan p = (CudaConvPlan) plan;
        context.makeCurrent();
        context.tally.add("conv2dBackwardData", implementation(p));
        if (p.cudnn != null) {
            p.cudnn.backwardData(context.pointer(dy), context.pointer(w), context.pointer(dx));
            return;
        }
        for (int n = 0; n < p.geometry().batch(); n++) {
            for (int grp = 0; grp < p.geometry().groups(); grp++) {
                // columns (taps × PQ) = w_gᵀ · dy_g, then each input pixel gathers the entries that read it.
                gemm.sgemm(true, false, p.taps, p.pq, p.kg, 1f, context.at(w, p.filterOffset(grp)), p.taps,
                        context.at(dy, p.outputOffset(n, grp)), p.pq, 0f, p.columns, p.pq);
                context.launch1d(CudaKernel.COL2IM, p.cg * p.hw, convStruct(p.geometry()), ints(p.cg),
                        Pointer.to(p.columns), Pointer.to(context.at(dx, p.inputOffset(n, grp))));
            }
        }
    }

    void backwardFilter(ConvPlan plan, Tensor x, Tensor dy, Tensor dw) {
        OpChecks.conv2dBackwardFilter(backend, plan, x, dy, dw);
        CudaConvPlan p = (CudaConvPlan) plan;
        context.makeCurrent();
        context.tally.add("conv2dBackwardFilter", implementation(p));
        if (p.cudnn != null) {
            p.cudnn.backwardFilter(context.pointer(x), context.pointer(dy), context.pointer(dw));
            return;
        }
        for (int n = 0; n < p.geometry().batch(); n++) {
            for (int grp = 0; grp < p.geometry().groups(); grp++) {
                im2col(p, x, n, grp);
                // dw_g (kg × taps) (+)= dy_g (kg × PQ) · columnsᵀ, images in order.
                gemm.sgemm(false, true, p.kg, p.taps, p.pq, 1f, context.at(dy, p.outputOffset(n, grp)), p.pq,
                        p.columns, p.pq, n == 0 ? 0f : 1f, context.at(dw, p.filterOffset(grp)), p.taps);
            }
        }
    }

    /** Image n's channels of group grp into the plan's column buffer. */
    private void im2col(CudaConvPlan p, Tensor x, int n, int grp) {
        context.launch1d(CudaKernel.IM2COL, p.taps * p.pq, convStruct(p.geometry()), ints(p.cg),
                Pointer.to(context.at(x, p.inputOffset(n, grp))), Pointer.to(p.columns));
    }
}
