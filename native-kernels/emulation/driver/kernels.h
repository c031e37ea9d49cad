// The host-compiled kernels the emulated driver can launch (kernels.cpp).
#pragma once
#include <cstddef>
#include <vector>

namespace jcnn_emulator {

struct Kernel {
    const char* name;
    std::vector<size_t> parameterSizes;
    std::vector<bool> pointerParameters;
    void (*invoke)(void** params);
};

// Every kernel of native-kernels/, by its extern "C" name.
const std::vector<Kernel>& kernels();

// Runs kernel on a grid; syncs: whether it reaches __syncthreads (its threads then run as fibers).
void run_kernel(const Kernel& kernel, unsigned grid[3], unsigned block[3], bool syncs, void** params);

}  // namespace jcnn_emulator
