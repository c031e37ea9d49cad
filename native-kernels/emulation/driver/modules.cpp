// The emulated driver's modules and launches: a module's PTX entries are matched, by name and parameter sizes, to
// the kernels compiled for the host (kernels.cpp); a launch copies its arguments, checks its pointers against the
// live blocks and queues the kernel on its stream.
#include <array>
#include <sstream>

#include "state.h"

namespace {

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

extern "C" {

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

}  // extern "C"
