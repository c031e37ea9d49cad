/**
 * The device-abstraction layer: {@link io.jcnn.backend.Backend}, the closed set of operations every layer, loss and
 * optimizer needs, and what it takes and returns. Layers speak only to this interface, never to a particular
 * backend, so a new device means a new implementation of it and nothing else.
 *
 * <p>The stable entry point for using a backend directly is {@link io.jcnn.backend.Backends#create(String, int)
 * Backends.create(device, threads)} (or {@code new CpuBackend()} / {@code new CudaBackend(0)}), then the
 * {@link io.jcnn.backend.Backend} interface with {@link io.jcnn.tensor.Tensor} and {@link io.jcnn.tensor.Shape},
 * the operation specs {@link io.jcnn.backend.ConvSpec}, {@link io.jcnn.backend.PoolSpec},
 * {@link io.jcnn.backend.Activation} and {@link io.jcnn.backend.LrnSpec}, and the plans
 * ({@link io.jcnn.backend.ConvPlan}, {@link io.jcnn.backend.PoolPlan}) a backend makes once per shape.
 * {@link io.jcnn.backend.OpChecks} holds the argument checks all backends share, and
 * {@link io.jcnn.backend.CheckedBackend} compares a backend against the CPU op by op. The implementations live in
 * {@link io.jcnn.backend.cpu} and {@link io.jcnn.backend.cuda}; of those packages only
 * {@link io.jcnn.backend.cpu.CpuBackend}, {@link io.jcnn.backend.cuda.CudaBackend} and its
 * {@link io.jcnn.backend.cuda.CudaTier} are API, and their other classes are implementation details that may change.
 */
package io.jcnn.backend;
