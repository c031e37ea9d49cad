// Just enough of CUDA to run jcnn's kernels on the host, for kernels_test.cpp: each launch runs its blocks one
// after another and a block's threads as real threads, so __shared__ arrays (plain statics here) are shared by
// exactly one block's threads at a time and __syncthreads() is a barrier across them.
#pragma once
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <functional>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;
inline std::barrier<>* block_barrier = nullptr;

#define __global__
#define __device__
#define __shared__ static

using std::max;
using std::min;

inline void __syncthreads() { block_barrier->arrive_and_wait(); }

inline int atomicMin(int* address, int value) {
    std::atomic_ref<int> ref(*address);
    int old = ref.load();
    while (value < old && !ref.compare_exchange_weak(old, value)) {
    }
    return old;
}

// Runs kernel(args...) on a grid of blocks, as <<<grid, block>>> would.
template <typename... Params, typename... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, Args... args) {
    gridDim = grid;
    blockDim = block;
    unsigned threads = block.x * block.y;
    for (unsigned by = 0; by < grid.y; by++) {
        for (unsigned bx = 0; bx < grid.x; bx++) {
            std::barrier<> barrier(threads);
            block_barrier = &barrier;
            std::vector<std::thread> pool;
            for (unsigned t = 0; t < threads; t++) {
                pool.emplace_back([=] {
                    blockIdx = dim3{bx, by, 0};
                    threadIdx = dim3{t % block.x, t / block.x, 0};
                    kernel(args...);
                });
            }
            for (std::thread& thread : pool) thread.join();
        }
    }
}
