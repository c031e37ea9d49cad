package io.jcnn.explain;

/**
 * How a backward pass for explanation crosses the ReLU layers of a network.
 *
 * <ul>
 *   <li>{@link #PLAIN}: the true gradient, g·(x &gt; 0): what a saliency map shows.</li>
 *   <li>{@link #GUIDED}: guided backpropagation (Springenberg et al., 2015): a gradient passes only where the forward
 *       input was positive <em>and</em> the gradient itself is positive, (x &gt; 0)·max(g, 0). Negative evidence is
 *       dropped at every ReLU, which gives sharper, image-like maps.</li>
 * </ul>
 * Only ReLU layers differ; every other layer (LeakyReLU, tanh, pooling, convolution) is backpropagated as it is.
 */
public enum GradientRule {
    /** The true gradient through every ReLU, g·(x &gt; 0). */
    PLAIN,
    /** Guided backpropagation: only positive gradients where the forward input was positive, (x &gt; 0)·max(g, 0). */
    GUIDED
}
