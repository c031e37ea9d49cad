package io.jcnn.explain;

import io.jcnn.backend.Backend;
import io.jcnn.model.Sequential;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Inceptionism (Mordvintsev, Olah and Tyka, 2015, "DeepDream"): gradient ascent on an image to amplify what one
 * layer of a trained network already sees in it, I ← I + μ·∂L/∂I with the weights fixed. L is the mean of the
 * layer's activations (or of their squares), over all its channels or one.
 *
 * <p>As DeepDream does it: the image is processed in octaves, from a copy shrunk by the octave scale a few times up
 * to its own size, the detail added at one octave carried, enlarged, into the next; before each step the image is
 * shifted by a random jitter of up to J pixels (and the gradient shifted back); the gradient is divided by its mean
 * absolute value, so the step size is the same at every layer and octave; pixels are kept inside the input range.
 * Only the layers up to the chosen one run, on the model's backend, so the image may be of any size they take.
 *
 * <p>Deterministic: the jitter and the starting noise come from counter-based random numbers of the seed, so a fixed
 * seed (and thread count) reproduces the dream exactly on the CPU.
 */
public final class DeepDream {
    private static final long NOISE_STREAM = 1;
    private static final long JITTER_STREAM = 2;

    private DeepDream() {
    }

    /** What is amplified. */
    public enum Objective {
        /** The mean activation: raises what the layer responds to positively. */
        MEAN,
        /** The mean squared activation: raises every strong response, of either sign. */
        SQUARES
    }

    /**
     * How to dream.
     *
     * @param octaves     how many sizes the image is processed at, at least 1 (smaller ones the layers cannot take are
     *                    left out)
     * @param octaveScale how much larger each octave is than the one before, above 1
     * @param steps       gradient-ascent steps per octave, at least 1
     * @param stepSize    μ: the step in input units for a gradient of mean absolute value 1, positive
     * @param jitter      the largest random shift in pixels before each step, 0 for none
     * @param objective   what is amplified
     * @param startNoise  the standard deviation of the noise a dream from noise starts with, around mid-grey
     * @param seed        seeds the jitter and the starting noise
     * @param clampTo     the range pixels are kept in, or null for none
     */
    public record Settings(int octaves, double octaveScale, int steps, float stepSize, int jitter, Objective objective,
                           float startNoise, long seed, InputRange clampTo) {
        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException if a count is below its minimum, {@code octaveScale} is not above 1, the
         *     step size is not positive, the jitter or the noise is negative, or {@code objective} is null
         */
        public Settings {
            if (octaves < 1 || steps < 1) {
                throw new IllegalArgumentException("dream: octaves and steps must be at least 1, got " + octaves
                        + " and " + steps);
            }
            if (!(octaveScale > 1) || !Double.isFinite(octaveScale)) {
                throw new IllegalArgumentException("dream: the octave scale must be above 1, got " + octaveScale);
            }
            if (!(stepSize > 0) || !Float.isFinite(stepSize)) {
                throw new IllegalArgumentException("dream: the step size must be positive, got " + stepSize);
            }
            if (jitter < 0) {
                throw new IllegalArgumentException("dream: jitter must be at least 0 pixels, got " + jitter);
            }
            if (!(startNoise >= 0) || !Float.isFinite(startNoise)) {
                throw new IllegalArgumentException("dream: the starting noise must be at least 0, got " + startNoise);
            }
            if (objective == null) {
                throw new IllegalArgumentException("dream: an objective is required");
            }
        }

        /**
         * 3 octaves 1.4 apart, 20 steps each of 0.05 input units, jitter of 1 pixel, the mean square (the L2
         * objective of the original DeepDream code), noise of 0.3 around mid-grey, seed 1, unclamped: tuned on LeNet
         * for MNIST, whose normalised pixels span about −0.4 to 2.8.
         */
        public static Settings defaults() {
            return new Settings(3, 1.4, 20, 0.05f, 1, Objective.SQUARES, 0.3f, 1, null);
        }

        /** These settings with {@code kind} as the objective. */
        public Settings withObjective(Objective kind) {
            return new Settings(octaves, octaveScale, steps, stepSize, jitter, kind, startNoise, seed, clampTo);
        }

        /** These settings with a jitter of up to {@code pixels}. */
        public Settings withJitter(int pixels) {
            return new Settings(octaves, octaveScale, steps, stepSize, pixels, objective, startNoise, seed, clampTo);
        }

        /** These settings with seed {@code value}. */
        public Settings withSeed(long value) {
            return new Settings(octaves, octaveScale, steps, stepSize, jitter, objective, startNoise, value, clampTo);
        }

        /** These settings with {@code count} octaves. */
        public Settings withOctaves(int count) {
            return new Settings(count, octaveScale, steps, stepSize, jitter, objective, startNoise, seed, clampTo);
        }

        /** These settings with {@code count} steps per octave. */
        public Settings withSteps(int count) {
            return new Settings(octaves, octaveScale, count, stepSize, jitter, objective, startNoise, seed, clampTo);
        }

        /** These settings keeping pixels in {@code range}. */
        public Settings clampedTo(InputRange range) {
            return new Settings(octaves, octaveScale, steps, stepSize, jitter, objective, startNoise, seed, range);
        }
    }

    /**
     * What the dream made.
     *
     * @param image      the dreamed image, C×H×W in the model's input units, the size of the starting image
     * @param sizes      each octave's height×width, smallest first, as {@code {height, width}}
     * @param objectives per octave, the objective before its first step (index 0) and after each step
     */
    public record Result(Picture image, List<int[]> sizes, List<double[]> objectives) {
        /**
         * Copies the lists.
         *
         * @throws NullPointerException if an argument is null
         */
        public Result {
            sizes = sizes.stream().map(int[]::clone).toList();
            objectives = objectives.stream().map(double[]::clone).toList();
        }
    }

    /**
     * Dreams on {@code start} (C×H×W in the model's input units) or, when it is null, on seeded noise around
     * mid-grey of the model's input size (the clamping range's middle, or 0), amplifying layer {@code layer}'s
     * activations over all its channels or, when {@code channel} is 0 or more, that channel alone.
     *
     * @throws IllegalArgumentException if the layer or channel does not exist, or the model cannot take the image
     */
    public static Result run(Sequential model, String layer, int channel, Settings settings, Picture start) {
        int index = LayerChain.indexOf(model, layer, "dream");
        Shape input = model.inputShape();
        Picture image = start != null ? start : noise(input, settings);
        if (image.channels() != input.channels()) {
            throw new IllegalArgumentException("dream: the image has " + image.channels() + " channels, model '"
                    + model.name() + "' takes " + input.channels());
        }
        try (LayerChain chain = new LayerChain(model, index)) {
            List<int[]> sizes = octaveSizes(chain, image, settings);
            Shape target = chain.outputShapes().get(index);
            int channels = target.rank() == 4 ? target.channels() : target.dim(1);
            if (channel >= channels) {
                throw new IllegalArgumentException("dream: channel " + channel + " is out of range; layer '" + layer
                        + "' has " + channels + " channels (0 to " + (channels - 1) + ")");
            }
            List<double[]> objectives = new ArrayList<>();
            Picture detail = null;
            Picture current = image;
            for (int o = 0; o < sizes.size(); o++) {
                int[] size = sizes.get(o);
                Picture base = image.resized(size[0], size[1]);
                Picture from = detail == null ? base : add(base, detail.resized(size[0], size[1]), 1f);
                double[] objective = new double[settings.steps() + 1];
                current = octave(chain, index, channel, settings, from, objective, o);
                objectives.add(objective);
                detail = add(current, base, -1f);
            }
            return new Result(current, sizes, objectives);
        }
    }

    /** The octaves' sizes, smallest first, leaving out those too small for the layers. */
    private static List<int[]> octaveSizes(LayerChain chain, Picture image, Settings settings) {
        List<int[]> sizes = new ArrayList<>();
        for (int o = 0; o < settings.octaves(); o++) {
            double shrink = Math.pow(settings.octaveScale(), o);
            int h = (int) Math.round(image.height() / shrink);
            int w = (int) Math.round(image.width() / shrink);
            try {
                chain.compile(image.channels(), h, w, "dream");
            } catch (IllegalArgumentException e) {
                if (o == 0) {
                    throw e;
                }
                break;
            }
            sizes.add(0, new int[] {h, w});
        }
        chain.compile(image.channels(), image.height(), image.width(), "dream");
        return sizes;
    }

    private static Picture octave(LayerChain chain, int index, int channel, Settings settings, Picture from,
                                  double[] objective, int octave) {
        Shape shape = chain.compile(from.channels(), from.height(), from.width(), "dream");
        Backend backend = chain.backend();
        Shape targetShape = chain.outputShapes().get(index);
        float[] weights = objectiveWeights(targetShape, channel);
        try (Tensor image = backend.tensor(shape, from.values());
             Tensor shifted = backend.allocate(shape);
             Tensor imageGradient = backend.allocate(shape);
             Tensor targetGradient = backend.allocate(targetShape);
             DepthwiseFilter jitter = settings.jitter() > 0 ? new DepthwiseFilter(backend, shape, settings.jitter())
                     : null;
             PointwiseOps clamp = settings.clampTo() != null ? new PointwiseOps(backend, shape) : null) {
            if (clamp != null) {
                clamp.clamp(image, settings.clampTo());
            }
            objective[0] = objective(chain.forward(image).toArray(), weights, settings.objective());
            long jitterSeed = CounterRandom.derive(CounterRandom.derive(settings.seed(), JITTER_STREAM), octave);
            int span = 2 * settings.jitter() + 1;
            for (int step = 1; step <= settings.steps(); step++) {
                Tensor x = image;
                if (jitter != null) {
                    long bits = CounterRandom.bits(jitterSeed, step);
                    jitter.setShift((int) Long.remainderUnsigned(bits, span) - settings.jitter(),
                            (int) Long.remainderUnsigned(bits >>> 32, span) - settings.jitter());
                    jitter.apply(image, shifted);
                    x = shifted;
                }
                float[] activations = chain.forward(x).toArray();
                targetGradient.copyFrom(gradient(activations, weights, settings.objective()));
                Tensor gradient = chain.backward(Map.of(index, targetGradient));
                if (jitter != null) {
                    jitter.applyTransposed(gradient, imageGradient);
                    gradient = imageGradient;
                }
                double meanAbs = meanAbs(gradient.toArray());
                if (meanAbs > 0) {
                    backend.axpy((float) (settings.stepSize() / meanAbs), gradient, image);
                }
                if (clamp != null) {
                    clamp.clamp(image, settings.clampTo());
                }
                objective[step] = objective(chain.forward(image).toArray(), weights, settings.objective());
            }
            return Picture.item(image.toArray(), shape, 0);
        }
    }

    /** 1/n for each element the objective averages over (one channel, or all), 0 elsewhere. */
    private static float[] objectiveWeights(Shape target, int channel) {
        float[] weights = new float[target.size()];
        if (channel < 0) {
            java.util.Arrays.fill(weights, 1f / weights.length);
            return weights;
        }
        int plane = target.rank() == 4 ? target.height() * target.width() : 1;
        for (int i = 0; i < plane; i++) {
            weights[channel * plane + i] = 1f / plane;
        }
        return weights;
    }

    private static double objective(float[] activations, float[] weights, Objective objective) {
        double sum = 0;
        for (int i = 0; i < activations.length; i++) {
            double a = activations[i];
            sum += weights[i] * (objective == Objective.MEAN ? a : a * a);
        }
        return sum;
    }

    private static float[] gradient(float[] activations, float[] weights, Objective objective) {
        if (objective == Objective.MEAN) {
            return weights;
        }
        float[] g = new float[activations.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = 2 * weights[i] * activations[i];
        }
        return g;
    }

    private static double meanAbs(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += Math.abs(v);
        }
        return sum / values.length;
    }

    private static Picture add(Picture a, Picture b, float sign) {
        float[] x = a.values();
        float[] y = b.values();
        for (int i = 0; i < x.length; i++) {
            x[i] += sign * y[i];
        }
        return new Picture(a.channels(), a.height(), a.width(), x);
    }

    private static Picture noise(Shape input, Settings settings) {
        long seed = CounterRandom.derive(settings.seed(), NOISE_STREAM);
        float middle = settings.clampTo() == null ? 0f : (settings.clampTo().low() + settings.clampTo().high()) / 2;
        float[] values = new float[input.sampleSize()];
        for (int i = 0; i < values.length; i++) {
            values[i] = middle + (float) (settings.startNoise() * CounterRandom.normal(seed, i));
        }
        return new Picture(input.channels(), input.height(), input.width(), values);
    }
}
