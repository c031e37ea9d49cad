// Shared helpers for jcnn's kernels. Every kernel is extern "C" (unmangled, so the Java side names it as written),
// takes plain int sizes (tensors stay below 2^31 elements) and walks its range with a grid-stride loop, so any
// launch size covers any problem size.
#pragma once

#define GRID_STRIDE(i, n) \
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)
