package io.jcnn.explain;

import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Where in an image a class score is sensitive (Simonyan, Vedaldi and Zisserman, 2014): the gradient of the class's
 * score (its logit) with respect to the input pixels, in absolute value, the largest over the channels, scaled so the
 * largest value is 1. An H×W map in [0, 1]; a gradient that is zero everywhere gives a map of zeros.
 */
public final class SaliencyMap {
    private final Picture map;

    private SaliencyMap(Picture map) {
        this.map = map;
    }

    /**
     * The maps of {@code input}'s batch items, item n for class {@code chosen[n]}, with ReLUs crossed by
     * {@code rule} ({@link GradientRule#PLAIN} for a saliency map, {@link GradientRule#GUIDED} for guided
     * backpropagation). {@code input} has the shape the model is compiled for.
     */
    public static List<SaliencyMap> of(InputGradient gradients, Tensor input, int[] chosen, GradientRule rule) {
        gradients.scores(input);
        Tensor gradient = gradients.gradientOfScores(chosen, rule);
        float[] values = gradient.toArray();
        List<SaliencyMap> maps = new ArrayList<>();
        for (int n = 0; n < chosen.length; n++) {
            maps.add(fromGradient(Picture.item(values, gradient.shape(), n)));
        }
        return maps;
    }

    /** The map of one item's input gradient (C×H×W). */
    public static SaliencyMap fromGradient(Picture gradient) {
        int height = gradient.height();
        int width = gradient.width();
        float[] map = new float[height * width];
        float largest = 0f;
        for (int c = 0; c < gradient.channels(); c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float v = Math.abs(gradient.at(c, y, x));
                    int i = y * width + x;
                    map[i] = Math.max(map[i], v);
                    largest = Math.max(largest, v);
                }
            }
        }
        if (largest > 0f) {
            for (int i = 0; i < map.length; i++) {
                map[i] /= largest;
            }
        }
        return new SaliencyMap(new Picture(1, height, width, map));
    }

    /** Height of the map, the input's H. */
    public int height() {
        return map.height();
    }

    /** Width of the map, the input's W. */
    public int width() {
        return map.width();
    }

    /** The value at row {@code y}, column {@code x}, in [0, 1]. */
    public float at(int y, int x) {
        return map.at(0, y, x);
    }

    /** The map as a 1×H×W picture of values in [0, 1]. */
    public Picture picture() {
        return map;
    }
}
