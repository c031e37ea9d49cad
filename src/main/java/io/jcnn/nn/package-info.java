/**
 * Layers: convolution, dense, pooling, activations, normalisation, dropout, softmax and flatten, all implementing
 * {@link io.jcnn.nn.Layer}. A layer plans once per input shape on a {@link io.jcnn.backend.Backend} and then runs
 * forward and backward through that interface alone, allocating nothing; it owns its parameters
 * ({@link io.jcnn.nn.Param}) and output tensors. {@link io.jcnn.model.Sequential} chains layers into a model.
 */
package io.jcnn.nn;
