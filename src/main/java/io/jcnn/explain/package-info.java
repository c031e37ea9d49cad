/**
 * Looking inside a trained classifier: saliency maps and guided backpropagation ({@link io.jcnn.explain.SaliencyMap},
 * built on {@link io.jcnn.explain.InputGradient}), class visualisation by gradient ascent
 * ({@link io.jcnn.explain.ClassVisualization}), adversarial examples by the fast gradient sign method
 * ({@link io.jcnn.explain.FastGradientSign}), layer activations and first-layer weights as pictures. The gradient
 * work runs on the model's backend through its layers' own passes; {@link io.jcnn.explain.TileGrid} and
 * {@link io.jcnn.explain.SaliencyOverlay} draw the results as images with plain {@code java.awt}.
 */
package io.jcnn.explain;
