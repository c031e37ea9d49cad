// The emulated driver's memory: device and pinned blocks on the host, poisoned when fresh and when freed, guarded
// on both sides and quarantined after free; synchronous and asynchronous copies and memsets, queued on streams.
#include "state.h"

namespace jcnn_emulator {

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

}  // namespace jcnn_emulator

extern "C" {

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

}  // extern "C"
