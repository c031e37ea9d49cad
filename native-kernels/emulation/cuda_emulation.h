// Just enough of CUDA to run jcnn's kernels on the host: kernels_test.cpp and the emulated CUDA driver
// (driver/) compile the same .cu sources against this header. A launch runs its blocks one after another on the
// calling thread. Within a block, a kernel that never synchronises runs its threads one after another; one that
// calls __syncthreads() runs each CUDA thread as a cooperative fiber that yields at the barrier, so a barrier costs
// a register switch, not an OS thread per CUDA thread. __shared__ arrays are plain statics: exactly one block runs
// at a time. Not re-entrant: one launch at a time per process (the driver serialises them).
#pragma once
#include <ucontext.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline dim3 threadIdx;
inline dim3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;

#define __global__
#define __device__
#define __shared__ static

using std::max;
using std::min;

namespace cuda_emulation {

[[noreturn]] inline void fail(const char* message) {
    std::fprintf(stderr, "jcnn CUDA emulation: %s\n", message);
    std::fflush(stderr);
    std::abort();
}

// Switching fibers saves and restores only the callee-saved registers (x86-64: a dozen instructions); glibc's
// swapcontext also saves the signal mask with a system call, which made barrier-heavy kernels 20x slower.
#if defined(__x86_64__)
extern "C" void cuda_emulation_switch(void** save, void* load);
asm(R"(
    .text
    .weak cuda_emulation_switch
    .hidden cuda_emulation_switch
    .type cuda_emulation_switch, @function
cuda_emulation_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size cuda_emulation_switch, .-cuda_emulation_switch
)");
#endif

// One CUDA thread of a block that synchronises: its own stack (with a guard page below it, so an overflow faults
// instead of corrupting a neighbour) and its saved registers.
struct Fiber {
#if defined(__x86_64__)
    void* sp = nullptr;
#else
    ucontext_t context;
#endif
    char* stack = nullptr;
    dim3 index;
    bool done = false;
};

constexpr size_t FIBER_STACK_BYTES = 64 * 1024;
constexpr size_t PAGE_BYTES = 4096;

struct Scheduler {
#if defined(__x86_64__)
    void* home = nullptr;
#else
    ucontext_t home;
#endif
    std::vector<Fiber> fibers;
    Fiber* current = nullptr;
    const std::function<void()>* body = nullptr;

    // Stacks are kept between launches: a block of 256 threads maps them once per process.
    void reserve(size_t count) {
        while (fibers.size() < count) {
            Fiber f;
            void* mapped = mmap(nullptr, FIBER_STACK_BYTES + PAGE_BYTES, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (mapped == MAP_FAILED) fail("cannot map a fiber stack");
            mprotect(mapped, PAGE_BYTES, PROT_NONE);
            f.stack = static_cast<char*>(mapped) + PAGE_BYTES;
            fibers.push_back(f);
        }
    }
};

inline Scheduler scheduler;
// Whether the running block's threads are fibers, so __syncthreads() may yield.
inline bool in_fibers = false;

// Leaves fiber f for the scheduler, or the scheduler for f.
inline void yield_from(Fiber* f) {
#if defined(__x86_64__)
    cuda_emulation_switch(&f->sp, scheduler.home);
#else
    swapcontext(&f->context, &scheduler.home);
#endif
}

inline void resume(Fiber* f) {
#if defined(__x86_64__)
    cuda_emulation_switch(&scheduler.home, f->sp);
#else
    swapcontext(&scheduler.home, &f->context);
#endif
}

inline void fiber_entry() {
    Fiber* f = scheduler.current;
    (*scheduler.body)();
    f->done = true;
    yield_from(f);
    fail("a finished fiber was resumed");
}

// A fresh fiber: on x86-64 a stack laid out as cuda_emulation_switch leaves one (six saved registers, then the
// address it returns to), aligned so fiber_entry starts as if called.
inline void start(Fiber& f) {
#if defined(__x86_64__)
    void** top = reinterpret_cast<void**>(f.stack + FIBER_STACK_BYTES);
    *--top = nullptr;  // fiber_entry's return address: it never returns
    *--top = reinterpret_cast<void*>(&fiber_entry);
    for (int r = 0; r < 6; r++) *--top = nullptr;
    f.sp = top;
#else
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = f.stack;
    f.context.uc_stack.ss_size = FIBER_STACK_BYTES;
    f.context.uc_link = nullptr;
    makecontext(&f.context, fiber_entry, 0);
#endif
}

// Runs one block whose threads may synchronise: each round resumes every live thread until its next barrier or
// its end. Threads that have returned count as arrived, as on Volta and later GPUs.
inline void run_block_as_fibers(dim3 block, const std::function<void()>& body) {
    unsigned threads = block.x * block.y * block.z;
    scheduler.reserve(threads);
    scheduler.body = &body;
    for (unsigned t = 0; t < threads; t++) {
        Fiber& f = scheduler.fibers[t];
        f.done = false;
        f.index = dim3{t % block.x, t / block.x % block.y, t / (block.x * block.y)};
        start(f);
    }
    in_fibers = true;
    for (unsigned live = threads; live > 0;) {
        live = 0;
        for (unsigned t = 0; t < threads; t++) {
            Fiber& f = scheduler.fibers[t];
            if (f.done) continue;
            scheduler.current = &f;
            threadIdx = f.index;
            resume(&f);
            if (!f.done) live++;
        }
    }
    in_fibers = false;
    scheduler.current = nullptr;
}

// Runs body once per CUDA thread of a grid, as <<<grid, block>>> would; syncs says whether the kernel may call
// __syncthreads() (its PTX has bar.sync). A kernel launched without fibers that reaches a barrier aborts.
inline void run_grid(dim3 grid, dim3 block, bool syncs, const std::function<void()>& body) {
    gridDim = grid;
    blockDim = block;
    for (unsigned bz = 0; bz < grid.z; bz++) {
        for (unsigned by = 0; by < grid.y; by++) {
            for (unsigned bx = 0; bx < grid.x; bx++) {
                blockIdx = dim3{bx, by, bz};
                if (syncs) {
                    run_block_as_fibers(block, body);
                    continue;
                }
                for (unsigned tz = 0; tz < block.z; tz++)
                    for (unsigned ty = 0; ty < block.y; ty++)
                        for (unsigned tx = 0; tx < block.x; tx++) {
                            threadIdx = dim3{tx, ty, tz};
                            body();
                        }
            }
        }
    }
}

}  // namespace cuda_emulation

inline void __syncthreads() {
    using namespace cuda_emulation;
    if (!in_fibers) fail("__syncthreads() in a kernel launched without fibers (its PTX has no bar.sync?)");
    Fiber* f = scheduler.current;
    yield_from(f);
    threadIdx = f->index;
}

// One block's threads run one at a time, so a read-modify-write is already atomic.
inline int atomicMin(int* address, int value) {
    int old = *address;
    if (value < old) *address = value;
    return old;
}

// Runs kernel(args...) on a grid of blocks, as <<<grid, block>>> would, every thread a fiber.
template <typename... Params, typename... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, Args... args) {
    std::function<void()> body = [&] { kernel(args...); };
    cuda_emulation::run_grid(grid, block, true, body);
}
