package io.jcnn.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;

/**
 * jcnn's PTX modules loaded into the current context and every {@link CudaKernel} resolved, all when the backend
 * starts: a module the driver cannot compile fails with the driver's JIT error log, a missing kernel with its name.
 */
final class LoadedKernels implements AutoCloseable {
    private static final int LOG_BYTES = 16 * 1024;

    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    private final Map<CudaKernel, CUfunction> functions = new EnumMap<>(CudaKernel.class);

    LoadedKernels() {
        try {
            for (CudaKernel kernel : CudaKernel.values()) {
                CUmodule module = modules.computeIfAbsent(kernel.module(), name -> load(kernel.resource(), name));
                CUfunction function = new CUfunction();
                CudaException.check(JCudaDriver.cuModuleGetFunction(function, module, kernel.entry()),
                        "cuModuleGetFunction", "kernel " + kernel.entry() + " in " + kernel.module() + ".ptx");
                functions.put(kernel, function);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    CUfunction function(CudaKernel kernel) {
        return functions.get(kernel);
    }

    private static CUmodule load(String resource, String name) {
        byte[] ptx;
        try (InputStream in = LoadedKernels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new CudaException("cuda: PTX module " + resource + " is missing from this build");
            }
            // The driver reads the PTX as a NUL-terminated string.
            byte[] text = in.readAllBytes();
            ptx = Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: cannot read PTX module " + resource, e);
        }
        JITOptions options = new JITOptions();
        options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[LOG_BYTES]);
        options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, LOG_BYTES);
        CUmodule module = new CUmodule();
        int status = JCudaDriver.cuModuleLoadDataJIT(module, Pointer.to(ptx), options);
        if (status != 0) {
            String log = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
            String hint = status == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION
                    ? "; the NVIDIA driver is older than this PTX (ISA 8.0, CUDA 12.0): " + CudaProbe.DRIVER_FIX : "";
            CudaException.check(status, "cuModuleLoadData", "module " + name + ".ptx; JIT log: "
                    + (log == null || log.isBlank() ? "(empty)" : log.strip()) + hint);
        }
        return module;
    }

    @Override
    public void close() {
        for (CUmodule module : modules.values()) {
            JCudaDriver.cuModuleUnload(module);
        }
        modules.clear();
        functions.clear();
    }
}
