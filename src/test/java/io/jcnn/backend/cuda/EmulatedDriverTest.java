package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cuda.CudaEmulator.Counter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emulated CUDA driver itself: each kind of misuse it promises to catch is caught, with the driver's error code
 * and a counted report, so that a green run on it means something. (A test that made a kernel write out of bounds
 * would leave the shared context's error sticky for the rest of the run, as a GPU fault does; the guard check is
 * covered by the emulator's own code path for frees instead.)
 */
class EmulatedDriverTest {
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private int misuses;
    private boolean retained;

    @BeforeEach
    void retain() {
        CudaEmulator.assume();
        check(JCudaDriver.cuDeviceGet(device, 0));
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device));
        retained = true;
        check(JCudaDriver.cuCtxSetCurrent(context));
        misuses = CudaEmulator.count(Counter.MISUSES);
    }

    @AfterEach
    void release() {
        if (retained) {
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }

    private static void check(int status) {
        CudaException.check(status, "driver call", "");
    }

    /** {@code status} is {@code expected}, and the emulator reported exactly one more misuse. */
    private void assertMisuse(int expected, int status) {
        assertEquals(CUresult.stringFor(expected), CUresult.stringFor(status));
        assertEquals(++misuses, CudaEmulator.count(Counter.MISUSES), "misuses reported");
    }

    private static CUdeviceptr allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        check(JCudaDriver.cuMemAlloc(p, bytes));
        return p;
    }

    @Test
    void freshAndFreedMemoryIsNanAndAFreedPointerIsRefused() {
        CUdeviceptr p = allocate(16);
        float[] fresh = new float[4];
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(fresh), p, 16));
        for (float v : fresh) {
            assertTrue(Float.isNaN(v), "fresh device memory reads " + v);
        }
        double[] asDouble = new double[2];
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(asDouble), p, 16));
        assertTrue(Double.isNaN(asDouble[0]), "as doubles too");
        check(JCudaDriver.cuMemFree(p));
        assertMisuse(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemcpyDtoH(Pointer.to(fresh), p, 16));
        assertMisuse(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemFree(p));
        CUdeviceptr q = allocate(16);
        assertMisuse(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemcpyHtoD(q, Pointer.to(new float[5]), 20));
        check(JCudaDriver.cuMemFree(q));
    }

    /** A copy on another stream lands only when something waits for it: reading without the wait sees old data. */
    @Test
    void aMissingWaitReadsStaleDataAndTheWaitFixesIt() {
        CUdeviceptr p = allocate(16);
        CUstream copies = new CUstream();
        CUevent copied = new CUevent();
        Pointer pinned = new Pointer();
        check(JCudaDriver.cuStreamCreate(copies, CUstream_flags.CU_STREAM_NON_BLOCKING));
        check(JCudaDriver.cuEventCreate(copied, 0));
        check(JCudaDriver.cuMemAllocHost(pinned, 16));
        try {
            check(JCudaDriver.cuMemsetD32(p, 0, 4));
            pinned.getByteBuffer(0, 16).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer()
                    .put(new float[] {1, 2, 3, 4});
            check(JCudaDriver.cuMemcpyHtoDAsync(p, pinned, 16, copies));
            check(JCudaDriver.cuEventRecord(copied, copies));
            float[] read = new float[4];
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(read), p, 16));
            assertArrayEquals(new float[4], read, "without a wait the copy has not landed");
            assertEquals(CUresult.CUDA_ERROR_NOT_READY, JCudaDriver.cuEventQuery(copied), "a query makes no progress");
            check(JCudaDriver.cuStreamWaitEvent(null, copied, 0));
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(read), p, 16));
            assertArrayEquals(new float[] {1, 2, 3, 4}, read);
        } finally {
            JCudaDriver.cuMemFreeHost(pinned);
            JCudaDriver.cuEventDestroy(copied);
            JCudaDriver.cuStreamDestroy(copies);
            JCudaDriver.cuMemFree(p);
        }
        assertMisuse(CUresult.CUDA_ERROR_INVALID_HANDLE, JCudaDriver.cuStreamWaitEvent(null, copied, 0));
        assertMisuse(CUresult.CUDA_ERROR_INVALID_HANDLE, JCudaDriver.cuStreamSynchronize(copies));
    }

    @Test
    void aThreadWithoutACurrentContextIsRefused() throws Exception {
        CUdeviceptr p = allocate(4);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            int status = other.submit(() -> JCudaDriver.cuMemcpyDtoH(Pointer.to(new float[1]), p, 4)).get();
            assertMisuse(CUresult.CUDA_ERROR_INVALID_CONTEXT, status);
        } finally {
            other.shutdown();
            JCudaDriver.cuMemFree(p);
        }
    }

    /** Kernels: a PTX entry whose parameters differ from the host build is refused; so is a freed argument. */
    @Test
    void modulesAreCheckedAgainstTheHostBuildAndLaunchesAgainstLiveMemory() {
        String ptx = ".version 8.0\n.target sm_75\n.address_size 64\n\n.visible .entry fill(\n"
                + "\t.param .u32 fill_param_0,\n\t.param .u64 fill_param_1\n)\n{\n\tret;\n}\n";
        JITOptions options = new JITOptions();
        options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[1024]);
        options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, 1024);
        CUmodule wrong = new CUmodule();
        assertMisuse(CUresult.CUDA_ERROR_INVALID_PTX, JCudaDriver.cuModuleLoadDataJIT(wrong,
                Pointer.to((ptx + "\0").getBytes(StandardCharsets.US_ASCII)), options));
        assertEquals("entry fill takes parameters of (4, 8) bytes in the PTX but (4, 4, 8) in the host build",
                options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER));

        try (LoadedKernels kernels = new LoadedKernels()) {
            CUfunction fill = kernels.function(CudaKernel.FILL);
            CUdeviceptr p = allocate(16);
            check(JCudaDriver.cuMemFree(p));
            assertMisuse(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0,
                    null, Pointer.to(Pointer.to(new int[] {4}), Pointer.to(new float[] {1f}), Pointer.to(p)), null));
        }
    }

    /** The emulated cuBLAS applies cuBLAS's argument checks and refuses operands that run past their blocks. */
    @Test
    void cublasChecksLeadingDimensionsAndExtents() {
        cublasHandle handle = new cublasHandle();
        assertEquals(cublasStatus.CUBLAS_STATUS_SUCCESS, JCublas2.cublasCreate(handle));
        CUdeviceptr a = allocate(4 * 6);
        CUdeviceptr c = allocate(4 * 4);
        Pointer one = Pointer.to(new float[] {1f});
        try {
            // Column-major A is 2×3 with lda 2: lda 1 is below its row count.
            assertEquals(cublasStatus.CUBLAS_STATUS_INVALID_VALUE, JCublas2.cublasSgemm(handle,
                    cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, 2, 2, 3, one, a, 1, a, 3, one, c, 2));
            // B as 3×2 with ldb 4 would read 4·1 + 3 = 7 floats from a 6-float block.
            assertEquals(cublasStatus.CUBLAS_STATUS_EXECUTION_FAILED, JCublas2.cublasSgemm(handle,
                    cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, 2, 2, 3, one, a, 2, a, 4, one, c, 2));
            assertEquals(++misuses, CudaEmulator.count(Counter.MISUSES));
        } finally {
            JCublas2.cublasDestroy(handle);
            JCudaDriver.cuMemFree(a);
            JCudaDriver.cuMemFree(c);
        }
    }
}
