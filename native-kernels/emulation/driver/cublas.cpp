// An emulated cuBLAS 12 (libcublas.so.12) on top of the emulated driver: the handle calls and the single-precision
// GEMM that jcnn's cuBLAS tier uses, with cuBLAS's own argument checks, so that tier's operand swap and leading
// dimensions are tested without a GPU. A GEMM is queued on the handle's stream like a kernel, with every element
// range it reads or writes checked against the live allocations; it runs as a plain host loop, each output summed
// over k in order in float. Entry points carry the libcublas.so.12 symbol version (libcublas.map), as NVIDIA's do.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "emulator.h"

using namespace jcnn_emulator;

typedef int cublasStatus_t;

namespace {

enum : cublasStatus_t {
    CUBLAS_SUCCESS = 0,
    CUBLAS_NOT_INITIALIZED = 1,
    CUBLAS_INVALID_VALUE = 7,
    CUBLAS_EXECUTION_FAILED = 13,
    CUBLAS_NOT_SUPPORTED = 15,
};
constexpr int OP_N = 0;
constexpr int OP_T = 1;
constexpr int OP_C = 2;

struct Handle {
    CUstream stream = nullptr;
    int mathMode = 0;
    bool alive = true;
};

cublasStatus_t check(Handle* h, const char* call) {
    if (h == nullptr) return CUBLAS_NOT_INITIALIZED;
    if (!h->alive) {
        report(std::string(call) + ": the cuBLAS handle was destroyed");
        return CUBLAS_NOT_INITIALIZED;
    }
    if (require_context(call) != SUCCESS) return CUBLAS_NOT_INITIALIZED;
    return CUBLAS_SUCCESS;
}

}  // namespace

typedef Handle* cublasHandle_t;

extern "C" {

cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
    if (handle == nullptr) return CUBLAS_INVALID_VALUE;
    if (require_context("cublasCreate") != SUCCESS) return CUBLAS_NOT_INITIALIZED;
    if (take_fault(CUBLAS_CREATE)) return CUBLAS_NOT_INITIALIZED;
    *handle = new Handle();
    count_cublas_handle(1);
    return CUBLAS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
    if (cublasStatus_t status = check(handle, "cublasDestroy"); status != CUBLAS_SUCCESS) return status;
    handle->alive = false;  // kept, so a later use is recognised
    count_cublas_handle(-1);
    return CUBLAS_SUCCESS;
}

cublasStatus_t cublasGetVersion_v2(cublasHandle_t, int* version) {
    *version = 120000;
    return CUBLAS_SUCCESS;
}

cublasStatus_t cublasGetProperty(int type, int* value) {
    if (value == nullptr || type < 0 || type > 2) return CUBLAS_INVALID_VALUE;
    *value = type == 0 ? 12 : 0;  // MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL
    return CUBLAS_SUCCESS;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, CUstream stream) {
    if (cublasStatus_t status = check(handle, "cublasSetStream"); status != CUBLAS_SUCCESS) return status;
    if (!stream_alive(stream)) {
        report("cublasSetStream: the stream is not alive");
        return CUBLAS_INVALID_VALUE;
    }
    handle->stream = stream;
    return CUBLAS_SUCCESS;
}

cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, CUstream* stream) {
    if (cublasStatus_t status = check(handle, "cublasGetStream"); status != CUBLAS_SUCCESS) return status;
    *stream = handle->stream;
    return CUBLAS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, int mode) {
    if (cublasStatus_t status = check(handle, "cublasSetMathMode"); status != CUBLAS_SUCCESS) return status;
    handle->mathMode = mode;  // TF32 is not emulated: products stay float32
    return CUBLAS_SUCCESS;
}

cublasStatus_t cublasGetMathMode(cublasHandle_t handle, int* mode) {
    if (cublasStatus_t status = check(handle, "cublasGetMathMode"); status != CUBLAS_SUCCESS) return status;
    *mode = handle->mathMode;
    return CUBLAS_SUCCESS;
}

cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle, int mode) {
    if (cublasStatus_t status = check(handle, "cublasSetPointerMode"); status != CUBLAS_SUCCESS) return status;
    return mode == 0 ? CUBLAS_SUCCESS : CUBLAS_NOT_SUPPORTED;  // host pointers only
}

cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void*, size_t) {
    return check(handle, "cublasSetWorkspace");
}

// Column-major C (m×n, ldc) = alpha·op(A)·op(B) + beta·C, op(A) m×k, op(B) k×n; alpha and beta on the host.
cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, int transa, int transb, int m, int n, int k, const float* alpha,
                              const float* A, int lda, const float* B, int ldb, const float* beta, float* C, int ldc) {
    if (cublasStatus_t status = check(handle, "cublasSgemm"); status != CUBLAS_SUCCESS) return status;
    auto validOp = [](int op) { return op == OP_N || op == OP_T || op == OP_C; };
    int aRows = transa == OP_N ? m : k, aCols = transa == OP_N ? k : m;
    int bRows = transb == OP_N ? k : n, bCols = transb == OP_N ? n : k;
    if (!validOp(transa) || !validOp(transb) || m < 0 || n < 0 || k < 0 || lda < std::max(1, aRows) ||
        ldb < std::max(1, bRows) || ldc < std::max(1, m) || alpha == nullptr || beta == nullptr) {
        return CUBLAS_INVALID_VALUE;
    }
    if (m == 0 || n == 0) return CUBLAS_SUCCESS;
    float a = *alpha, b = *beta;
    auto extent = [](int rows, int cols, int ld) { return ((size_t) (cols - 1) * ld + rows) * sizeof(float); };
    std::vector<Range> ranges = {Range{reinterpret_cast<CUdeviceptr>(C), extent(m, n, ldc), "C"}};
    if (k > 0) {
        ranges.push_back(Range{reinterpret_cast<CUdeviceptr>(A), extent(aRows, aCols, lda), "A"});
        ranges.push_back(Range{reinterpret_cast<CUdeviceptr>(B), extent(bRows, bCols, ldb), "B"});
    }
    std::string what = "cublasSgemm " + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
    CUresult status = enqueue(handle->stream, what, ranges, [=] {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float sum = 0;
                for (int p = 0; p < k; p++) {
                    float x = transa == OP_N ? A[(size_t) p * lda + i] : A[(size_t) i * lda + p];
                    float y = transb == OP_N ? B[(size_t) j * ldb + p] : B[(size_t) p * ldb + j];
                    sum = std::fma(x, y, sum);
                }
                float* out = C + (size_t) j * ldc + i;
                *out = b == 0.0f ? a * sum : a * sum + b * *out;
            }
        }
    });
    return status == SUCCESS ? CUBLAS_SUCCESS : CUBLAS_EXECUTION_FAILED;
}

}  // extern "C"
