package io.jcnn.backend.cuda;

import io.jcnn.backend.OpChecks;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * Tensors' device memory and the copies in and out: zeroed blocks from the caching allocator, uploads through
 * pinned staging on the copy stream, synchronous downloads, device-to-device copies on the compute stream.
 */
final class CudaMemory {
    private final CudaBackend backend;
    private final CudaContext context;
    private long allocations;
    private long frees;

    CudaMemory(CudaBackend backend, CudaContext context) {
        this.backend = backend;
        this.context = context;
    }

    Tensor allocate(Shape shape) {
        OpChecks.open(backend, "allocate");
        context.makeCurrent();
        CudaStorage storage = context.allocate(shape, backend);
        allocations++;
        return new Tensor(backend, shape, storage);
    }

    void release(CudaStorage storage) {
        frees++;
        context.release(storage);
    }

    void upload(float[] source, Tensor target) {
        OpChecks.upload(backend, source, target);
        context.makeCurrent();
        context.upload(source, (CudaStorage) target.storage(), target.shape().toString());
    }

    void download(Tensor source, float[] target) {
        OpChecks.download(backend, source, target);
        context.makeCurrent();
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(target), context.pointer(source),
                4L * source.size()), "cuMemcpyDtoH", "download of " + source.shape());
    }

    void copy(Tensor source, Tensor target) {
        OpChecks.onBackend(backend, "copy", source, target);
        OpChecks.sameSize("copy", "source", source, "target", target);
        context.makeCurrent();
        CudaException.check(JCudaDriver.cuMemcpyDtoD(context.pointer(target), context.pointer(source),
                4L * source.size()), "cuMemcpyDtoD", "copy of " + source.shape());
    }

    long allocations() {
        return allocations;
    }

    long frees() {
        return frees;
    }
}
