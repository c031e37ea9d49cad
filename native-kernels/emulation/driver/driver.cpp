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
// All calls are serialised by one lock; kernels run on the thread that makes a stream run.
#include "emulator.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "kernels.h"

using namespace jcnn_emulator;

struct EmulatedContext;
struct EmulatedModule;
typedef EmulatedContext* CUcontext;
typedef struct EmulatedEvent* CUevent;
typedef EmulatedModule* CUmodule;
typedef struct EmulatedFunction* CUfunction;

namespace {

constexpr uint32_t FRESH_WORD = 0x7FF8DEAD;   // a NaN as float, and as double in pairs
constexpr uint32_t FREED_WORD = 0x7FF8FEED;
constexpr uint32_t GUARD_WORD = 0x7FF8BAD0;
constexpr size_t GUARD_BYTES = 256;
constexpr size_t ALIGNMENT = 256;
constexpr size_t QUARANTINE_BYTES = 256u << 20;
constexpr unsigned STREAM_NON_BLOCKING = 0x1;
constexpr unsigned EVENT_DISABLE_TIMING = 0x2;
constexpr int DRIVER_VERSION = 12080;

std::recursive_mutex lock;
bool initialized = false;
long misuses = 0;
long leaks = 0;
long launches_run = 0;
long cublas_handles = 0;
long faults[FAULT_CALLS] = {-1, -1, -1, -1, -1, -1};

size_t total_memory() {
    const char* configured = std::getenv("JCNN_CUDA_EMULATOR_MEMORY");
    return configured != nullptr ? std::strtoull(configured, nullptr, 10) : (size_t) 2 << 30;
}

std::string hex(CUdeviceptr p) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%llx", p);
    return text;
}

// A device or pinned host block: [start, start + bytes), with guards in [raw, start) and after the end.
struct Block {
    char* raw = nullptr;
    CUdeviceptr start = 0;
    size_t bytes = 0;
    size_t rawBytes = 0;
    long id = 0;
    bool pinned = false;
};

void fill_words(char* from, char* to, char* base, uint32_t word) {
    for (char* p = from; p < to; p++) *p = reinterpret_cast<const char*>(&word)[(p - base) % 4];
}

// First byte of b's guards that is not the guard pattern, or null.
const char* broken_guard(const Block& b) {
    char* start = reinterpret_cast<char*>(b.start);
    for (char* p = b.raw; p < start; p++)
        if (*p != reinterpret_cast<const char*>(&GUARD_WORD)[(p - b.raw) % 4]) return p;
    for (char* p = start + b.bytes; p < b.raw + b.rawBytes; p++)
        if (*p != reinterpret_cast<const char*>(&GUARD_WORD)[(p - b.raw) % 4]) return p;
    return nullptr;
}

struct Record {
    bool done = false;
    double millis = 0;
    EmulatedStream* stream = nullptr;
};

struct Op {
    std::string what;
    std::vector<Range> ranges;
    std::function<void()> work;
    const EmulatedModule* module = nullptr;
};

}  // namespace

struct EmulatedStream {
    unsigned flags = 0;
    bool alive = true;
    bool running = false;
    bool isDefault = false;
    std::deque<Op> queue;
};

struct EmulatedEvent {
    unsigned flags = 0;
    bool alive = true;
    std::shared_ptr<Record> last;
};

struct EmulatedModule {
    bool alive = true;
    std::map<std::string, CUfunction> functions;
};

struct EmulatedFunction {
    EmulatedModule* module;
    const Kernel* kernel;
    bool syncs;
    std::string name;
};

struct EmulatedContext {
    int references = 0;
    CUresult sticky = SUCCESS;
};

namespace {

EmulatedContext primary;
thread_local CUcontext current = nullptr;
EmulatedStream legacy = [] {
    EmulatedStream s;
    s.isDefault = true;
    return s;
}();

std::map<CUdeviceptr, Block> blocks;   // live device blocks by start
std::map<CUdeviceptr, Block> pinned;   // live pinned host blocks by start
std::deque<Block> quarantine;          // freed blocks, poisoned, kept to recognise stale pointers
size_t quarantined = 0;
size_t used = 0;
long next_block_id = 1;
std::set<EmulatedStream*> streams;     // every stream ever created (dead ones kept to recognise them)
std::set<CUevent> events;
std::set<CUmodule> modules;
std::set<CUfunction> functions;

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

void free_raw(Block& b) {
    std::free(b.raw);
    b.raw = nullptr;
}

void poison_and_quarantine(Block b) {
    fill_words(reinterpret_cast<char*>(b.start), reinterpret_cast<char*>(b.start) + b.bytes, b.raw, FREED_WORD);
    quarantined += b.rawBytes;
    quarantine.push_back(b);
    while (quarantined > QUARANTINE_BYTES && !quarantine.empty()) {
        quarantined -= quarantine.front().rawBytes;
        free_raw(quarantine.front());
        quarantine.pop_front();
    }
}

Block new_block(size_t bytes, bool isPinned) {
    Block b;
    size_t rounded = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    b.rawBytes = GUARD_BYTES + rounded + GUARD_BYTES;
    b.raw = static_cast<char*>(std::aligned_alloc(ALIGNMENT, b.rawBytes));
    if (b.raw == nullptr) return b;
    b.start = reinterpret_cast<CUdeviceptr>(b.raw + GUARD_BYTES);
    b.bytes = bytes;
    b.id = next_block_id++;
    b.pinned = isPinned;
    fill_words(b.raw, b.raw + b.rawBytes, b.raw, GUARD_WORD);
    fill_words(b.raw + GUARD_BYTES, b.raw + GUARD_BYTES + bytes, b.raw, FRESH_WORD);
    return b;
}

// ---- streams: queues that run only when waited for ----

bool operation_failed(const std::string& message) {
    report(message);
    if (primary.sticky == SUCCESS) primary.sticky = ILLEGAL_ADDRESS;
    return false;
}

bool ranges_live(const Op& op) {
    for (const Range& r : op.ranges) {
        const auto& map = r.role == "pinned source" || r.role == "pinned target" ? pinned : blocks;
        std::string why = check_range(map, r.start, r.bytes);
        if (!why.empty()) return operation_failed(op.what + " ran with its " + r.role + " freed: " + why);
    }
    return true;
}

void run_stream(EmulatedStream* s, const Record* until = nullptr);

void wait_for(const std::shared_ptr<Record>& record) {
    if (record->done) return;
    EmulatedStream* s = record->stream;
    if (s->running) {
        operation_failed("deadlock: a stream waits for an event recorded later on a stream that is waiting for it");
        return;
    }
    run_stream(s, record.get());
}

void run_stream(EmulatedStream* s, const Record* until) {
    if (s->running) return;  // already running further up this thread's stack
    s->running = true;
    while (!s->queue.empty() && !(until != nullptr && until->done)) {
        Op op = std::move(s->queue.front());
        s->queue.pop_front();
        if (primary.sticky == SUCCESS && ranges_live(op)) op.work();
    }
    s->running = false;
}

void run_all() {
    for (bool more = true; more;) {
        run_stream(&legacy);
        for (EmulatedStream* s : streams) {
            if (s->alive) run_stream(s);
        }
        more = !legacy.queue.empty();
        for (EmulatedStream* s : streams) more |= s->alive && !s->queue.empty();
    }
}

// An event record for s: done, with its time, once s has run up to it.
Op record_op(EmulatedStream* s, const std::shared_ptr<Record>& record) {
    record->stream = s;
    return Op{"event record", {}, [record] {
                  record->done = true;
                  record->millis = now_millis();
              }};
}

// A record at the end of s's queue, for an implicit dependency of another stream on s.
std::shared_ptr<Record> record_on(EmulatedStream* s) {
    auto record = std::make_shared<Record>();
    s->queue.push_back(record_op(s, record));
    return record;
}

void push_wait(EmulatedStream* s, std::shared_ptr<Record> record) {
    s->queue.push_back(Op{"stream wait", {}, [record] { wait_for(record); }});
}

// Appends op to s; the default stream and the blocking streams wait for each other, as the legacy default
// stream does.
void push(EmulatedStream* s, Op op) {
    if (s->isDefault) {
        for (EmulatedStream* other : streams) {
            if (other->alive && !(other->flags & STREAM_NON_BLOCKING) && !other->queue.empty())
                push_wait(s, record_on(other));
        }
    } else if (!(s->flags & STREAM_NON_BLOCKING) && !legacy.queue.empty()) {
        push_wait(s, record_on(&legacy));
    }
    s->queue.push_back(std::move(op));
}

EmulatedStream* resolve(CUstream s) {
    uintptr_t value = reinterpret_cast<uintptr_t>(s);
    return value <= 2 ? &legacy : static_cast<EmulatedStream*>(s);  // NULL, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD
}

CUresult check_stream(CUstream handle, const char* call) {
    EmulatedStream* s = resolve(handle);
    if (s == &legacy) return SUCCESS;
    if (streams.count(s) == 0) return misuse(INVALID_HANDLE, std::string(call) + ": not a stream of this driver");
    if (!s->alive) return misuse(INVALID_HANDLE, std::string(call) + ": the stream was destroyed");
    return SUCCESS;
}

CUresult check_event(CUevent e, const char* call) {
    if (events.count(e) == 0) return misuse(INVALID_HANDLE, std::string(call) + ": not an event of this driver");
    if (!e->alive) return misuse(INVALID_HANDLE, std::string(call) + ": the event was destroyed");
    return SUCCESS;
}

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

// ---- PTX: the entries of a module and their parameter sizes ----

size_t type_bytes(const std::string& type) {
    if (type.size() < 3) return 0;
    return std::strtoul(type.c_str() + 2, nullptr, 10) / 8;
}

struct Entry {
    std::string name;
    std::vector<size_t> sizes;
    bool syncs = false;
};

// Every ".entry name(.param ... ) { body }" of a PTX text.
std::vector<Entry> entries(const std::string& ptx) {
    std::vector<Entry> found;
    for (size_t at = ptx.find(".entry "); at != std::string::npos; at = ptx.find(".entry ", at + 1)) {
        Entry e;
        size_t open = ptx.find('(', at);
        size_t close = ptx.find(')', open);
        if (open == std::string::npos || close == std::string::npos) break;
        e.name = ptx.substr(at + 7, open - at - 7);
        e.name.erase(std::remove_if(e.name.begin(), e.name.end(), ::isspace), e.name.end());
        std::istringstream params(ptx.substr(open + 1, close - open - 1));
        std::string token;
        while (params >> token) {
            if (token != ".param") continue;
            std::string type, word;
            while (params >> word) {
                if (word[0] == '.' && word != ".ptr" && word != ".align" && word != ".global" && word != ".shared" &&
                    word != ".const" && word != ".local") {
                    type = word;
                } else if (word == ".align") {
                    params >> word;  // the alignment value
                } else if (word[0] != '.') {
                    break;  // the parameter's name
                }
            }
            size_t bytes = type_bytes(type);
            size_t bracket = word.find('[');
            if (bracket != std::string::npos) bytes *= std::strtoul(word.c_str() + bracket + 1, nullptr, 10);
            e.sizes.push_back(bytes);
        }
        size_t end = ptx.find("\n}", close);
        std::string body = ptx.substr(close, end == std::string::npos ? std::string::npos : end - close);
        e.syncs = body.find("bar.sync") != std::string::npos || body.find("barrier.sync") != std::string::npos;
        found.push_back(e);
    }
    return found;
}

std::string sizes_text(const std::vector<size_t>& sizes) {
    std::string text = "(";
    for (size_t i = 0; i < sizes.size(); i++) text += (i ? ", " : "") + std::to_string(sizes[i]);
    return text + ")";
}

CUresult load_module(CUmodule* module, const void* image, unsigned options, const int* keys, void** values) {
    if (CUresult status = require_context("cuModuleLoadData"); status != SUCCESS) return status;
    if (module == nullptr || image == nullptr) return INVALID_VALUE;
    char* log = nullptr;
    size_t logBytes = 0;
    for (unsigned i = 0; keys != nullptr && i < options; i++) {
        if (keys[i] == 5) log = static_cast<char*>(values[i]);                       // CU_JIT_ERROR_LOG_BUFFER
        if (keys[i] == 6) logBytes = reinterpret_cast<uintptr_t>(values[i]);         // ..._SIZE_BYTES
    }
    auto fail = [&](CUresult status, const std::string& message) {
        if (log != nullptr && logBytes > 0) std::snprintf(log, logBytes, "%s", message.c_str());
        return misuse(status, "cuModuleLoadData: " + message);
    };
    if (take_fault(MODULE_LOAD)) return fail(INVALID_PTX, "injected failure");
    std::string ptx(static_cast<const char*>(image));
    if (ptx.find(".version") == std::string::npos || ptx.find(".target") == std::string::npos)
        return fail(INVALID_IMAGE, "the image is not PTX text");
    auto* m = new EmulatedModule();
    for (const Entry& e : entries(ptx)) {
        const Kernel* kernel = nullptr;
        for (const Kernel& k : kernels()) {
            if (e.name == k.name) kernel = &k;
        }
        if (kernel == nullptr) {
            delete m;
            return fail(INVALID_PTX, "entry " + e.name + " has no host build in the emulator (add it to kernels.cpp)");
        }
        if (e.sizes != kernel->parameterSizes) {
            delete m;
            return fail(INVALID_PTX, "entry " + e.name + " takes parameters of " + sizes_text(e.sizes) +
                        " bytes in the PTX but " + sizes_text(kernel->parameterSizes) + " in the host build");
        }
        auto* f = new EmulatedFunction{m, kernel, e.syncs, e.name};
        functions.insert(f);
        m->functions[e.name] = f;
    }
    modules.insert(m);
    *module = m;
    return SUCCESS;
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

bool stream_alive(CUstream stream) {
    EmulatedStream* s = resolve(stream);
    return s == &legacy || (streams.count(s) > 0 && s->alive);
}

CUresult enqueue(CUstream stream, const std::string& what, std::vector<Range> ranges, std::function<void()> work) {
    std::lock_guard guard(lock);
    for (const Range& r : ranges) {
        std::string why = check_range(blocks, r.start, r.bytes);
        if (!why.empty()) return misuse(INVALID_VALUE, what + ": its " + r.role + " is not valid device memory: " + why);
    }
    push(resolve(stream), Op{what, std::move(ranges), [work = std::move(work)] {
                                 work();
                                 launches_run++;
                             }});
    return SUCCESS;
}

void count_cublas_handle(int delta) {
    std::lock_guard guard(lock);
    cublas_handles += delta;
}

}  // namespace jcnn_emulator

// ---- the driver API ----

#define LOCKED std::lock_guard guard(lock)
#define REQUIRE_CONTEXT(call) \
    if (CUresult status = require_context(call); status != SUCCESS) return status

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
    *count = 1;
    return SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (ordinal != 0) return INVALID_DEVICE;
    *device = 0;
    return SUCCESS;
}

CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device != 0) return INVALID_DEVICE;
    std::snprintf(name, length, "%s", "jcnn CUDA emulator (host CPU)");
    return SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device != 0) return INVALID_DEVICE;
    *bytes = total_memory();
    return SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device != 0) return INVALID_DEVICE;
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
    if (device != 0) return INVALID_DEVICE;
    primary.references++;
    *context = &primary;
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device != 0) return INVALID_DEVICE;
    if (primary.references == 0) return misuse(INVALID_CONTEXT, "cuDevicePrimaryCtxRelease: the context is not retained");
    if (--primary.references == 0) destroy_context();
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxGetState(CUdevice device, unsigned* flags, int* active) {
    LOCKED;
    if (!initialized) return NOT_INITIALIZED;
    if (device != 0) return INVALID_DEVICE;
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

// ---- memory ----

CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
    LOCKED;
    REQUIRE_CONTEXT("cuMemAlloc");
    if (pointer == nullptr || bytes == 0) return INVALID_VALUE;
    if (take_fault(MEM_ALLOC) || used + bytes > total_memory()) return OUT_OF_MEMORY;
    Block b = new_block(bytes, false);
    if (b.raw == nullptr) return OUT_OF_MEMORY;
    blocks[b.start] = b;
    used += bytes;
    *pointer = b.start;
    return SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
    LOCKED;
    REQUIRE_CONTEXT("cuMemFree");
    if (pointer == 0) return SUCCESS;
    auto it = blocks.find(pointer);
    if (it == blocks.end()) return misuse(INVALID_VALUE, "cuMemFree: " + check_range(blocks, pointer, 1) +
                                          " (not the start of a live device block)");
    run_all();  // as the driver does: freeing waits for the work queued before it
    Block b = it->second;
    blocks.erase(it);
    used -= b.bytes;
    if (const char* bad = broken_guard(b)) {
        report("cuMemFree: something wrote outside " + describe(b) + ", at offset " +
               std::to_string(bad - reinterpret_cast<char*>(b.start)));
    }
    poison_and_quarantine(b);
    return SUCCESS;
}

CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
    LOCKED;
    REQUIRE_CONTEXT("cuMemGetInfo");
    *total = total_memory();
    *free = *total - used;
    return SUCCESS;
}

CUresult cuMemAllocHost_v2(void** pointer, size_t bytes) {
    LOCKED;
    REQUIRE_CONTEXT("cuMemAllocHost");
    if (pointer == nullptr || bytes == 0) return INVALID_VALUE;
    if (take_fault(MEM_ALLOC_HOST)) return OUT_OF_MEMORY;
    Block b = new_block(bytes, true);
    if (b.raw == nullptr) return OUT_OF_MEMORY;
    pinned[b.start] = b;
    *pointer = reinterpret_cast<void*>(b.start);
    return SUCCESS;
}

CUresult cuMemHostAlloc(void** pointer, size_t bytes, unsigned) {
    return cuMemAllocHost_v2(pointer, bytes);
}

CUresult cuMemFreeHost(void* pointer) {
    LOCKED;
    REQUIRE_CONTEXT("cuMemFreeHost");
    auto it = pinned.find(reinterpret_cast<CUdeviceptr>(pointer));
    if (it == pinned.end()) return misuse(INVALID_VALUE, "cuMemFreeHost: " + check_range(pinned,
                                          reinterpret_cast<CUdeviceptr>(pointer), 1));
    run_all();
    Block b = it->second;
    pinned.erase(it);
    poison_and_quarantine(b);
    return SUCCESS;
}

}  // extern "C"

namespace {

// A copy on stream: device ranges are checked now and when it runs; a pinned host side is read or written when
// it runs, a pageable one is staged now (as the driver stages pageable copies).
CUresult copy(const char* call, EmulatedStream* s, CUdeviceptr dst, const void* hostSrc, CUdeviceptr src,
              void* hostDst, size_t bytes) {
    REQUIRE_CONTEXT(call);
    if (bytes == 0) return SUCCESS;
    std::vector<Range> ranges;
    auto device = [&](CUdeviceptr p, const char* role) -> CUresult {
        std::string why = check_range(blocks, p, bytes);
        if (!why.empty()) return misuse(INVALID_VALUE, std::string(call) + ": " + role + " " + why);
        ranges.push_back(Range{p, bytes, role});
        return SUCCESS;
    };
    if (dst != 0) {
        if (CUresult status = device(dst, "destination"); status != SUCCESS) return status;
    }
    if (src != 0) {
        if (CUresult status = device(src, "source"); status != SUCCESS) return status;
    }
    std::function<void()> work;
    if (hostSrc != nullptr) {
        CUdeviceptr h = reinterpret_cast<CUdeviceptr>(hostSrc);
        if (find(pinned, h) != nullptr && check_range(pinned, h, bytes).empty()) {
            ranges.push_back(Range{h, bytes, "pinned source"});
            work = [dst, hostSrc, bytes] { std::memcpy(reinterpret_cast<void*>(dst), hostSrc, bytes); };
        } else {
            auto staged = std::make_shared<std::vector<char>>(static_cast<const char*>(hostSrc),
                                                              static_cast<const char*>(hostSrc) + bytes);
            work = [dst, staged] { std::memcpy(reinterpret_cast<void*>(dst), staged->data(), staged->size()); };
        }
    } else if (hostDst != nullptr) {
        CUdeviceptr h = reinterpret_cast<CUdeviceptr>(hostDst);
        if (find(pinned, h) != nullptr) ranges.push_back(Range{h, bytes, "pinned target"});
        work = [hostDst, src, bytes] { std::memcpy(hostDst, reinterpret_cast<const void*>(src), bytes); };
    } else {
        work = [dst, src, bytes] { std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes); };
    }
    push(s, Op{call, std::move(ranges), std::move(work)});
    return SUCCESS;
}

CUresult copy_and_wait(const char* call, EmulatedStream* s, CUdeviceptr dst, const void* hostSrc, CUdeviceptr src,
                       void* hostDst, size_t bytes) {
    CUresult status = copy(call, s, dst, hostSrc, src, hostDst, bytes);
    if (status != SUCCESS) return status;
    run_stream(s);
    return primary.sticky;
}

CUresult memset32(const char* call, EmulatedStream* s, CUdeviceptr dst, unsigned value, size_t count) {
    REQUIRE_CONTEXT(call);
    std::string why = check_range(blocks, dst, 4 * count);
    if (!why.empty()) return misuse(INVALID_VALUE, std::string(call) + ": " + why);
    push(s, Op{call, {Range{dst, 4 * count, "destination"}}, [dst, value, count] {
                   std::fill_n(reinterpret_cast<unsigned*>(dst), count, value);
               }});
    return SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
    LOCKED;
    return copy_and_wait("cuMemcpyHtoD", &legacy, dst, src, 0, nullptr, bytes);
}

CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
    LOCKED;
    return copy_and_wait("cuMemcpyDtoH", &legacy, 0, nullptr, src, dst, bytes);
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
    LOCKED;
    return copy("cuMemcpyDtoD", &legacy, dst, nullptr, src, nullptr, bytes);
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream) {
    LOCKED;
    if (CUresult status = check_stream(stream, "cuMemcpyHtoDAsync"); status != SUCCESS) return status;
    return copy("cuMemcpyHtoDAsync", resolve(stream), dst, src, 0, nullptr, bytes);
}

CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, CUstream stream) {
    LOCKED;
    if (CUresult status = check_stream(stream, "cuMemcpyDtoHAsync"); status != SUCCESS) return status;
    if (find(pinned, reinterpret_cast<CUdeviceptr>(dst)) == nullptr)  // pageable: the driver copies synchronously
        return copy_and_wait("cuMemcpyDtoHAsync", resolve(stream), 0, nullptr, src, dst, bytes);
    return copy("cuMemcpyDtoHAsync", resolve(stream), 0, nullptr, src, dst, bytes);
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
    LOCKED;
    if (CUresult status = check_stream(stream, "cuMemcpyDtoDAsync"); status != SUCCESS) return status;
    return copy("cuMemcpyDtoDAsync", resolve(stream), dst, nullptr, src, nullptr, bytes);
}

CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned value, size_t count) {
    LOCKED;
    return memset32("cuMemsetD32", &legacy, dst, value, count);
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count, CUstream stream) {
    LOCKED;
    if (CUresult status = check_stream(stream, "cuMemsetD32Async"); status != SUCCESS) return status;
    return memset32("cuMemsetD32Async", resolve(stream), dst, value, count);
}

// ---- modules and launches ----

CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    LOCKED;
    return load_module(module, image, 0, nullptr, nullptr);
}

CUresult cuModuleLoadDataEx(CUmodule* module, const void* image, unsigned options, int* keys, void** values) {
    LOCKED;
    return load_module(module, image, options, keys, values);
}

CUresult cuModuleUnload(CUmodule module) {
    LOCKED;
    REQUIRE_CONTEXT("cuModuleUnload");
    if (modules.count(module) == 0) return misuse(INVALID_HANDLE, "cuModuleUnload: not a module of this driver");
    if (!module->alive) return misuse(INVALID_HANDLE, "cuModuleUnload: the module was already unloaded");
    long pending = 0;
    for (const Op& op : legacy.queue) pending += op.module == module;
    for (EmulatedStream* s : streams)
        for (const Op& op : s->queue) pending += op.module == module;
    if (pending > 0) {
        report("cuModuleUnload: " + std::to_string(pending) + " launches of its kernels are still queued "
               "(synchronise before unloading)");
        run_all();
    }
    module->alive = false;
    return SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name) {
    LOCKED;
    REQUIRE_CONTEXT("cuModuleGetFunction");
    if (modules.count(module) == 0 || !module->alive)
        return misuse(INVALID_HANDLE, "cuModuleGetFunction: the module is not loaded");
    auto it = module->functions.find(name);
    if (it == module->functions.end()) return NOT_FOUND;
    *function = it->second;
    return SUCCESS;
}

CUresult cuLaunchKernel(CUfunction f, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, CUstream stream, void** params, void** extra) {
    LOCKED;
    REQUIRE_CONTEXT("cuLaunchKernel");
    if (functions.count(f) == 0) return misuse(INVALID_HANDLE, "cuLaunchKernel: not a function of this driver");
    std::string what = "kernel " + f->name;
    if (!f->module->alive) return misuse(INVALID_HANDLE, "cuLaunchKernel: " + what + "'s module was unloaded");
    if (CUresult status = check_stream(stream, "cuLaunchKernel"); status != SUCCESS) return status;
    if (gridX == 0 || gridY == 0 || gridZ == 0 || blockX == 0 || blockY == 0 || blockZ == 0 || blockX > 1024 ||
        blockY > 1024 || blockZ > 64 || (size_t) blockX * blockY * blockZ > 1024 || gridY > 65535 || gridZ > 65535)
        return misuse(INVALID_VALUE, "cuLaunchKernel: " + what + " launched with an invalid grid or block");
    if (sharedBytes != 0 || extra != nullptr)
        return misuse(NOT_SUPPORTED, "cuLaunchKernel: " + what + ": dynamic shared memory and extra are not emulated");
    const Kernel& k = *f->kernel;
    size_t count = k.parameterSizes.size();
    if (count > 0 && params == nullptr) return misuse(INVALID_VALUE, "cuLaunchKernel: " + what + " without arguments");
    // The driver copies the arguments at launch; so does this.
    auto bytes = std::make_shared<std::vector<std::vector<char>>>();
    std::vector<Range> ranges;
    for (size_t i = 0; i < count; i++) {
        const char* value = static_cast<const char*>(params[i]);
        bytes->emplace_back(value, value + k.parameterSizes[i]);
        if (k.pointerParameters[i]) {
            CUdeviceptr p;
            std::memcpy(&p, value, sizeof p);
            std::string role = "argument " + std::to_string(i + 1) + " (a pointer)";
            std::string why = p == 0 ? "" : check_range(blocks, p, 1);
            if (!why.empty()) return misuse(INVALID_VALUE, "cuLaunchKernel: " + what + ": " + role + " " + why);
            if (p != 0) ranges.push_back(Range{p, 1, role});
        }
    }
    std::array<unsigned, 6> shape = {gridX, gridY, gridZ, blockX, blockY, blockZ};
    Op op{what, ranges, [f, bytes, ranges, shape, what] {
              std::vector<void*> pointers;
              for (auto& b : *bytes) pointers.push_back(b.data());
              unsigned grid[3] = {shape[0], shape[1], shape[2]};
              unsigned block[3] = {shape[3], shape[4], shape[5]};
              run_kernel(*f->kernel, grid, block, f->syncs, pointers.data());
              launches_run++;
              for (const Range& r : ranges) {
                  const Block* touched = find(blocks, r.start);
                  if (touched != nullptr && broken_guard(*touched) != nullptr)
                      operation_failed(what + " wrote outside " + describe(*touched));
              }
          }};
    op.module = f->module;
    push(resolve(stream), std::move(op));
    return SUCCESS;
}

// ---- streams and events ----

CUresult cuStreamCreate(CUstream* stream, unsigned flags) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamCreate");
    if (take_fault(STREAM_CREATE)) return OUT_OF_MEMORY;
    auto* s = new EmulatedStream();
    s->flags = flags;
    streams.insert(s);
    *stream = s;
    return SUCCESS;
}

CUresult cuStreamCreateWithPriority(CUstream* stream, unsigned flags, int) {
    return cuStreamCreate(stream, flags);
}

CUresult cuStreamDestroy_v2(CUstream stream) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamDestroy");
    if (resolve(stream) == &legacy) return misuse(INVALID_HANDLE, "cuStreamDestroy: the default stream");
    if (CUresult status = check_stream(stream, "cuStreamDestroy"); status != SUCCESS) return status;
    run_stream(stream);  // its queued work still completes, as on a GPU
    stream->alive = false;
    return SUCCESS;
}

CUresult cuStreamSynchronize(CUstream stream) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamSynchronize");
    if (CUresult status = check_stream(stream, "cuStreamSynchronize"); status != SUCCESS) return status;
    run_stream(resolve(stream));
    return primary.sticky;
}

CUresult cuStreamQuery(CUstream stream) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamQuery");
    if (CUresult status = check_stream(stream, "cuStreamQuery"); status != SUCCESS) return status;
    // A query never makes the device progress: only a wait does. So code that polls instead of waiting, or that
    // assumes a copy has landed because time passed, sees it still busy.
    return resolve(stream)->queue.empty() ? SUCCESS : NOT_READY;
}

CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned flags) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamWaitEvent");
    if (CUresult status = check_stream(stream, "cuStreamWaitEvent"); status != SUCCESS) return status;
    if (CUresult status = check_event(event, "cuStreamWaitEvent"); status != SUCCESS) return status;
    if (flags != 0) return INVALID_VALUE;
    if (event->last != nullptr && !event->last->done) push(resolve(stream), Op{"stream wait", {}, [r = event->last] {
                                                                                    wait_for(r);
                                                                                }});
    return SUCCESS;
}

CUresult cuEventCreate(CUevent* event, unsigned flags) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventCreate");
    if (take_fault(EVENT_CREATE)) return OUT_OF_MEMORY;
    auto* e = new EmulatedEvent();
    e->flags = flags;
    events.insert(e);
    *event = e;
    return SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent event) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventDestroy");
    if (CUresult status = check_event(event, "cuEventDestroy"); status != SUCCESS) return status;
    event->alive = false;  // a record still queued completes, as on a GPU
    return SUCCESS;
}

CUresult cuEventRecord(CUevent event, CUstream stream) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventRecord");
    if (CUresult status = check_event(event, "cuEventRecord"); status != SUCCESS) return status;
    if (CUresult status = check_stream(stream, "cuEventRecord"); status != SUCCESS) return status;
    EmulatedStream* s = resolve(stream);
    auto record = std::make_shared<Record>();
    push(s, record_op(s, record));
    event->last = record;
    return SUCCESS;
}

CUresult cuEventSynchronize(CUevent event) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventSynchronize");
    if (CUresult status = check_event(event, "cuEventSynchronize"); status != SUCCESS) return status;
    if (event->last != nullptr) wait_for(event->last);
    return primary.sticky;
}

CUresult cuEventQuery(CUevent event) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventQuery");
    if (CUresult status = check_event(event, "cuEventQuery"); status != SUCCESS) return status;
    return event->last == nullptr || event->last->done ? SUCCESS : NOT_READY;  // no progress, as cuStreamQuery
}

CUresult cuEventElapsedTime(float* millis, CUevent start, CUevent end) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventElapsedTime");
    if (CUresult status = check_event(start, "cuEventElapsedTime"); status != SUCCESS) return status;
    if (CUresult status = check_event(end, "cuEventElapsedTime"); status != SUCCESS) return status;
    if ((start->flags | end->flags) & EVENT_DISABLE_TIMING) return INVALID_HANDLE;
    if (start->last == nullptr || end->last == nullptr) return INVALID_HANDLE;
    if (!start->last->done || !end->last->done) return NOT_READY;
    *millis = (float) (end->last->millis - start->last->millis);
    return SUCCESS;
}

}  // extern "C"
