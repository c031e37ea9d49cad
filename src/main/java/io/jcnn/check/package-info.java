/**
 * Gradient checking: {@link io.jcnn.check.GradientCheck} compares a layer's or loss's analytic gradients with
 * central finite differences on any backend, with Caffe's tolerances, skipping coordinates at kinks.
 */
package io.jcnn.check;
