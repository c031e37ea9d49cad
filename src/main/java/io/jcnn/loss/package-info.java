/**
 * Training objectives: {@link io.jcnn.loss.SoftmaxCrossEntropyLoss} for classifiers (fused with the softmax) and
 * {@link io.jcnn.loss.MseLoss}, Caffe's Euclidean loss. A {@link io.jcnn.loss.Loss} computes its value and its
 * gradient with respect to the prediction on the model's backend, and rejects a NaN or infinite value.
 */
package io.jcnn.loss;
