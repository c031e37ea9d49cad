package io.jcnn.explain;

import io.jcnn.backend.Backend;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Layer;
import io.jcnn.nn.Param;
import io.jcnn.optim.Adam;
import io.jcnn.random.CounterRandom;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Neural style transfer (Gatys, Ecker and Bethge, 2015, "A Neural Algorithm of Artistic Style"): an image optimised,
 * with the network's weights fixed, to have one image's content and another's style. Its loss is
 * <pre>
 * L = α·mean((F − P)²)  +  β·(1/|S|)·Σ_l Σ (G_l − A_l)²  +  γ·TV(x)
 * </pre>
 * where F and P are the content layer's activations for the image and the content image, G_l and A_l the Gram
 * matrices ({@link GramLoss}) of style layer l's maps for the image and the style image, and TV the mean squared
 * difference between neighbouring pixels. Adam moves the pixels, starting from the content image or seeded noise,
 * and keeps them in the input range. The layers run on the model's backend, only up to the deepest layer used, so
 * the images may be of any size those layers take, and the style image's size may differ from the content's.
 *
 * <p>Deterministic: the starting noise comes from counter-based random numbers of the seed, so a fixed seed (and
 * thread count) reproduces the image exactly on the CPU.
 */
public final class StyleTransfer {
    private static final long NOISE_STREAM = 1;

    private StyleTransfer() {
    }

    /**
     * How to optimise.
     *
     * @param steps         Adam steps, at least 1
     * @param learningRate  Adam's step size in input units, positive
     * @param contentWeight α, at least 0
     * @param styleWeight   β, at least 0
     * @param tvWeight      γ, the weight of total variation, at least 0
     * @param fromNoise     start from seeded noise around mid-grey instead of the content image
     * @param startNoise    the standard deviation of that noise
     * @param seed          seeds the noise
     * @param clampTo       the range pixels are kept in, or null for none
     */
    public record Settings(int steps, float learningRate, float contentWeight, float styleWeight, float tvWeight,
                           boolean fromNoise, float startNoise, long seed, InputRange clampTo) {
        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException if {@code steps} is below 1, the learning rate is not positive, or a
         *     weight or the noise is negative or not finite, or every weight is 0
         */
        public Settings {
            if (steps < 1) {
                throw new IllegalArgumentException("style: steps must be at least 1, got " + steps);
            }
            if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
                throw new IllegalArgumentException("style: the learning rate must be positive, got " + learningRate);
            }
            for (float w : new float[] {contentWeight, styleWeight, tvWeight, startNoise}) {
                if (!(w >= 0) || !Float.isFinite(w)) {
                    throw new IllegalArgumentException("style: weights and noise must be finite and at least 0, got "
                            + "content " + contentWeight + ", style " + styleWeight + ", tv " + tvWeight + ", noise "
                            + startNoise);
                }
            }
            if (contentWeight == 0 && styleWeight == 0 && tvWeight == 0) {
                throw new IllegalArgumentException("style: every loss weight is 0; nothing would be optimised");
            }
        }

        /**
         * 300 steps of Adam at 0.05, content weight 1, style weight 0.3, total-variation weight 0.05, from the
         * content image, seed 1, unclamped: tuned on LeNet for MNIST (whose normalised pixels span about −0.4 to
         * 2.8) with a striped style image, where they keep the digit and draw it in the stripes.
         */
        public static Settings defaults() {
            return new Settings(300, 0.05f, 1f, 0.3f, 0.05f, false, 0.3f, 1, null);
        }

        /** These settings with {@code count} steps. */
        public Settings withSteps(int count) {
            return new Settings(count, learningRate, contentWeight, styleWeight, tvWeight, fromNoise, startNoise,
                    seed, clampTo);
        }

        /** These settings with the three loss weights. */
        public Settings withWeights(float content, float style, float tv) {
            return new Settings(steps, learningRate, content, style, tv, fromNoise, startNoise, seed, clampTo);
        }

        /** These settings starting from noise when {@code noise} is true, else from the content image. */
        public Settings startingFromNoise(boolean noise) {
            return new Settings(steps, learningRate, contentWeight, styleWeight, tvWeight, noise, startNoise, seed,
                    clampTo);
        }

        /** These settings keeping pixels in {@code range}. */
        public Settings clampedTo(InputRange range) {
            return new Settings(steps, learningRate, contentWeight, styleWeight, tvWeight, fromNoise, startNoise,
                    seed, range);
        }
    }

    /**
     * What the optimisation made; each loss array holds the unweighted term for the image before the first step
     * (index 0) and after each step.
     *
     * @param image     the styled image, C×H×W in the model's input units, the content image's size
     * @param content   mean((F − P)²)
     * @param style     the Gram distance, averaged over the style layers
     * @param variation the total variation
     * @param total     the weighted sum the steps descend
     */
    public record Result(Picture image, double[] content, double[] style, double[] variation, double[] total) {
        /**
         * Copies the arrays.
         *
         * @throws NullPointerException if an argument is null
         */
        public Result {
            content = content.clone();
            style = style.clone();
            variation = variation.clone();
            total = total.clone();
        }
    }

    /**
     * The layers style is taken from by default: the output of each convolution, or of the activation right after
     * it where there is one.
     */
    public static List<String> defaultStyleLayers(Sequential model) {
        List<Layer> leaves = ModelLayers.leaves(model);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < leaves.size(); i++) {
            if (leaves.get(i) instanceof Conv2d) {
                boolean activated = i + 1 < leaves.size()
                        && leaves.get(i + 1) instanceof io.jcnn.nn.ActivationLayer;
                names.add(leaves.get(activated ? i + 1 : i).name());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("style: model '" + model.name() + "' has no convolution layer, so no"
                    + " feature maps to take style from");
        }
        return names;
    }

    /** The layer content is taken from by default: the last of {@link #defaultStyleLayers}. */
    public static String defaultContentLayer(Sequential model) {
        List<String> style = defaultStyleLayers(model);
        return style.get(style.size() - 1);
    }

    /**
     * Optimises an image with {@code content}'s content at layer {@code contentLayer} and {@code style}'s style at
     * {@code styleLayers} (both pictures C×H×W in the model's input units, of sizes the layers take).
     *
     * @throws IllegalArgumentException if a layer does not exist, a style layer has no spatial extent, the model
     *     cannot take an image's size or channels, or no style layer is given
     */
    public static Result run(Sequential model, String contentLayer, List<String> styleLayers, Picture content,
                             Picture style, Settings settings) {
        if (styleLayers.isEmpty()) {
            throw new IllegalArgumentException("style: at least one style layer is needed");
        }
        int contentIndex = LayerChain.indexOf(model, contentLayer, "style (content layer)");
        Map<Integer, String> styleIndices = new LinkedHashMap<>();
        for (String name : styleLayers) {
            styleIndices.put(LayerChain.indexOf(model, name, "style (style layer)"), name);
        }
        int last = Math.max(contentIndex, styleIndices.keySet().stream().mapToInt(Integer::intValue).max()
                .orElseThrow());
        int channels = model.inputShape().channels();
        for (Picture p : List.of(content, style)) {
            if (p.channels() != channels) {
                throw new IllegalArgumentException("style: an image has " + p.channels() + " channels, model '"
                        + model.name() + "' takes " + channels);
            }
        }
        try (LayerChain chain = new LayerChain(model, last);
             Targets targets = new Targets(chain, contentIndex, styleIndices, content, style)) {
            return optimise(chain, contentIndex, styleIndices, targets, content, settings);
        }
    }

    /** The content layer's activations for the content image, and each style layer's Gram matrix for the style's. */
    private static final class Targets implements AutoCloseable {
        final Tensor content;
        final Map<Integer, Tensor> grams = new HashMap<>();

        Targets(LayerChain chain, int contentIndex, Map<Integer, String> styleIndices, Picture contentImage,
                Picture styleImage) {
            Backend backend = chain.backend();
            try {
                Shape styleShape = chain.compile(styleImage.channels(), styleImage.height(), styleImage.width(),
                        "style (the style image)");
                List<Shape> shapes = chain.outputShapes();
                for (Map.Entry<Integer, String> e : styleIndices.entrySet()) {
                    Shape maps = shapes.get(e.getKey());
                    if (maps.rank() != 4) {
                        throw new IllegalArgumentException("style: layer '" + e.getValue() + "' ("
                                + chain.layer(e.getKey()).getClass().getSimpleName() + ") outputs " + maps
                                + ", with no spatial extent; style layers need feature maps (C×H×W)");
                    }
                }
                try (Tensor x = backend.tensor(styleShape, styleImage.values())) {
                    chain.forward(x);
                    for (int index : styleIndices.keySet()) {
                        try (GramLoss gram = new GramLoss(backend, shapes.get(index))) {
                            Tensor target = backend.allocate(gram.gramShape());
                            grams.put(index, target);
                            gram.gram(chain.output(index), target);
                        }
                    }
                }
                Shape contentShape = chain.compile(contentImage.channels(), contentImage.height(),
                        contentImage.width(), "style (the content image)");
                try (Tensor x = backend.tensor(contentShape, contentImage.values())) {
                    chain.forward(x);
                    Tensor activations = chain.output(contentIndex);
                    content = backend.allocate(activations.shape());
                    backend.copy(activations, content);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            grams.values().forEach(Tensor::close);
            grams.clear();
            if (content != null) {
                content.close();
            }
        }
    }

    private static Result optimise(LayerChain chain, int contentIndex, Map<Integer, String> styleIndices,
                                   Targets targets, Picture contentImage, Settings settings) {
        Backend backend = chain.backend();
        Shape shape = chain.inputShape();
        float[] start = settings.fromNoise() ? noise(shape, settings) : contentImage.values();
        List<Shape> shapes = chain.outputShapes();
        Map<Integer, Tensor> gradients = new HashMap<>();
        Map<Integer, GramLoss> grams = new HashMap<>();
        int steps = settings.steps();
        double[] contentLoss = new double[steps + 1];
        double[] styleLoss = new double[steps + 1];
        double[] variation = new double[steps + 1];
        double[] total = new double[steps + 1];
        float styleScale = settings.styleWeight() / styleIndices.size();
        try (Tensor image = backend.tensor(shape, start);
             Tensor imageGradient = backend.allocate(shape);
             Tensor tvGradient = backend.allocate(shape);
             Adam adam = new Adam(settings.learningRate());
             PointwiseOps clamp = settings.clampTo() != null ? new PointwiseOps(backend, shape) : null) {
            gradients.put(contentIndex, backend.allocate(shapes.get(contentIndex)));
            for (int index : styleIndices.keySet()) {
                gradients.computeIfAbsent(index, i -> backend.allocate(shapes.get(i)));
                grams.put(index, new GramLoss(backend, shapes.get(index)));
            }
            Param pixels = new Param("image", image, imageGradient, false);
            adam.compile(backend, List.of(pixels));
            if (clamp != null) {
                clamp.clamp(image, settings.clampTo());
            }
            for (int step = 0; step <= steps; step++) {
                chain.forward(image);
                // Content: ∂/∂F of α·mean((F − P)²) = 2α(F − P)/n.
                Tensor contentGradient = gradients.get(contentIndex);
                backend.copy(chain.output(contentIndex), contentGradient);
                backend.axpy(-1f, targets.content, contentGradient);
                int n = contentGradient.shape().size();
                contentLoss[step] = backend.sumOfSquares(contentGradient) / n;
                backend.scale(contentGradient, 2f * settings.contentWeight() / n);
                double styleSum = 0;
                for (int index : styleIndices.keySet()) {
                    Tensor g = gradients.get(index);
                    styleSum += grams.get(index).lossAndGradient(chain.output(index), targets.grams.get(index),
                            styleScale, g, index == contentIndex);
                }
                styleLoss[step] = styleSum / styleIndices.size();
                float[] x = image.toArray();
                float[] tv = new float[x.length];
                variation[step] = TotalVariation.lossAndGradient(x, shape.channels(), shape.height(), shape.width(),
                        tv);
                total[step] = settings.contentWeight() * contentLoss[step] + settings.styleWeight() * styleLoss[step]
                        + settings.tvWeight() * variation[step];
                if (step == steps) {
                    break;
                }
                Tensor d = chain.backward(gradients);
                backend.copy(d, imageGradient);
                tvGradient.copyFrom(tv);
                backend.axpy(settings.tvWeight(), tvGradient, imageGradient);
                adam.step();
                if (clamp != null) {
                    clamp.clamp(image, settings.clampTo());
                }
            }
            return new Result(Picture.item(image.toArray(), shape, 0), contentLoss, styleLoss, variation, total);
        } finally {
            gradients.values().forEach(Tensor::close);
            grams.values().forEach(GramLoss::close);
        }
    }

    private static float[] noise(Shape shape, Settings settings) {
        long seed = CounterRandom.derive(settings.seed(), NOISE_STREAM);
        float middle = settings.clampTo() == null ? 0f : (settings.clampTo().low() + settings.clampTo().high()) / 2;
        float[] values = new float[shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = middle + (float) (settings.startNoise() * CounterRandom.normal(seed, i));
        }
        return values;
    }
}
