package io.jcnn.explain;

import io.jcnn.backend.Backend;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * The image a classifier finds most typical of a class (Simonyan, Vedaldi and Zisserman, 2014): gradient ascent on
 * the input to raise the class's score S (its logit, not the softmax probability, which can also rise by lowering
 * the other classes) with L2 regularisation, maximising S(x) − λ‖x‖². Each step is
 * x ← (1 − 2ηλ)·x + η·∂S/∂x, all on the model's backend. Two optional regularisers from Yosinski et al. (2015)
 * make the image less noisy: jitter (the gradient is taken at a copy shifted by up to J pixels, drawn from the
 * seed, with zeros shifted in) and a Gaussian blur every few steps. The image may also be kept inside the input
 * range after each step.
 *
 * <p>Deterministic: the starting noise and the jitter come from counter-based random numbers of the seed, so a fixed
 * seed (and thread count) reproduces the image exactly on the CPU.
 */
public final class ClassVisualization {
    private static final long NOISE_STREAM = 1;
    private static final long JITTER_STREAM = 2;

    private ClassVisualization() {
    }

    /**
     * How to search.
     *
     * @param steps        gradient-ascent steps, at least 1
     * @param learningRate η, positive
     * @param l2           λ, the weight of ‖x‖², at least 0
     * @param jitter       J: the largest shift in pixels, 0 for none
     * @param blurSigma    the Gaussian blur's standard deviation in pixels, 0 for no blur
     * @param blurEvery    blur after every this many steps (at least 1; ignored without blur)
     * @param startNoise   standard deviation of the Gaussian noise the search starts from (when not given an image)
     * @param seed         seeds the starting noise and the jitter
     * @param clampTo      the range the image is kept in after each step, or null for none
     */
    public record Settings(int steps, float learningRate, float l2, int jitter, float blurSigma, int blurEvery,
                           float startNoise, long seed, InputRange clampTo) {
        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException if {@code steps} or {@code blurEvery} is below 1, {@code learningRate} is
         *     not positive, or {@code l2}, {@code jitter}, {@code blurSigma} or {@code startNoise} is negative (or
         *     a float is not finite)
         */
        public Settings {
            if (steps < 1) {
                throw new IllegalArgumentException("class visualisation: steps must be at least 1, got " + steps);
            }
            if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
                throw new IllegalArgumentException("class visualisation: the learning rate must be positive, got "
                        + learningRate);
            }
            if (!(l2 >= 0) || !Float.isFinite(l2)) {
                throw new IllegalArgumentException("class visualisation: the L2 weight must be at least 0, got " + l2);
            }
            if (jitter < 0) {
                throw new IllegalArgumentException("class visualisation: jitter must be at least 0 pixels, got "
                        + jitter);
            }
            if (!(blurSigma >= 0) || !Float.isFinite(blurSigma) || blurEvery < 1) {
                throw new IllegalArgumentException("class visualisation: blur needs a sigma of at least 0 and a"
                        + " period of at least 1 step, got sigma " + blurSigma + " every " + blurEvery);
            }
            if (!(startNoise >= 0) || !Float.isFinite(startNoise)) {
                throw new IllegalArgumentException("class visualisation: the starting noise must be at least 0, got "
                        + startNoise);
            }
        }

        /**
         * 200 steps of η = 0.1 with λ = 0.05, jitter of 1 pixel, a blur of σ = 0.5 every 4 steps, from noise of
         * standard deviation 0.1 with seed 1, unclamped: tuned on LeNet for MNIST, whose normalised pixels span
         * about −0.4 to 2.8.
         */
        public static Settings defaults() {
            return new Settings(200, 0.1f, 0.05f, 1, 0.5f, 4, 0.1f, 1, null);
        }

        /** Plain gradient ascent: no jitter, no blur, no clamping. */
        public Settings plain() {
            return new Settings(steps, learningRate, l2, 0, 0f, 1, startNoise, seed, null);
        }

        /**
         * These settings with {@code count} steps.
         *
         * @throws IllegalArgumentException if {@code count} is below 1
         */
        public Settings withSteps(int count) {
            return new Settings(count, learningRate, l2, jitter, blurSigma, blurEvery, startNoise, seed, clampTo);
        }

        /** These settings with seed {@code value}. */
        public Settings withSeed(long value) {
            return new Settings(steps, learningRate, l2, jitter, blurSigma, blurEvery, startNoise, value, clampTo);
        }
    }

    /**
     * What the search found.
     *
     * @param image         the final image, C×H×W in the model's input units
     * @param scores        the class score of the image before the first step (index 0) and after each step
     * @param probabilities the class's softmax probability at the same points
     */
    public record Result(Picture image, float[] scores, double[] probabilities) {
        /**
         * Copies the score and probability arrays.
         *
         * @throws NullPointerException if either is null
         */
        public Result {
            scores = scores.clone();
            probabilities = probabilities.clone();
        }

        /** A copy of the class scores, before the first step and after each step. */
        @Override
        public float[] scores() {
            return scores.clone();
        }

        /** A copy of the class's softmax probabilities, before the first step and after each step. */
        @Override
        public double[] probabilities() {
            return probabilities.clone();
        }
    }

    /**
     * Searches for an image of class {@code classIndex}, starting from {@code start} (C×H×W in the model's input
     * units) or, when it is null, from seeded Gaussian noise. The model must be compiled for one image.
     */
    public static Result run(InputGradient gradients, int classIndex, Settings settings, Picture start) {
        Shape shape = gradients.inputShape();
        if (shape.batch() != 1) {
            throw new IllegalArgumentException("class visualisation: the model must be compiled for one image"
                    + " (batch 1), it is compiled for " + shape);
        }
        ClassScores.checkClass(classIndex, gradients.classes(), "class visualisation");
        float[] initial = start == null ? noise(shape, settings) : startingImage(start, shape);
        Backend backend = gradients.backend();
        int radius = (int) Math.ceil(2 * settings.blurSigma());
        try (Tensor image = backend.tensor(shape, initial);
             Tensor shifted = backend.allocate(shape);
             Tensor imageGradient = backend.allocate(shape);
             DepthwiseFilter jitter = settings.jitter() > 0 ? new DepthwiseFilter(backend, shape, settings.jitter())
                     : null;
             DepthwiseFilter blur = radius > 0 ? new DepthwiseFilter(backend, shape, radius) : null;
             PointwiseOps clamp = settings.clampTo() != null ? new PointwiseOps(backend, shape) : null) {
            if (blur != null) {
                blur.setGaussian(settings.blurSigma());
            }
            return ascend(gradients, classIndex, settings, image, shifted, imageGradient, jitter, blur, clamp);
        }
    }

    private static Result ascend(InputGradient gradients, int classIndex, Settings settings, Tensor image,
                                 Tensor shifted, Tensor imageGradient, DepthwiseFilter jitter, DepthwiseFilter blur,
                                 PointwiseOps clamp) {
        Backend backend = gradients.backend();
        int[] chosen = {classIndex};
        float[] scores = new float[settings.steps() + 1];
        double[] probabilities = new double[settings.steps() + 1];
        if (clamp != null) {
            clamp.clamp(image, settings.clampTo());
        }
        ClassScores current = gradients.scores(image);
        record(current, classIndex, 0, scores, probabilities);
        long jitterSeed = CounterRandom.derive(settings.seed(), JITTER_STREAM);
        int span = 2 * settings.jitter() + 1;
        for (int step = 1; step <= settings.steps(); step++) {
            Tensor gradient;
            if (jitter != null) {
                long bits = CounterRandom.bits(jitterSeed, step);
                jitter.setShift((int) Long.remainderUnsigned(bits, span) - settings.jitter(),
                        (int) Long.remainderUnsigned(bits >>> 32, span) - settings.jitter());
                jitter.apply(image, shifted);
                gradients.scores(shifted);
                jitter.applyTransposed(gradients.gradientOfScores(chosen, GradientRule.PLAIN), imageGradient);
                gradient = imageGradient;
            } else {
                gradient = gradients.gradientOfScores(chosen, GradientRule.PLAIN); // of the forward just above
            }
            backend.scale(image, 1f - 2f * settings.learningRate() * settings.l2());
            backend.axpy(settings.learningRate(), gradient, image);
            if (blur != null && step % settings.blurEvery() == 0) {
                blur.apply(image, shifted);
                backend.copy(shifted, image);
            }
            if (clamp != null) {
                clamp.clamp(image, settings.clampTo());
            }
            current = gradients.scores(image);
            record(current, classIndex, step, scores, probabilities);
        }
        return new Result(Picture.item(image.toArray(), image.shape(), 0), scores, probabilities);
    }

    private static void record(ClassScores current, int classIndex, int step, float[] scores, double[] probabilities) {
        scores[step] = current.score(0, classIndex);
        probabilities[step] = current.probability(0, classIndex);
    }

    private static float[] noise(Shape shape, Settings settings) {
        long seed = CounterRandom.derive(settings.seed(), NOISE_STREAM);
        float[] values = new float[shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (settings.startNoise() * CounterRandom.normal(seed, i));
        }
        return values;
    }

    private static float[] startingImage(Picture start, Shape shape) {
        if (start.channels() != shape.channels() || start.height() != shape.height()
                || start.width() != shape.width()) {
            throw new IllegalArgumentException("class visualisation: the starting image is " + start.channels() + "×"
                    + start.height() + "×" + start.width() + ", the model takes " + shape.channels() + "×"
                    + shape.height() + "×" + shape.width());
        }
        return start.values();
    }
}
