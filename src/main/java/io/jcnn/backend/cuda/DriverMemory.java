package io.jcnn.backend.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/** Device memory through the driver API, in the context current on the calling thread. */
final class DriverMemory implements DeviceMemory<CUdeviceptr> {

    @Override
    public CUdeviceptr allocate(long bytes) {
        CUdeviceptr pointer = new CUdeviceptr();
        int status = JCudaDriver.cuMemAlloc(pointer, bytes);
        if (status == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return null;
        }
        CudaException.check(status, "cuMemAlloc", bytes + " bytes");
        return pointer;
    }

    @Override
    public void free(CUdeviceptr pointer) {
        CudaException.check(JCudaDriver.cuMemFree(pointer), "cuMemFree", "");
    }

    @Override
    public long freeBytes() {
        long[] free = new long[1];
        long[] total = new long[1];
        CudaException.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo", "");
        return free[0];
    }
}
