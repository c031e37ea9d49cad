// The kernel table of the emulated driver: jcnn's .cu sources compiled for the host with cuda_emulation.h, and for
// each kernel its parameter sizes (checked against the PTX's .param list when a module loads), which parameters are
// device pointers (checked against live allocations at launch) and an invoker that unpacks cuLaunchKernel's
// argument array per the kernel's C signature.
#include "cuda_emulation.h"
#include "kernels.h"

#include "../../bias.cu"
#include "../../dropout.cu"
#include "../../elementwise.cu"
#include "../../gemm.cu"
#include "../../im2col.cu"
#include "../../losses.cu"
#include "../../normalization.cu"
#include "../../optimizers.cu"
#include "../../pooling.cu"

#include <type_traits>
#include <utility>

namespace {

template <typename F>
struct Signature;

template <typename... A>
struct Signature<void(A...)> {
    static std::vector<size_t> sizes() { return {sizeof(A)...}; }
    static std::vector<bool> pointers() { return {std::is_pointer_v<A>...}; }

    template <void (*K)(A...), size_t... I>
    static void call(void** params, std::index_sequence<I...>) {
        K(*static_cast<A*>(params[I])...);
    }

    template <void (*K)(A...)>
    static void invoke(void** params) {
        call<K>(params, std::index_sequence_for<A...>{});
    }
};

#define KERNEL(name) \
    jcnn_emulator::Kernel{#name, Signature<decltype(name)>::sizes(), Signature<decltype(name)>::pointers(), \
                          &Signature<decltype(name)>::invoke<name>}

}  // namespace

namespace jcnn_emulator {

const std::vector<Kernel>& kernels() {
    static const std::vector<Kernel> table = {
        KERNEL(bias_add), KERNEL(bias_activation_forward), KERNEL(bias_gradient), KERNEL(dropout), KERNEL(fill),
        KERNEL(axpy), KERNEL(scale), KERNEL(activation_forward), KERNEL(activation_backward),
        KERNEL(sum_of_squares_partial), KERNEL(sgemm), KERNEL(im2col), KERNEL(col2im), KERNEL(softmax_forward),
        KERNEL(softmax_backward), KERNEL(check_labels), KERNEL(softmax_cross_entropy), KERNEL(mse_loss),
        KERNEL(lrn_forward), KERNEL(lrn_backward), KERNEL(batchnorm_forward_training),
        KERNEL(batchnorm_forward_inference), KERNEL(batchnorm_backward), KERNEL(sgd_step), KERNEL(adam_step),
        KERNEL(pool_forward), KERNEL(pool_backward),
    };
    return table;
}

void run_kernel(const Kernel& kernel, unsigned grid[3], unsigned block[3], bool syncs, void** params) {
    std::function<void()> body = [&] { kernel.invoke(params); };
    cuda_emulation::run_grid(dim3{grid[0], grid[1], grid[2]}, dim3{block[0], block[1], block[2]}, syncs, body);
}

}  // namespace jcnn_emulator
