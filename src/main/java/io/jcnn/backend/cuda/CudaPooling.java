package io.jcnn.backend.cuda;

import static io.jcnn.backend.cuda.CudaContext.ints;

import io.jcnn.backend.OpChecks;
import io.jcnn.backend.PoolGeometry;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolPlan;
import io.jcnn.backend.PoolSpec;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;

/**
 * Max and average pooling: cuDNN where it runs (forward of both, backward of average), else jcnn's kernels; max
 * backward always on jcnn's kernel, which routes a tied gradient to the first maximum as the contract says.
 */
final class CudaPooling {
    private final CudaBackend backend;
    private final CudaContext context;
    /** Null: jcnn's kernels. */
    private final Cudnn cudnn;

    CudaPooling(CudaBackend backend, CudaContext context, Cudnn cudnn) {
        this.backend = backend;
        this.context = context;
        this.cudnn = cudnn;
    }

    /** The geometry and, on the cuDNN tier, cuDNN's pooling descriptor for it. */
    private static final class CudaPoolPlan extends PoolPlan {
        final CudnnPooling cudnn;
        private final CudaContext context;

        CudaPoolPlan(CudaBackend backend, CudaContext context, PoolGeometry g, CudnnPooling cudnn) {
            super(backend, g);
            this.context = context;
            this.cudnn = cudnn;
        }

        @Override
        protected void release() {
            if (cudnn != null && !context.isClosed()) {
                context.makeCurrent();
                cudnn.close();
            }
        }
    }

    PoolPlan plan(Shape input, PoolSpec spec) {
        OpChecks.open(backend, "planPool2d");
        PoolGeometry g = PoolGeometry.of("planPool2d", input, spec);
        context.makeCurrent();
        return new CudaPoolPlan(backend, context, g, cudnn != null ? new CudnnPooling(cudnn, g) : null);
    }

    /** The kernels' Pool struct: h, w, p, q, kernel, stride, padding. */
    private static Pointer poolStruct(PoolGeometry g) {
        PoolSpec s = g.spec();
        return ints(g.input().height(), g.input().width(), g.output().height(), g.output().width(), s.kernelH(),
                s.kernelW(), s.strideH(), s.strideW(), s.padH(), s.padW());
    }

    void forward(PoolPlan plan, Tensor x, Tensor y) {
        OpChecks.pool2dForward(backend, plan, x, y);
        CudaPoolPlan p = (CudaPoolPlan) plan;
        context.makeCurrent();
        if (p.cudnn != null) {
            context.tally.add("pool2dForward", CudaTier.CUDNN);
            p.cudnn.forward(context.pointer(x), context.pointer(y));
            return;
        }
        context.tally.add("pool2dForward", CudaTier.KERNELS);
        PoolGeometry g = plan.geometry();
        int planes = g.input().batch() * g.input().channels();
        context.launch1d(CudaKernel.POOL_FORWARD, y.size(), ints(planes), poolStruct(g),
                ints(g.spec().mode() == PoolMode.MAX ? 1 : 0), Pointer.to(context.pointer(x)),
                Pointer.to(context.pointer(y)));
    }

    void backward(PoolPlan plan, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.pool2dBackward(backend, plan, x, y, dy, dx);
        CudaPoolPlan p = (CudaPoolPlan) plan;
        context.makeCurrent();
        if (p.cudnn != null && p.cudnn.runsBackward()) {
            context.tally.add("pool2dBackward", CudaTier.CUDNN);
            p.cudnn.backward(context.pointer(x), context.pointer(y), context.pointer(dy), context.pointer(dx));
            return;
        }
        context.tally.add("pool2dBackward", CudaTier.KERNELS);
        PoolGeometry g = plan.geometry();
        int planes = g.input().batch() * g.input().channels();
        context.launch1d(CudaKernel.POOL_BACKWARD, dx.size(), ints(planes), poolStruct(g),
                ints(g.spec().mode() == PoolMode.MAX ? 1 : 0), Pointer.to(context.pointer(x)),
                Pointer.to(context.pointer(dy)), Pointer.to(context.pointer(dx)));
    }
}
