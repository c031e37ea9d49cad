// An emulated NCCL 2 (libnccl.so.2) on top of the emulated driver, so that jcnn's NCCL collective runs without a GPU:
// communicators whose ranks are threads of one process, made by ncclCommInitAll or by ncclCommInitRank with a
// unique id, and the float all-reduce (sum, average) and broadcast that multi-device training uses, grouped or not.
//
// A collective call first checks its buffers against the live device allocations, waits for the work already queued
// on its stream, and then meets the other ranks: the last to arrive combines every rank's buffer, element by element
// in rank order (in float), and writes the result to every rank's output. Unlike NCCL, the call therefore returns
// only once every rank has made it; since device memory is host memory here, that is the only difference a caller
// can see. Aborting a communicator releases the ranks waiting with it.
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator.h"

using namespace jcnn_emulator;

typedef int ncclResult_t;
extern "C" CUresult cuStreamSynchronize(CUstream stream);

namespace {

enum : ncclResult_t {
    ncclSuccess = 0,
    ncclUnhandledCudaError = 1,
    ncclInternalError = 3,
    ncclInvalidArgument = 4,
    ncclInvalidUsage = 5,
    ncclRemoteError = 6,
};
constexpr int NCCL_VERSION_CODE = 22800;   // 2.28.0
constexpr int ncclFloat32 = 7;
constexpr int ncclSum = 0;
constexpr int ncclAvg = 4;
constexpr size_t UNIQUE_ID_BYTES = 128;

// The ranks of one communicator and the meeting point of their calls.
struct Clique {
    int size;
    std::mutex mutex;
    std::condition_variable changed;
    int joined = 0;
    bool aborted = false;
    long generation = 0;          // completed collective calls
    int arrived = 0;
    std::vector<const float*> inputs;
    std::vector<float*> outputs;
    std::vector<size_t> counts;
    std::vector<int> kinds;       // -1 broadcast, else the reduction

    explicit Clique(int n) : size(n), inputs(n), outputs(n), counts(n), kinds(n) {}
};

struct Comm {
    std::shared_ptr<Clique> clique;
    int rank;
    int device;
};

std::mutex registry_mutex;
std::map<std::string, std::shared_ptr<Clique>> cliques_by_id;   // cliques still being joined through a unique id
long next_id = 1;
thread_local int group_depth = 0;
thread_local std::vector<std::function<ncclResult_t()>> grouped;

ncclResult_t fail(ncclResult_t status, const std::string& message) {
    report(message);
    return status;
}

// Combines every rank's input into every rank's output; called by the last rank to arrive, under the clique's lock.
ncclResult_t combine(Clique& c, int root) {
    size_t count = c.counts[0];
    for (int r = 1; r < c.size; r++) {
        if (c.counts[r] != count || c.kinds[r] != c.kinds[0]) return ncclInvalidUsage;
    }
    std::vector<float> result(count);
    if (c.kinds[0] < 0) {
        std::memcpy(result.data(), c.inputs[root], count * sizeof(float));
    } else {
        for (size_t e = 0; e < count; e++) {
            float sum = c.inputs[0][e];
            for (int r = 1; r < c.size; r++) sum += c.inputs[r][e];
            result[e] = c.kinds[0] == ncclAvg ? sum / (float) c.size : sum;
        }
    }
    for (int r = 0; r < c.size; r++) std::memcpy(c.outputs[r], result.data(), count * sizeof(float));
    return ncclSuccess;
}

// One rank's part of a collective call: checks, waits for its stream, meets the other ranks.
ncclResult_t collective(const char* call, Comm* comm, const void* input, void* output, size_t count, int type,
                        int kind, int root, CUstream stream) {
    if (comm == nullptr) return fail(ncclInvalidArgument, std::string(call) + ": null communicator");
    if (type != ncclFloat32) return fail(ncclInvalidArgument, std::string(call) + ": only ncclFloat32 is emulated");
    if (kind >= 0 && kind != ncclSum && kind != ncclAvg)
        return fail(ncclInvalidArgument, std::string(call) + ": only ncclSum and ncclAvg are emulated");
    if (root < 0 || root >= comm->clique->size) return fail(ncclInvalidArgument, std::string(call) + ": bad root");
    if (require_context(call) != SUCCESS) return ncclUnhandledCudaError;
    size_t bytes = count * sizeof(float);
    std::vector<Range> ranges;
    if (count > 0) {
        if (kind >= 0 || comm->rank == root) ranges.push_back({(CUdeviceptr) input, bytes, "input"});
        ranges.push_back({(CUdeviceptr) output, bytes, "output"});
    }
    // Checks the ranges now, and puts the call in order with the stream's earlier work.
    if (enqueue(stream, call, ranges, [] {}) != SUCCESS) return ncclInvalidArgument;
    if (cuStreamSynchronize(stream) != SUCCESS) return ncclUnhandledCudaError;
    Clique& c = *comm->clique;
    std::unique_lock hold(c.mutex);
    if (c.aborted) return ncclRemoteError;
    c.inputs[comm->rank] = static_cast<const float*>(input);
    c.outputs[comm->rank] = static_cast<float*>(output);
    c.counts[comm->rank] = count;
    c.kinds[comm->rank] = kind;
    long generation = c.generation;
    if (++c.arrived == c.size) {
        ncclResult_t status = combine(c, root);
        c.arrived = 0;
        c.generation++;
        c.changed.notify_all();
        if (status != ncclSuccess) {
            c.aborted = true;
            return fail(status, std::string(call) + ": the ranks passed different counts or operations");
        }
        return ncclSuccess;
    }
    c.changed.wait(hold, [&] { return c.generation != generation || c.aborted; });
    return c.generation != generation ? ncclSuccess : ncclRemoteError;
}

ncclResult_t run_or_group(std::function<ncclResult_t()> call) {
    if (group_depth > 0) {
        grouped.push_back(std::move(call));
        return ncclSuccess;
    }
    return call();
}

}  // namespace

typedef Comm* ncclComm_t;
typedef struct { char internal[UNIQUE_ID_BYTES]; } ncclUniqueId;

extern "C" {

ncclResult_t ncclGetVersion(int* version) {
    if (version == nullptr) return ncclInvalidArgument;
    *version = NCCL_VERSION_CODE;
    return ncclSuccess;
}

const char* ncclGetErrorString(ncclResult_t result) {
    switch (result) {
        case ncclSuccess: return "no error";
        case ncclUnhandledCudaError: return "unhandled cuda error (run with NCCL_DEBUG=INFO for details)";
        case ncclInternalError: return "internal error - please report this issue to the NCCL developers";
        case ncclInvalidArgument: return "invalid argument (run with NCCL_DEBUG=WARN for details)";
        case ncclInvalidUsage: return "invalid usage (run with NCCL_DEBUG=WARN for details)";
        case ncclRemoteError: return "remote process exited or there was a network error";
        default: return "unknown result code";
    }
}

const char* ncclGetLastError(ncclComm_t) {
    return "";
}

ncclResult_t ncclGetUniqueId(ncclUniqueId* id) {
    if (id == nullptr) return ncclInvalidArgument;
    std::lock_guard guard(registry_mutex);
    std::memset(id->internal, 0, UNIQUE_ID_BYTES);
    std::snprintf(id->internal, UNIQUE_ID_BYTES, "jcnn-emulated-nccl-%ld", next_id++);
    return ncclSuccess;
}

ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId id, int rank) {
    if (comm == nullptr || nranks < 1 || rank < 0 || rank >= nranks) return ncclInvalidArgument;
    std::string key(id.internal, strnlen(id.internal, UNIQUE_ID_BYTES));
    std::shared_ptr<Clique> clique;
    {
        std::lock_guard guard(registry_mutex);
        auto& slot = cliques_by_id[key];
        if (!slot) slot = std::make_shared<Clique>(nranks);
        clique = slot;
        if (clique->size != nranks)
            return fail(ncclInvalidUsage, "ncclCommInitRank: ranks of one unique id disagree on the rank count");
    }
    std::unique_lock hold(clique->mutex);
    if (++clique->joined == nranks) {
        std::lock_guard guard(registry_mutex);
        cliques_by_id.erase(key);
        clique->changed.notify_all();
    } else {
        clique->changed.wait(hold, [&] { return clique->joined == nranks || clique->aborted; });
        if (clique->aborted) return ncclRemoteError;
    }
    *comm = new Comm{clique, rank, rank};
    return ncclSuccess;
}

ncclResult_t ncclCommInitAll(ncclComm_t* comms, int ndev, const int* devlist) {
    if (comms == nullptr || ndev < 1) return ncclInvalidArgument;
    auto clique = std::make_shared<Clique>(ndev);
    clique->joined = ndev;
    for (int r = 0; r < ndev; r++) comms[r] = new Comm{clique, r, devlist != nullptr ? devlist[r] : r};
    return ncclSuccess;
}

ncclResult_t ncclCommDestroy(ncclComm_t comm) {
    delete comm;
    return ncclSuccess;
}

ncclResult_t ncclCommFinalize(ncclComm_t comm) {
    return comm == nullptr ? ncclInvalidArgument : ncclSuccess;
}

ncclResult_t ncclCommAbort(ncclComm_t comm) {
    if (comm == nullptr) return ncclSuccess;
    {
        std::lock_guard hold(comm->clique->mutex);
        comm->clique->aborted = true;
        comm->clique->changed.notify_all();
    }
    delete comm;
    return ncclSuccess;
}

ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* error) {
    if (comm == nullptr || error == nullptr) return ncclInvalidArgument;
    std::lock_guard hold(comm->clique->mutex);
    *error = comm->clique->aborted ? ncclRemoteError : ncclSuccess;
    return ncclSuccess;
}

ncclResult_t ncclCommCount(const ncclComm_t comm, int* count) {
    if (comm == nullptr || count == nullptr) return ncclInvalidArgument;
    *count = comm->clique->size;
    return ncclSuccess;
}

ncclResult_t ncclCommUserRank(const ncclComm_t comm, int* rank) {
    if (comm == nullptr || rank == nullptr) return ncclInvalidArgument;
    *rank = comm->rank;
    return ncclSuccess;
}

ncclResult_t ncclCommCuDevice(const ncclComm_t comm, int* device) {
    if (comm == nullptr || device == nullptr) return ncclInvalidArgument;
    *device = comm->device;
    return ncclSuccess;
}

ncclResult_t ncclAllReduce(const void* input, void* output, size_t count, int type, int op, ncclComm_t comm,
                           CUstream stream) {
    return run_or_group([=] {
        return collective("ncclAllReduce", comm, input, output, count, type, op, 0, stream);
    });
}

ncclResult_t ncclBroadcast(const void* input, void* output, size_t count, int type, int root, ncclComm_t comm,
                           CUstream stream) {
    return run_or_group([=] {
        return collective("ncclBroadcast", comm, input, output, count, type, -1, root, stream);
    });
}

ncclResult_t ncclGroupStart() {
    group_depth++;
    return ncclSuccess;
}

ncclResult_t ncclGroupEnd() {
    if (group_depth == 0) return fail(ncclInvalidUsage, "ncclGroupEnd without ncclGroupStart");
    if (--group_depth > 0) return ncclSuccess;
    std::vector<std::function<ncclResult_t()>> calls;
    calls.swap(grouped);
    for (auto& call : calls) {
        if (ncclResult_t status = call(); status != ncclSuccess) return status;
    }
    return ncclSuccess;
}

}  // extern "C"
