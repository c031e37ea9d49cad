// The emulated driver's internals, shared by its parts (driver.cpp: devices, the context, the report channel;
// memory.cpp: blocks, copies and memsets; streams.cpp: queues, streams and events; modules.cpp: PTX modules and
// launches). One process-wide lock, taken by every entry point, guards all of it.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "emulator.h"
#include "kernels.h"

struct EmulatedContext;
struct EmulatedModule;
typedef EmulatedContext* CUcontext;
typedef struct EmulatedEvent* CUevent;
typedef EmulatedModule* CUmodule;
typedef struct EmulatedFunction* CUfunction;

namespace jcnn_emulator {

inline constexpr uint32_t FRESH_WORD = 0x7FF8DEAD;   // a NaN as float, and as double in pairs
inline constexpr uint32_t FREED_WORD = 0x7FF8FEED;
inline constexpr uint32_t GUARD_WORD = 0x7FF8BAD0;
inline constexpr size_t GUARD_BYTES = 256;
inline constexpr size_t ALIGNMENT = 256;
inline constexpr size_t QUARANTINE_BYTES = 256u << 20;
inline constexpr unsigned STREAM_NON_BLOCKING = 0x1;
inline constexpr unsigned EVENT_DISABLE_TIMING = 0x2;
inline constexpr int DRIVER_VERSION = 12080;

// A device or pinned host block: [start, start + bytes), with guards in [raw, start) and after the end.
struct Block {
    char* raw = nullptr;
    CUdeviceptr start = 0;
    size_t bytes = 0;
    size_t rawBytes = 0;
    long id = 0;
    bool pinned = false;
};

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

}  // namespace jcnn_emulator

using namespace jcnn_emulator;

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

namespace jcnn_emulator {

inline std::recursive_mutex lock;
inline bool initialized = false;
inline long misuses = 0;
inline long leaks = 0;
inline long launches_run = 0;
inline long cublas_handles = 0;
inline long faults[FAULT_CALLS] = {-1, -1, -1, -1, -1, -1};

inline EmulatedContext primary;
inline thread_local CUcontext current = nullptr;
inline EmulatedStream legacy = [] {
    EmulatedStream s;
    s.isDefault = true;
    return s;
}();

inline std::map<CUdeviceptr, Block> blocks;   // live device blocks by start
inline std::map<CUdeviceptr, Block> pinned;   // live pinned host blocks by start
inline std::deque<Block> quarantine;          // freed blocks, poisoned, kept to recognise stale pointers
inline size_t quarantined = 0;
inline size_t used = 0;
inline long next_block_id = 1;
inline std::set<EmulatedStream*> streams;     // every stream ever created (dead ones kept to recognise them)
inline std::set<CUevent> events;
inline std::set<CUmodule> modules;
inline std::set<CUfunction> functions;

// ---- driver.cpp ----

// Devices reported: JCNN_CUDA_EMULATOR_DEVICES (1 to 16, default 1). They are views of one device: they share its
// primary context, memory and streams, which is enough to run one replica per device in one process.
int device_count();
size_t total_memory();
std::string hex(CUdeviceptr p);
double now_millis();
std::string describe(const Block& b);
// The live block of map holding p, or null.
const Block* find(const std::map<CUdeviceptr, Block>& map, CUdeviceptr p);
// Why [p, p + bytes) is not inside one live block of map, or "" when it is.
std::string check_range(const std::map<CUdeviceptr, Block>& map, CUdeviceptr p, size_t bytes);
// Reports message and returns status.
CUresult misuse(CUresult status, const std::string& message);

// ---- memory.cpp ----

const char* broken_guard(const Block& b);
void free_raw(Block& b);

// ---- streams.cpp ----

// Reports a failure found while a queue runs, and makes the context's error sticky, as a GPU fault does.
bool operation_failed(const std::string& message);
// Runs s's queue, up to and including until's record when given.
void run_stream(EmulatedStream* s, const Record* until = nullptr);
void wait_for(const std::shared_ptr<Record>& record);
void run_all();
Op record_op(EmulatedStream* s, const std::shared_ptr<Record>& record);
void push(EmulatedStream* s, Op op);
EmulatedStream* resolve(CUstream s);
CUresult check_stream(CUstream handle, const char* call);
CUresult check_event(CUevent e, const char* call);

}  // namespace jcnn_emulator

#define LOCKED std::lock_guard guard(lock)
#define REQUIRE_CONTEXT(call) \
    if (CUresult status = require_context(call); status != SUCCESS) return status
