package io.jcnn.check;

import io.jcnn.loss.Loss;
import io.jcnn.nn.Layer;
import io.jcnn.nn.Param;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Compares a layer's (or loss's) analytic gradients with central finite differences, with Caffe's semantics:
 * the objective for a layer is ½Σy² (so ∂L/∂y = y); an analytic value a and numeric value n agree when
 * |a − n| ≤ threshold·max(|a|, |n|, 1). Coordinates where the objective has a kink within one step (a ReLU input
 * near 0, a max-pool tie) are skipped: there the one-sided slopes disagree, which a wrong analytic gradient alone
 * never causes. Stochastic layers are reseeded before every forward so each evaluation sees the same masks.
 * Works on any backend; values move through host arrays, so keep shapes small.
 */
public final class GradientCheck {

    /**
     * @param step              finite-difference step h
     * @param threshold         relative tolerance
     * @param maxCoordinates    coordinates checked per tensor; tensors larger than this are sampled at random
     * @param seed              seed for sampling and for reseeding stochastic layers
     * @param kinkTolerance     one-sided slopes differing by more than this (relative, floor 1) mark a kink
     */
    public record Options(double step, double threshold, int maxCoordinates, long seed, double kinkTolerance) {
        /**
         * Validates the options.
         *
         * @throws IllegalArgumentException unless step, threshold and kinkTolerance are positive and finite and
         *     maxCoordinates is at least 1
         */
        public Options {
            if (!(step > 0) || !(threshold > 0) || maxCoordinates < 1 || !(kinkTolerance > 0)
                    || Double.isInfinite(step) || Double.isInfinite(threshold) || Double.isInfinite(kinkTolerance)) {
                throw new IllegalArgumentException("GradientCheck options need finite step > 0, threshold > 0,"
                        + " kinkTolerance > 0 and maxCoordinates >= 1; got step, threshold, maxCoordinates, kinkTolerance " + step + ", " + threshold + ", " + maxCoordinates + ", " + kinkTolerance);
            }
        }

        /** Caffe's defaults for float32: step 1e-2, threshold 1e-2; up to 150 coordinates per tensor. */
        public static Options defaults() {
            return new Options(1e-2, 1e-2, 150, 1701, 0.2);
        }

        /**
         * These options with relative tolerance {@code t}.
         *
         * @throws IllegalArgumentException if {@code t} is not positive
         */
        public Options withThreshold(double t) {
            return new Options(step, t, maxCoordinates, seed, kinkTolerance);
        }

        /**
         * These options with finite-difference step {@code h}.
         *
         * @throws IllegalArgumentException if {@code h} is not positive
         */
        public Options withStep(double h) {
            return new Options(h, threshold, maxCoordinates, seed, kinkTolerance);
        }
    }

    /** The outcome: how many coordinates were compared or skipped, and the worst disagreement. */
    public record Report(int checked, int skippedAtKinks, int failures, double worstError, String worst) {
        /** Whether at least one coordinate was compared and none disagreed. */
        public boolean passed() {
            return failures == 0 && checked > 0;
        }

        @Override
        public String toString() {
            return (passed() ? "passed" : "FAILED") + ": " + checked + " coordinates checked, " + skippedAtKinks
                    + " skipped at kinks, " + failures + " failures; worst " + worst + " (error/allowed "
                    + String.format("%.3g", worstError) + ")";
        }
    }

    private GradientCheck() {
    }

    /**
     * Checks ∂L/∂input and every parameter gradient of a compiled layer at {@code input}, with L = ½Σy².
     * {@code training} is passed to every forward.
     */
    public static Report layer(Layer layer, Tensor input, boolean training, Options options) {
        return check(layer, input, training, options, true);
    }

    /**
     * Checks only ∂L/∂input (L = ½Σy²): what saliency maps and input optimisation use, also for a frozen network
     * in inference mode.
     */
    public static Report inputGradient(Layer layer, Tensor input, boolean training, Options options) {
        return check(layer, input, training, options, false);
    }

    private static Report check(Layer layer, Tensor input, boolean training, Options options, boolean params) {
        Tally tally = new Tally(options);
        layer.reseed(options.seed());
        Tensor y = layer.forward(input, training);
        float[] top = y.toArray();
        double base = halfSumOfSquares(top);
        try (Tensor dy = y.backend().tensor(y.shape(), top)) {
            float[] inputGradient = layer.backward(dy).toArray();
            List<float[]> paramGradients = new ArrayList<>();
            for (Param p : layer.params()) {
                paramGradients.add(p.gradient().toArray());
            }
            Objective objective = () -> {
                layer.reseed(options.seed());
                return halfSumOfSquares(layer.forward(input, training).toArray());
            };
            probe("input", input, inputGradient, base, objective, tally);
            List<Param> all = params ? layer.params() : List.of();
            for (int i = 0; i < all.size(); i++) {
                probe(all.get(i).name(), all.get(i).value(), paramGradients.get(i), base, objective, tally);
            }
        }
        return tally.report();
    }

    /** Checks a loss's gradient with respect to its prediction. */
    public static Report loss(Loss loss, Tensor prediction, Tensor target, Options options) {
        Tally tally = new Tally(options);
        double base = loss.compute(prediction, target);
        float[] gradient = loss.gradient().toArray();
        probe("prediction", prediction, gradient, base, () -> loss.compute(prediction, target), tally);
        return tally.report();
    }

    @FunctionalInterface
    private interface Objective {
        double evaluate();
    }

    /** Perturbs coordinates of {@code variable} in place (restoring each) and compares slopes. */
    private static void probe(String role, Tensor variable, float[] analytic, double base, Objective objective,
                              Tally tally) {
        float[] values = variable.toArray();
        for (int i : tally.coordinates(values.length)) {
            float original = values[i];
            values[i] = (float) (original + tally.options.step());
            variable.copyFrom(values);
            double plus = objective.evaluate();
            values[i] = (float) (original - tally.options.step());
            variable.copyFrom(values);
            double minus = objective.evaluate();
            values[i] = original;
            variable.copyFrom(values);
            // The achieved step, not the requested one: float rounding of original ± h is not exact.
            double h2 = (double) (float) (original + tally.options.step()) - (float) (original - tally.options.step());
            tally.compare(role + "[" + i + "]", analytic[i], (plus - minus) / h2, (plus - base), (base - minus),
                    h2 / 2);
        }
        // Leave the layer's cached forward state consistent with the unperturbed input.
        objective.evaluate();
    }

    private static double halfSumOfSquares(float[] y) {
        double sum = 0;
        for (float v : y) {
            sum += (double) v * v;
        }
        return sum / 2;
    }

    private static final class Tally {
        final Options options;
        final SplittableRandom random;
        int checked;
        int skipped;
        int failures;
        double worstError;
        String worst = "none";

        Tally(Options options) {
            this.options = options;
            this.random = new SplittableRandom(options.seed());
        }

        int[] coordinates(int size) {
            if (size <= options.maxCoordinates()) {
                int[] all = new int[size];
                for (int i = 0; i < size; i++) {
                    all[i] = i;
                }
                return all;
            }
            return random.ints(options.maxCoordinates(), 0, size).toArray();
        }

        void compare(String where, double analytic, double numeric, double riseAbove, double riseBelow, double h) {
            double scale = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), 1.0);
            double allowed = options.threshold() * scale;
            double error = Math.abs(analytic - numeric);
            if (error <= allowed) {
                checked++;
                record(where + " analytic " + analytic + " numeric " + numeric, error / allowed);
                return;
            }
            double slopeAbove = riseAbove / h;
            double slopeBelow = riseBelow / h;
            double slopeScale = Math.max(Math.max(Math.abs(slopeAbove), Math.abs(slopeBelow)), 1.0);
            if (Math.abs(slopeAbove - slopeBelow) > options.kinkTolerance() * slopeScale) {
                skipped++;
                return;
            }
            checked++;
            failures++;
            record(where + " analytic " + analytic + " numeric " + numeric, error / allowed);
        }

        private void record(String description, double ratio) {
            if (ratio >= worstError) {
                worstError = ratio;
                worst = description;
            }
        }

        Report report() {
            return new Report(checked, skipped, failures, worstError, worst);
        }
    }
}
