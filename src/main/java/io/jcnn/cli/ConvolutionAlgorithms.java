package io.jcnn.cli;

import io.jcnn.model.Sequential;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One line per convolution of a compiled model: its output shape and how the backend computes each pass. */
final class ConvolutionAlgorithms {
    private ConvolutionAlgorithms() {
    }

    static List<String> lines(Sequential model) {
        List<String> lines = new ArrayList<>();
        for (Layer layer : model.layers()) {
            if (layer instanceof Conv2d conv) {
                String algorithms = conv.algorithms();
                lines.add(String.format(Locale.ROOT, "%-7s %-16s %s", conv.name(), conv.outputShape(),
                        algorithms.isEmpty() ? "(the backend does not say)" : algorithms));
            }
        }
        return lines;
    }
}
