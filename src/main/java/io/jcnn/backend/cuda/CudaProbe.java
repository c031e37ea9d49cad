package io.jcnn.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;
import jcuda.libraryPropertyType;

/**
 * What of the CUDA stack this machine has, each part probed on its own so that a missing library costs only its
 * tier: the NVIDIA driver and its devices (our own PTX kernels need nothing else), cuBLAS 12 (libcublas.so.12) and
 * cuDNN 9 (libcudnn.so.9), and the PTX kernels bundled in this build. Probed once per JVM: a JCuda binding whose
 * native library failed to load cannot be retried.
 *
 * @param driver  the NVIDIA driver: its CUDA version, or what is missing
 * @param devices the CUDA devices the driver reports (empty without a driver)
 * @param cublas  cuBLAS: its version, or what is missing
 * @param cudnn   cuDNN: its version, or what is missing
 * @param kernels jcnn's PTX kernels in this build
 */
public record CudaProbe(Component driver, List<CudaDevice> devices, Component cublas, Component cudnn,
                        Component kernels) {

    /** One part of the stack: whether it loaded, and its version, or why not and what to install. */
    public record Component(String name, boolean loaded, String detail) {
    }

    /** A device as the driver reports it. */
    public record CudaDevice(int ordinal, String name, int major, int minor, long memoryBytes) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d: %s, compute capability %d.%d, %.1f GiB", ordinal, name, major,
                    minor, memoryBytes / (double) (1L << 30));
        }
    }

    /** The oldest GPUs the PTX kernels (compute_75) run on: compute capability 7.5. */
    static final int MIN_MAJOR = 7;
    static final int MIN_MINOR = 5;
    /** The oldest driver API version jcnn runs on: CUDA 12.0 (driver 525.60). */
    static final int MIN_DRIVER_CUDA_VERSION = 12000;
    static final String DRIVER_FIX = "install the NVIDIA driver (525.60 or later, for CUDA 12)";
    static final String CUBLAS_FIX = "install cuBLAS for CUDA 12 (a CUDA 12.x toolkit, or the nvidia-cublas-cu12 "
            + "wheel) and add the folder holding libcublas.so.12 to LD_LIBRARY_PATH";
    static final String CUDNN_FIX = "install cuDNN 9 for CUDA 12 (NVIDIA's cuDNN 9 package, or the nvidia-cudnn-cu12 "
            + "wheel) and add the folder holding libcudnn.so.9 to LD_LIBRARY_PATH";

    private static final Pattern MISSING_LIBRARY = Pattern.compile("(lib[\\w.+-]*?\\.so[.\\d]*): cannot open shared");

    private static final class Once {
        static final CudaProbe RESULT = run();
    }

    private static CudaProbe run() {
        Component driver = probeDriver();
        List<CudaDevice> devices = driver.loaded() ? probeDevices() : List.of();
        Component cublas = probeCublas();
        if (devices.stream().anyMatch(d -> d.name().startsWith(EMULATOR_DEVICE))) {
            driver = new Component(driver.name(), true, "jcnn's emulated CUDA driver (kernels run on the host CPU; "
                    + "for tests, not a GPU), " + driver.detail());
            if (cublas.loaded()) {
                cublas = new Component(cublas.name(), true, "jcnn's emulated " + cublas.detail()
                        + " (a host GEMM; for tests)");
            }
        }
        CudaProbe probe = new CudaProbe(driver, devices, cublas, probeCudnn(), probeKernels());
        System.Logger log = System.getLogger(CudaProbe.class.getName());
        log.log(System.Logger.Level.DEBUG, () -> "CUDA probe:\n  " + String.join("\n  ", probe.lines()));
        return probe;
    }

    /** How the emulated driver (native-kernels/emulation/driver) names its device. */
    static final String EMULATOR_DEVICE = "jcnn CUDA emulator";

    /**
     * What the build's tests prove without a GPU, on the emulated driver, and what only a real GPU proves: printed
     * by {@code jcnn info}, so nobody mistakes a green build for a GPU run.
     */
    public static final List<String> TEST_COVERAGE = List.of(
            "without a GPU (every build, on jcnn's emulated CUDA driver): the backend's Java side (allocator, "
                    + "argument marshalling, streams, events, pinned uploads, plans, close, tier fallbacks), jcnn's "
                    + "kernels (their .cu sources compiled for the host), the cuBLAS tier's calls (a host GEMM "
                    + "behind the cuBLAS API) and multi-GPU training's NCCL calls (two emulated GPUs, host reductions "
                    + "behind the NCCL API)",
            "only on a real GPU: the PTX as the driver compiles it, timing and races between streams on hardware, "
                    + "cuDNN, cuBLAS and NCCL themselves, TF32");

    /** Whether this JVM's CUDA driver is jcnn's emulated one (tests), not NVIDIA's. */
    public boolean emulated() {
        return devices.stream().anyMatch(d -> d.name().startsWith(EMULATOR_DEVICE));
    }

    /** The probe's result for this JVM. */
    public static CudaProbe get() {
        return Once.RESULT;
    }

    /**
     * Null when a CUDA device can be used (driver loaded, device 0 present and new enough for the kernels), else why
     * not, in one line.
     */
    public String deviceUnavailableReason() {
        if (!driver.loaded()) {
            return driver.detail();
        }
        return devices.isEmpty() ? "the NVIDIA driver reports no CUDA device (" + driver.detail() + ")"
                : tooOldReason(devices.get(0));
    }

    /** Whether the library that {@code tier} adds loaded here: cuDNN, cuBLAS, or (for the kernels tier) our PTX. */
    public boolean loads(CudaTier tier) {
        return switch (tier) {
            case CUDNN -> cudnn.loaded();
            case CUBLAS -> cublas.loaded();
            case KERNELS -> kernels.loaded();
        };
    }

    /**
     * Why jcnn's kernels cannot run on {@code device}, or null: the PTX targets compute capability 7.5 (Turing), and
     * the driver cannot compile it for an older GPU.
     */
    static String tooOldReason(CudaDevice device) {
        boolean supported = device.major() > MIN_MAJOR || (device.major() == MIN_MAJOR && device.minor() >= MIN_MINOR);
        return supported ? null : "CUDA device " + device.ordinal() + " (" + device.name() + ") has compute capability "
                + device.major() + "." + device.minor() + "; jcnn's kernels need " + MIN_MAJOR + "." + MIN_MINOR
                + " (Turing) or newer";
    }

    /** Each component on one line, then the devices: what {@code jcnn info} prints. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Component c : List.of(driver, cublas, cudnn, kernels)) {
            lines.add(String.format(Locale.ROOT, "%-8s %-8s %s", c.name(), c.loaded() ? "loaded" : "missing",
                    c.detail()));
        }
        for (CudaDevice d : devices) {
            lines.add("device   " + d);
        }
        return lines;
    }

    // ---- probes ----

    private static Component probeDriver() {
        try {
            JCudaDriver.setExceptionsEnabled(false);
            int status = JCudaDriver.cuInit(0);
            int[] version = new int[1];
            JCudaDriver.cuDriverGetVersion(version);
            String cuda = "driver for CUDA " + version[0] / 1000 + "." + version[0] % 1000 / 10;
            String tooOld = version[0] > 0 ? driverTooOldReason(version[0]) : null;
            if (tooOld != null) {
                return new Component("driver", false, tooOld);
            }
            if (status == CUresult.CUDA_SUCCESS || status == CUresult.CUDA_ERROR_NO_DEVICE) {
                return new Component("driver", true, cuda);
            }
            return new Component("driver", false, cuda + ", but cuInit failed with "
                    + CUresult.stringFor(status) + "; check the driver installation (nvidia-smi)");
        } catch (LinkageError e) {
            return missing("driver", e, "libcuda.so.1", DRIVER_FIX);
        }
    }

    /**
     * Why a driver reporting {@code cudaVersion} (as cuDriverGetVersion: 1000·major + 10·minor) cannot run jcnn, or
     * null: the PTX kernels (ISA 8.0) and the CUDA 12 libraries need a driver for CUDA 12.0 or later. Without this
     * check an old driver would fail later, at the first kernel load, with a less helpful message.
     */
    static String driverTooOldReason(int cudaVersion) {
        if (cudaVersion >= MIN_DRIVER_CUDA_VERSION) {
            return null;
        }
        return "the NVIDIA driver supports CUDA " + cudaVersion / 1000 + "." + cudaVersion % 1000 / 10
                + " but jcnn needs CUDA 12.0 or later: " + DRIVER_FIX;
    }

    private static List<CudaDevice> probeDevices() {
        int[] count = new int[1];
        if (JCudaDriver.cuDeviceGetCount(count) != CUresult.CUDA_SUCCESS) {
            return List.of();
        }
        List<CudaDevice> devices = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice device = new CUdevice();
            JCudaDriver.cuDeviceGet(device, i);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, device);
            int[] major = new int[1];
            int[] minor = new int[1];
            JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                    device);
            JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                    device);
            long[] memory = new long[1];
            JCudaDriver.cuDeviceTotalMem(memory, device);
            devices.add(new CudaDevice(i, cString(name), major[0], minor[0], memory[0]));
        }
        return List.copyOf(devices);
    }

    private static Component probeCublas() {
        try {
            JCublas2.setExceptionsEnabled(false);
            int[] major = new int[1];
            int[] minor = new int[1];
            int[] patch = new int[1];
            JCublas2.cublasGetProperty(libraryPropertyType.MAJOR_VERSION, major);
            JCublas2.cublasGetProperty(libraryPropertyType.MINOR_VERSION, minor);
            JCublas2.cublasGetProperty(libraryPropertyType.PATCH_LEVEL, patch);
            return new Component("cuBLAS", true, "cuBLAS " + major[0] + "." + minor[0] + "." + patch[0]);
        } catch (LinkageError e) {
            return missing("cuBLAS", e, "libcublas.so.12", CUBLAS_FIX);
        }
    }

    private static Component probeCudnn() {
        try {
            JCudnn.setExceptionsEnabled(false);
            long version = JCudnn.cudnnGetVersion();
            return new Component("cuDNN", true, "cuDNN " + version / 10000 + "." + version % 10000 / 100 + "."
                    + version % 100);
        } catch (LinkageError e) {
            return missing("cuDNN", e, "libcudnn.so.9", CUDNN_FIX);
        }
    }

    /** Every module of {@link CudaKernel} present with each of its entries; our kernels need only the driver. */
    private static Component probeKernels() {
        Set<String> modules = new TreeSet<>();
        Set<CudaKernel> absent = EnumSet.noneOf(CudaKernel.class);
        for (CudaKernel kernel : CudaKernel.values()) {
            modules.add(kernel.module());
            String ptx = resource(kernel.resource());
            if (ptx == null || !ptx.contains(".entry " + kernel.entry() + "(")) {
                absent.add(kernel);
            }
        }
        if (!absent.isEmpty()) {
            return new Component("kernels", false, "this build lacks PTX kernels " + absent
                    + "; rebuild jcnn (native-kernels/build.sh writes them)");
        }
        return new Component("kernels", true, modules.size() + " PTX modules, " + CudaKernel.values().length
                + " kernels (compute_75, PTX ISA 8.0)");
    }

    private static String resource(String path) {
        try (InputStream in = CudaProbe.class.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** A component whose binding failed to load: the system library it could not open, and what to install. */
    static Component missing(String name, LinkageError e, String expectedLibrary, String fix) {
        String message = String.valueOf(e.getMessage());
        Matcher m = MISSING_LIBRARY.matcher(message);
        String library = m.find() ? m.group(1) : null;
        String what = library != null ? library + " not found"
                : "its JCuda binding failed to load (" + message.lines().findFirst().orElse("") + "; it needs "
                + expectedLibrary + ")";
        return new Component(name, false, what + ": " + fix);
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
