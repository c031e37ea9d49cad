package io.jcnn.explain;

/**
 * The outcome of a {@link FastGradientSign} search on one image.
 *
 * @param changed                whether some step within the searched range changed the prediction
 * @param epsilon                the smallest step found that changes it, as a fraction of the input range (the
 *                               largest step searched when none did)
 * @param originalClass          the prediction for the original image
 * @param originalProbability    its softmax probability there
 * @param adversarialClass       the prediction for the perturbed image (the original class when unchanged)
 * @param adversarialProbability that class's probability for the perturbed image
 * @param original               the original image, C×H×W in the model's input units
 * @param adversarial            the perturbed image, clipped to the input range
 * @param evaluations            forward passes the search made
 */
public record AdversarialExample(boolean changed, float epsilon, int originalClass, double originalProbability,
                                 int adversarialClass, double adversarialProbability, Picture original,
                                 Picture adversarial, int evaluations) {
}
