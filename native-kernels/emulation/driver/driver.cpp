// An emulated CUDA driver (libcuda.so.1) for testing jcnn's CUDA backend on machines without a GPU: JCuda's driver
// binding links against it in place of NVIDIA's. It implements the driver API entry points the backend reaches on
// host memory, and runs each kernel launch by calling the same .cu sources compiled for the host (kernels.cpp).
//
// It is built to make bugs visible, not to hide them:
// - Each stream is a queue that runs, in order, only when something waits for it (a synchronous copy, a stream or
//   event synchronisation, a wait of another stream); a copy takes effect only when its stream runs. A missing
//   wait therefore reads stale or poisoned data instead of racing to the right answer.
// - Fresh and freed device memory is filled with a NaN pattern; each block has guard bytes on both sides, checked
//   after each kernel that touches the block and when it is freed. Freed blocks stay quarantined for a while, so a
//   stale pointer is recognised as one.
// - A freed pointer, a range past the end of its block, a destroyed stream, event or module, or a call without a
//   current context fails with the driver's error code and a line on stderr ("jcnn CUDA emulator: ..."), counted
//   in the MISUSES attribute that tests check.
// - The primary context is reference counted; when the count falls to zero everything in it is destroyed, and
//   whatever was still alive is reported as a leak.
// All calls are serialised by one lock; kernels run on the thread that makes a stream run. This file holds the
// devices, the context and the report channel; memory.cpp, streams.cpp and modules.cpp the rest (state.h).
#include "state.h"

namespace jcnn_emulator {

int device_count() {
    static const int count = [] {
        const char* value = std::getenv("JCNN_CUDA_EMULATOR_DEVICES");
        int n = value != nullptr ? std::atoi(value) : 1;
        return n >= 1 && n <= 16 ? n : 1;
    }();
    return count;
}

size_t total_memory() {
    const char* configured = std::getenv("JCNN_CUDA_EMULATOR_MEMORY");
    return configured != nullptr ? std::strtoull(configured, nullptr, 10) : (size_t) 2 << 30;
}

std::string hex(CUdeviceptr p) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%llx", p);
    return text;
}


double now_millis() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

std::string describe(const Block& b) {
    return std::string(b.pinned ? "pinned host block #" : "device block #") + std::to_string(b.id) + " (" +
           std::to_string(b.bytes) + " bytes at " + hex(b.start) + ")";
}

const Block* find(const std::map<CUdeviceptr, Block>& map, CUdeviceptr p) {
    auto it = map.upper_bound(p);
    if (it == map.begin()) return nullptr;
    --it;
    return p >= it->first && p < it->first + it->second.bytes ? &it->second : nullptr;
}

// Why [p, p + bytes) is not inside one live block of map, or "" when it is.
std::string check_range(const std::map<CUdeviceptr, Block>& map, CUdeviceptr p, size_t bytes) {
    const Block* b = find(map, p);
    if (b != nullptr) {
        if (p + bytes <= b->start + b->bytes) return "";
        return std::to_string(bytes) + " bytes at " + hex(p) + " run " + std::to_string(p + bytes - b->start -
               b->bytes) + " bytes past the end of " + describe(*b);
    }
    for (const Block& q : quarantine) {
        if (p >= q.start && p < q.start + q.bytes) return hex(p) + " is in " + describe(q) + ", already freed";
    }
    return hex(p) + " is not in any live allocation";
}

CUresult misuse(CUresult status, const std::string& message) {
    report(message);
    return status;
}

}  // namespace jcnn_emulator

namespace {

void destroy_context() {
    run_all();
    long blocksLeft = (long) blocks.size(), pinnedLeft = (long) pinned.size(), streamsLeft = 0, eventsLeft = 0,
         modulesLeft = 0;
    for (auto& [start, b] : blocks) free_raw(b);
    for (auto& [start, b] : pinned) free_raw(b);
    blocks.clear();
    pinned.clear();
    used = 0;
    for (EmulatedStream* s : streams) streamsLeft += s->alive, s->alive = false;
    for (CUevent e : events) eventsLeft += e->alive, e->alive = false;
    for (CUmodule m : modules) modulesLeft += m->alive, m->alive = false;
    long left = blocksLeft + pinnedLeft + streamsLeft + eventsLeft + modulesLeft;
    if (left > 0) {
        leaks += left;
        std::fprintf(stderr, "jcnn CUDA emulator: primary context destroyed with %ld device blocks, %ld pinned blocks, "
                     "%ld streams, %ld events and %ld modules still alive\n", blocksLeft, pinnedLeft, streamsLeft,
                     eventsLeft, modulesLeft);
    }
    primary.sticky = SUCCESS;
}

}  // namespace

// ---- shared with the emulated cuBLAS ----

namespace jcnn_emulator {

void report(const std::string& message) {
    misuses++;
    std::fprintf(stderr, "jcnn CUDA emulator: %s\n", message.c_str());
    std::fflush(stderr);
}

bool take_fault(FaultCall call) {
    if (faults[call] < 0) return false;
    if (faults[call]-- > 0) return false;
    return true;
}

CUresult require_context(const char* call) {
    if (!initialized) return NOT_INITIALIZED;
    if (current == nullptr) return misuse(INVALID_CONTEXT, std::string(call) + ": no current context on this thread");
    if (current->references == 0)
        return misuse(CONTEXT_IS_DESTROYED, std::string(call) + ": the current context was released");
    return current->sticky;
}


void count_cublas_handle(int delta) {
    std::lock_guard guard(lock);
    cublas_handles += delta;
}

}  // namespace jcnn_emulator

// ---- the driver API ----

extern "C" {

CUresult cuInit(unsigned flags) {
    LOCKED;
    if (flags != 0) return INVALID_VALUE;
    initialized = true;
    return SUCCESS;
}

CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return INVALID_VALUE;
    *version = DRIVER_VERSION;
    return SUCCESS;
}

CUresult cuDeviceGetCount(int* count) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    *count = device_count();
    return SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (ordinal < 0 || ordinal >= device_count()) return INVALID_DEVICE;
    *device = ordinal;
    return SUCCESS;
}

CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device < 0 || device >= device_count()) return INVALID_DEVICE;
    std::snprintf(name, length, "%s", "jcnn CUDA emulator (host CPU)");
    return SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device < 0 || device >= device_count()) return INVALID_DEVICE;
    *bytes = total_memory();
    return SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device < 0 || device >= device_count()) return INVALID_DEVICE;
    if (attribute >= ATTRIBUTE_BASE && attribute < ATTRIBUTE_BASE + 64) {
        long queued = (long) legacy.queue.size();
        for (EmulatedStream* s : streams) queued += s->alive ? (long) s->queue.size() : 0;
        long live[] = {1, primary.references, (long) blocks.size(), (long) pinned.size(), 0, 0, 0, launches_run,
                       misuses, leaks, cublas_handles, queued};
        for (EmulatedStream* s : streams) live[LIVE_STREAMS] += s->alive;
        for (CUevent e : events) live[LIVE_EVENTS] += e->alive;
        for (CUmodule m : modules) live[LIVE_MODULES] += m->alive;
        int index = attribute - ATTRIBUTE_BASE;
        if (index >= (int) (sizeof live / sizeof live[0])) return INVALID_VALUE;
        *value = (int) live[index];
        return SUCCESS;
    }
    switch (attribute) {
        case 1: *value = 1024; break;                  // max threads per block
        case 2: case 3: *value = 1024; break;          // max block x, y
        case 4: *value = 64; break;                    // max block z
        case 5: *value = 0x7FFFFFFF; break;            // max grid x
        case 6: case 7: *value = 65535; break;         // max grid y, z
        case 8: *value = 48 * 1024; break;             // shared memory per block
        case 10: *value = 32; break;                   // warp size
        case 16: *value = 1; break;                    // multiprocessors
        case 75: *value = 8; break;                    // compute capability major
        case 76: *value = 0; break;                    // compute capability minor
        default: *value = 0;
    }
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext* context, CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device < 0 || device >= device_count()) return INVALID_DEVICE;
    primary.references++;
    *context = &primary;
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device < 0 || device >= device_count()) return INVALID_DEVICE;
    if (primary.references == 0) return misuse(INVALID_CONTEXT, "cuDevicePrimaryCtxRelease: the context is not retained");
    if (--primary.references == 0) destroy_context();
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxGetState(CUdevice device, unsigned* flags, int* active) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device < 0 || device >= device_count()) return INVALID_DEVICE;
    *flags = 0;
    *active = primary.references > 0;
    return SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext context) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (context != nullptr && context != &primary) return misuse(INVALID_CONTEXT, "cuCtxSetCurrent: not a context");
    current = context;
    return SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext* context) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    *context = current;
    return SUCCESS;
}

CUresult cuCtxGetDevice(CUdevice* device) {
    LOCKED;
    REQUIRE_CONTEXT("cuCtxGetDevice");
    *device = 0;
    return SUCCESS;
}

CUresult cuCtxSynchronize() {
    LOCKED;
    REQUIRE_CONTEXT("cuCtxSynchronize");
    run_all();
    return primary.sticky;
}

CUresult cuCtxSetLimit(int limit, size_t value) {
    LOCKED;
    if (limit >= FAULT_BASE && limit < FAULT_BASE + FAULT_CALLS) {
        faults[limit - FAULT_BASE] = value > ((size_t) 1 << 62) ? -1 : (long) value;
        return SUCCESS;
    }
    REQUIRE_CONTEXT("cuCtxSetLimit");
    return limit >= 0 && limit <= 5 ? SUCCESS : INVALID_VALUE;
}

}  // extern "C"
