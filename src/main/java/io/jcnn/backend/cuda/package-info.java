/**
 * The CUDA backend, {@link io.jcnn.backend.cuda.CudaBackend}, on NVIDIA GPUs through JCuda: cuDNN for convolution,
 * pooling, activations, softmax, LRN and batch norm, cuBLAS for matrix products, and jcnn's own PTX kernels
 * (compiled from native-kernels/) for everything else and wherever a library is missing, so the driver alone is
 * enough. {@link io.jcnn.backend.cuda.CudaTier} chooses how many of those libraries it may use, and
 * {@link io.jcnn.backend.cuda.CudaProbe} finds what the machine has. Only {@code CudaBackend} and {@code CudaTier}
 * are API; the other classes, public or not, are implementation details that may change.
 */
package io.jcnn.backend.cuda;
