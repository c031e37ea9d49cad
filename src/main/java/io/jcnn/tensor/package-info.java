/**
 * Tensors: {@link io.jcnn.tensor.Tensor}, a float32 array living on one backend's device, and
 * {@link io.jcnn.tensor.Shape}, its dimensions (N×C×H×W images, N×F features). A tensor's storage belongs to its
 * backend; copies between devices are explicit, and all arithmetic on tensors goes through
 * {@link io.jcnn.backend.Backend}.
 */
package io.jcnn.tensor;
