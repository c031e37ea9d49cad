// What the emulated CUDA driver (libcuda.so.1) shares with the emulated cuBLAS (libcublas.so.12) and its kernel
// table: the few driver types they both see, the stream queue host work goes through, and the report channel.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct EmulatedStream* CUstream;

namespace jcnn_emulator {

enum : CUresult {
    SUCCESS = 0,
    INVALID_VALUE = 1,
    OUT_OF_MEMORY = 2,
    NOT_INITIALIZED = 3,
    INVALID_DEVICE = 101,
    INVALID_IMAGE = 200,
    INVALID_CONTEXT = 201,
    INVALID_PTX = 218,
    INVALID_HANDLE = 400,
    NOT_FOUND = 500,
    NOT_READY = 600,
    ILLEGAL_ADDRESS = 700,
    CONTEXT_IS_DESTROYED = 709,
    LAUNCH_FAILED = 719,
    NOT_SUPPORTED = 801,
};

// Emulator-only device attributes (cuDeviceGetAttribute) and limits (cuCtxSetLimit), far above CUDA's own: the
// way tests inspect the emulator and inject failures through the ordinary driver API. A real driver answers
// CUDA_ERROR_INVALID_VALUE to them. Mirrored by io.jcnn.backend.cuda.CudaEmulator in the tests.
constexpr int ATTRIBUTE_BASE = 0x4A430000;
enum Attribute : int {
    IS_EMULATOR = 0,          // 1
    CONTEXT_REFERENCES = 1,   // the primary context's reference count
    LIVE_ALLOCATIONS = 2,     // device blocks not freed
    LIVE_PINNED = 3,          // pinned host blocks not freed
    LIVE_STREAMS = 4,         // streams created and not destroyed (the default stream not counted)
    LIVE_EVENTS = 5,
    LIVE_MODULES = 6,
    LAUNCHES_RUN = 7,         // kernels and cuBLAS calls executed so far (not merely queued)
    MISUSES = 8,              // misuses reported so far: each also printed to stderr
    LEAKS = 9,                // objects still alive when a context was destroyed
    LIVE_CUBLAS_HANDLES = 10,
    QUEUED_OPS = 11,          // operations queued on every stream and not run yet
};
// cuCtxSetLimit(FAULT_BASE + call, n): the call fails once after n more successes (n = -1 cancels).
constexpr int FAULT_BASE = 0x4A431000;
enum FaultCall : int {
    STREAM_CREATE = 0,   // cuStreamCreate: CUDA_ERROR_OUT_OF_MEMORY
    EVENT_CREATE = 1,    // cuEventCreate: CUDA_ERROR_OUT_OF_MEMORY
    MODULE_LOAD = 2,     // cuModuleLoadData(Ex): CUDA_ERROR_INVALID_PTX
    MEM_ALLOC = 3,       // cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY
    MEM_ALLOC_HOST = 4,  // cuMemAllocHost: CUDA_ERROR_OUT_OF_MEMORY
    CUBLAS_CREATE = 5,   // cublasCreate: CUBLAS_STATUS_NOT_INITIALIZED
    FAULT_CALLS = 6,
};

// A device range an operation reads or writes: checked against the live allocations when it is queued and again
// when it runs.
struct Range {
    CUdeviceptr start;
    size_t bytes;
    std::string role;
};

// Prints "jcnn CUDA emulator: <message>" to stderr and counts a misuse.
void report(const std::string& message);
// Whether the injected fault for call fires now.
bool take_fault(FaultCall call);
// SUCCESS when the calling thread has a live current context, else the error a driver call would return.
CUresult require_context(const char* call);
// Whether stream is the default stream or one created and not destroyed, in the current context.
bool stream_alive(CUstream stream);
// Queues host work on a stream, in order with its kernels and copies; the ranges must lie in live allocations.
CUresult enqueue(CUstream stream, const std::string& what, std::vector<Range> ranges, std::function<void()> work);
// Counts a live cuBLAS handle up or down, for LIVE_CUBLAS_HANDLES.
void count_cublas_handle(int delta);

}  // namespace jcnn_emulator
