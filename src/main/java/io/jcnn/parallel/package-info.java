/**
 * Data-parallel training on several devices of one machine: {@link io.jcnn.parallel.DeviceList} reads a device list
 * such as {@code cuda:0,cuda:1}, {@link io.jcnn.parallel.Replicas} keeps one model and optimizer per device, each
 * driven by its own thread, and a {@link io.jcnn.backend.Collective} averages their gradients after every step: NCCL
 * between GPUs where it loads, host memory otherwise ({@link io.jcnn.backend.HostCollective}). The training loop
 * itself stays in {@link io.jcnn.model.Trainer}.
 */
package io.jcnn.parallel;
