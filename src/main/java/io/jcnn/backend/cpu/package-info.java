/**
 * The pure-Java backend, {@link io.jcnn.backend.cpu.CpuBackend}: the reference implementation every other backend
 * is checked against, and the fallback on machines without a GPU. It is multithreaded with deterministic work
 * splitting, so a fixed seed and thread count reproduce a run bit for bit. Its hot loops (matrix products,
 * convolutions, pooling, activations) can use the incubating Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} on a CPU with wide vectors, and portable Java otherwise. Only
 * {@code CpuBackend} is API; the classes holding each op family are implementation details that may change.
 */
package io.jcnn.backend.cpu;
