package io.jcnn.explain;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * The smallest fast-gradient-sign step that changes a classifier's prediction (Goodfellow, Shlens and Szegedy, 2015):
 * x′ = clip(x + ε·w·sign(∂L/∂x)), where L is the cross-entropy of the predicted class, w the width of the input range
 * and ε a fraction of it (ε = 0.1 moves every pixel by a tenth of black-to-white). The direction is computed once, at
 * x; the search then scans ε upwards in equal steps to the first that changes the prediction and bisects between it
 * and the step before. The prediction need not change monotonically in ε, so this finds the first change on the
 * scan's grid, refined; not necessarily the global minimum. Everything but the choice of ε runs on the model's
 * backend.
 */
public final class FastGradientSign {
    private FastGradientSign() {
    }

    /**
     * How to search.
     *
     * @param maxEpsilon largest step tried, as a fraction of the input range, in (0, 1]
     * @param scanSteps  equal steps from 0 to maxEpsilon, at least 1
     * @param bisections halvings of the interval where the prediction first changes, at least 0
     */
    public record Settings(float maxEpsilon, int scanSteps, int bisections) {
        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException if {@code maxEpsilon} is not in (0, 1], {@code scanSteps} is below 1 or
         *     {@code bisections} is negative
         */
        public Settings {
            if (!(maxEpsilon > 0f && maxEpsilon <= 1f)) {
                throw new IllegalArgumentException("adversarial search: the largest epsilon must be in (0, 1], got "
                        + maxEpsilon);
            }
            if (scanSteps < 1 || bisections < 0) {
                throw new IllegalArgumentException("adversarial search: needs at least 1 scan step and 0"
                        + " bisections, got " + scanSteps + " and " + bisections);
            }
        }

        /** Up to ε = 0.25 in 50 steps of 0.005, then 10 bisections (a final interval under 5e-6). */
        public static Settings defaults() {
            return new Settings(0.25f, 50, 10);
        }
    }

    /**
     * Searches for the smallest step that changes the prediction for {@code input} (one image, the shape the model is
     * compiled for), perturbed images kept inside {@code range}.
     */
    public static AdversarialExample search(InputGradient gradients, Tensor input, InputRange range,
                                            Settings settings) {
        gradients.checkInput(input, "adversarial search");
        Shape shape = input.shape();
        if (shape.batch() != 1) {
            throw new IllegalArgumentException("adversarial search: the model must be compiled for one image (batch 1),"
                    + " it is compiled for " + shape);
        }
        Backend backend = gradients.backend();
        try (Tensor direction = backend.allocate(shape);
             Tensor candidate = backend.allocate(shape);
             Tensor lossGradient = backend.allocate(gradients.model().outputShape());
             PointwiseOps ops = new PointwiseOps(backend, shape)) {
            ClassScores before = gradients.scores(input);
            int original = before.predicted(0);
            lossGradient.copyFrom(crossEntropyGradient(before, original));
            ops.sign(gradients.gradient(lossGradient, GradientRule.PLAIN), direction);
            Search search = new Search(gradients, input, direction, candidate, ops, range, original);
            float epsilon = search.smallestChange(settings);
            ClassScores after = search.evaluate(epsilon);
            int adversarial = after.predicted(0);
            return new AdversarialExample(adversarial != original, epsilon, original,
                    before.probability(0, original), adversarial, after.probability(0, adversarial),
                    Picture.item(input.toArray(), shape, 0), Picture.item(candidate.toArray(), shape, 0),
                    search.evaluations);
        }
    }

    /** ∂L/∂scores of L = −log softmax(scores)[label]: softmax − one-hot. */
    private static float[] crossEntropyGradient(ClassScores scores, int label) {
        float[] gradient = new float[scores.classes()];
        for (int c = 0; c < gradient.length; c++) {
            gradient[c] = (float) scores.probability(0, c) - (c == label ? 1f : 0f);
        }
        return gradient;
    }

    /** The perturbed images of one input along one direction. */
    private static final class Search {
        private final InputGradient gradients;
        private final Tensor input;
        private final Tensor direction;
        private final Tensor candidate;
        private final PointwiseOps ops;
        private final InputRange range;
        private final int original;
        private int evaluations;

        Search(InputGradient gradients, Tensor input, Tensor direction, Tensor candidate, PointwiseOps ops,
               InputRange range, int original) {
            this.gradients = gradients;
            this.input = input;
            this.direction = direction;
            this.candidate = candidate;
            this.ops = ops;
            this.range = range;
            this.original = original;
        }

        /** The first ε of the scan that changes the prediction, bisected; maxEpsilon when none does. */
        float smallestChange(Settings settings) {
            float unchanged = 0f;
            for (int k = 1; k <= settings.scanSteps(); k++) {
                float epsilon = settings.maxEpsilon() * k / settings.scanSteps();
                if (changes(epsilon)) {
                    float changed = epsilon;
                    for (int i = 0; i < settings.bisections(); i++) {
                        float middle = (unchanged + changed) / 2;
                        if (changes(middle)) {
                            changed = middle;
                        } else {
                            unchanged = middle;
                        }
                    }
                    return changed;
                }
                unchanged = epsilon;
            }
            return settings.maxEpsilon();
        }

        private boolean changes(float epsilon) {
            return evaluate(epsilon).predicted(0) != original;
        }

        /** Scores of clip(input + ε·w·direction), left in {@code candidate}. */
        ClassScores evaluate(float epsilon) {
            Backend backend = gradients.backend();
            backend.copy(input, candidate);
            backend.axpy(epsilon * range.width(), direction, candidate);
            ops.clamp(candidate, range);
            evaluations++;
            return gradients.scores(candidate);
        }
    }
}
