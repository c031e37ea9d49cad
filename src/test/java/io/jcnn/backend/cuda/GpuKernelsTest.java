package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcnn.backend.Backend;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Our PTX kernels on a real GPU, against the CPU backend: every kernel resolves, the allocator's blocks carry data
 * both ways, and axpy and the tiled SGEMM (every transpose, sizes that are not multiples of its tiles) compute what
 * the CPU computes. Runs wherever a CUDA device is present; skipped with the probe's reason elsewhere.
 */
class GpuKernelsTest {
    private static CUdevice device;
    private static CUcontext context;

    /** Skips the calling test, with the probe's one-line reason, where no CUDA device can be used. */
    private static void assumeDevice() {
        String reason = CudaProbe.get().deviceUnavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "no CUDA device: " + reason);
        if (context != null) {
            return;
        }
        device = new CUdevice();
        context = new CUcontext();
        CudaException.check(JCudaDriver.cuDeviceGet(device, 0), "cuDeviceGet", "device 0");
        CudaException.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain", "");
        CudaException.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent", "");
    }

    @AfterAll
    static void release() {
        if (context != null) {
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }

    @Test
    void sgemmAndAxpyMatchTheCpu() {
        assumeDevice();
        int[][] shapes = {{64, 64, 64, 0, 0}, {37, 53, 29, 0, 1}, {129, 7, 300, 1, 0}, {1, 100, 1, 1, 1},
            {500, 64, 800, 0, 1}};
        for (int[] s : shapes) {
            sgemmThenAxpy(s[0], s[1], s[2], s[3] == 1, s[4] == 1);
        }
    }

    private static void sgemmThenAxpy(int m, int n, int k, boolean transA, boolean transB) {
        float[] a = TestData.uniform(1, m * k);
        float[] b = TestData.uniform(2, k * n);
        float[] c = TestData.uniform(3, m * n);
        float[] expected;
        try (Backend cpu = new CpuBackend(1);
             Tensor ta = cpu.tensor(Shape.of(m * k), a);
             Tensor tb = cpu.tensor(Shape.of(k * n), b);
             Tensor tc = cpu.tensor(Shape.of(m * n), c)) {
            cpu.gemm(transA, transB, m, n, k, 0.5f, ta, tb, 0.25f, tc);
            cpu.axpy(2f, tc, tc);
            expected = tc.toArray();
        }
        try (LoadedKernels kernels = new LoadedKernels();
             CachingAllocator<CUdeviceptr> memory = new CachingAllocator<>(new DriverMemory())) {
            CUdeviceptr da = upload(memory, a);
            CUdeviceptr db = upload(memory, b);
            CUdeviceptr dc = upload(memory, c);
            launch(kernels.function(CudaKernel.SGEMM), (n + 63) / 64, (m + 63) / 64, 16, 16, Pointer.to(
                    Pointer.to(new int[] {transA ? 1 : 0}), Pointer.to(new int[] {transB ? 1 : 0}),
                    Pointer.to(new int[] {m}), Pointer.to(new int[] {n}), Pointer.to(new int[] {k}),
                    Pointer.to(new float[] {0.5f}), Pointer.to(da), Pointer.to(new int[] {transA ? m : k}),
                    Pointer.to(db), Pointer.to(new int[] {transB ? k : n}), Pointer.to(new float[] {0.25f}),
                    Pointer.to(dc), Pointer.to(new int[] {n})));
            launch(kernels.function(CudaKernel.AXPY), 64, 1, 256, 1, Pointer.to(Pointer.to(new int[] {m * n}),
                    Pointer.to(new float[] {2f}), Pointer.to(dc), Pointer.to(dc)));
            float[] actual = new float[m * n];
            CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(actual), dc, 4L * actual.length), "cuMemcpyDtoH",
                    "");
            String what = "sgemm + axpy " + m + "x" + n + "x" + k + (transA ? " Aᵀ" : "") + (transB ? " Bᵀ" : "");
            TestData.assertClose(what, TestData.toDouble(expected), actual, 1e-5, 1e-5 * k);
            memory.release(da);
            memory.release(db);
            memory.release(dc);
            assertEquals(0, memory.liveBlocks());
        }
    }

    private static CUdeviceptr upload(CachingAllocator<CUdeviceptr> memory, float[] values) {
        CUdeviceptr pointer = memory.allocate(4L * values.length);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(pointer, Pointer.to(values), 4L * values.length),
                "cuMemcpyHtoD", values.length + " floats");
        return pointer;
    }

    private static void launch(CUfunction function, int gridX, int gridY, int blockX, int blockY, Pointer params) {
        CudaException.check(JCudaDriver.cuLaunchKernel(function, gridX, gridY, 1, blockX, blockY, 1, 0, null, params,
                null), "cuLaunchKernel", "");
        CudaException.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize", "");
    }
}
