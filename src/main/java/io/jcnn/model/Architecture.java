package io.jcnn.model;

import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolSpec;
import io.jcnn.init.Initializer;
import io.jcnn.nn.AvgPool2d;
import io.jcnn.nn.BatchNorm2d;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Dropout;
import io.jcnn.nn.Flatten;
import io.jcnn.nn.LeakyReLU;
import io.jcnn.nn.Layer;
import io.jcnn.nn.Linear;
import io.jcnn.nn.LocalResponseNorm;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.ReLU;
import io.jcnn.nn.Sigmoid;
import io.jcnn.nn.Softmax;
import io.jcnn.nn.Tanh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model's layers written as {@link LayerSpec}s, and the model rebuilt from them: what lets a checkpoint hold a
 * network that is not in the zoo (one imported from ONNX, or built in code from jcnn's layers) and still be
 * evaluated, explained, exported and trained further. Initialisers are not part of it: a rebuilt model takes its
 * weights from the checkpoint.
 */
public final class Architecture {
    /** The layer kinds an architecture can hold: every layer jcnn has. */
    public static final Set<String> KINDS = new TreeSet<>(List.of("Conv2d", "Linear", "MaxPool2d", "AvgPool2d",
            "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "Flatten", "LocalResponseNorm", "BatchNorm2d",
            "Dropout"));

    private Architecture() {
    }

    /**
     * {@code model}'s layers, or empty when one of them is not among {@link #KINDS} (a layer class of the caller's
     * own, or a nested model), which no architecture can rebuild.
     */
    public static Optional<List<LayerSpec>> describe(Sequential model) {
        List<LayerSpec> specs = new ArrayList<>();
        for (Layer layer : model.layers()) {
            Map<String, String> settings = settings(layer);
            if (settings == null) {
                return Optional.empty();
            }
            specs.add(new LayerSpec(layer.getClass().getSimpleName(), layer.name(), settings));
        }
        return Optional.of(specs);
    }

    /** What rebuilds {@code layer}, or null when its kind is not one of jcnn's own. */
    private static Map<String, String> settings(Layer layer) {
        Map<String, String> s = new LinkedHashMap<>();
        if (layer instanceof Conv2d conv) {
            ConvSpec c = conv.spec();
            s.put("out", Integer.toString(conv.outChannels()));
            s.put("kernel", pair(conv.kernelHeight(), conv.kernelWidth()));
            s.put("stride", pair(c.strideH(), c.strideW()));
            s.put("pad", pair(c.padH(), c.padW()));
            s.put("dilation", pair(c.dilationH(), c.dilationW()));
            s.put("groups", Integer.toString(c.groups()));
            s.put("bias", Boolean.toString(conv.hasBias()));
        } else if (layer instanceof Linear linear) {
            s.put("out", Integer.toString(linear.outFeatures()));
            s.put("bias", Boolean.toString(linear.hasBias()));
        } else if (layer instanceof MaxPool2d || layer instanceof AvgPool2d) {
            PoolSpec p = layer instanceof MaxPool2d max ? max.spec() : ((AvgPool2d) layer).spec();
            s.put("kernel", pair(p.kernelH(), p.kernelW()));
            s.put("stride", pair(p.strideH(), p.strideW()));
            s.put("pad", pair(p.padH(), p.padW()));
        } else if (layer instanceof LeakyReLU leaky) {
            s.put("alpha", Float.toString(leaky.activation().alpha()));
        } else if (layer instanceof Softmax softmax) {
            s.put("log", Boolean.toString(softmax.isLog()));
        } else if (layer instanceof LocalResponseNorm lrn) {
            LrnSpec l = lrn.spec();
            s.put("size", Integer.toString(l.size()));
            s.put("alpha", Float.toString(l.alpha()));
            s.put("beta", Float.toString(l.beta()));
            s.put("k", Float.toString(l.k()));
        } else if (layer instanceof BatchNorm2d bn) {
            s.put("momentum", Float.toString(bn.momentum()));
            s.put("epsilon", Float.toString(bn.epsilon()));
        } else if (layer instanceof Dropout dropout) {
            s.put("rate", Float.toString(dropout.rate()));
        } else if (!(layer instanceof ReLU || layer instanceof Sigmoid || layer instanceof Tanh
                || layer instanceof Flatten)) {
            return null;
        }
        return s;
    }

    /**
     * A new, uncompiled model called {@code name} of {@code layers}.
     *
     * @throws IllegalArgumentException naming the layer, if a kind is unknown, a setting is missing, unknown or out
     *     of range, or two layers share a name
     */
    public static Sequential build(String name, List<LayerSpec> layers) {
        List<Layer> built = new ArrayList<>();
        for (LayerSpec spec : layers) {
            built.add(layer(spec));
        }
        return new Sequential(name, built);
    }

    private static Layer layer(LayerSpec spec) {
        String n = spec.name();
        if (n.isBlank()) {
            throw new IllegalArgumentException(spec.kind() + " layer has a blank name");
        }
        Layer layer;
        try {
            layer = construct(spec, n);
        } catch (IllegalArgumentException e) {
            // The layers' own checks name the layer; the specs' (ConvSpec, LrnSpec, PoolSpec) do not.
            if (e.getMessage() != null && e.getMessage().contains("'" + n + "'")) {
                throw e;
            }
            throw new IllegalArgumentException(spec.kind() + " layer '" + n + "': " + e.getMessage(), e);
        }
        Map<String, String> expected = settings(layer);
        for (String key : spec.settings().keySet()) {
            if (!expected.containsKey(key)) {
                throw new IllegalArgumentException(spec.kind() + " layer '" + n + "' has an unknown setting '" + key
                        + "'; expected " + (expected.isEmpty() ? "none" : String.join(", ", expected.keySet())));
            }
        }
        return layer;
    }

    private static Layer construct(LayerSpec spec, String n) {
        return switch (spec.kind()) {
            case "Conv2d" -> {
                int[] kernel = spec.pair("kernel", 1);
                int[] stride = spec.pair("stride", 1);
                int[] pad = spec.pair("pad", 0);
                int[] dilation = spec.pair("dilation", 1);
                ConvSpec c = new ConvSpec(stride[0], stride[1], pad[0], pad[1], dilation[0], dilation[1],
                        spec.integer("groups", 1));
                yield new Conv2d(n, spec.integer("out", 1), kernel[0], kernel[1], c, spec.flag("bias"),
                        Initializer.heNormal());
            }
            case "Linear" -> new Linear(n, spec.integer("out", 1), spec.flag("bias"), Initializer.xavierUniform());
            case "MaxPool2d", "AvgPool2d" -> {
                boolean max = spec.kind().equals("MaxPool2d");
                int[] kernel = spec.pair("kernel", 1);
                int[] stride = spec.pair("stride", 1);
                int[] pad = spec.pair("pad", 0);
                PoolSpec p = new PoolSpec(max ? PoolMode.MAX : PoolMode.AVERAGE, kernel[0], kernel[1], stride[0],
                        stride[1], pad[0], pad[1]);
                yield max ? new MaxPool2d(n, p) : new AvgPool2d(n, p);
            }
            case "ReLU" -> new ReLU(n);
            case "LeakyReLU" -> new LeakyReLU(n, spec.decimal("alpha"));
            case "Sigmoid" -> new Sigmoid(n);
            case "Tanh" -> new Tanh(n);
            case "Softmax" -> new Softmax(n, spec.flag("log"));
            case "Flatten" -> new Flatten(n);
            case "LocalResponseNorm" -> new LocalResponseNorm(n, new LrnSpec(spec.integer("size", 1),
                    spec.decimal("alpha"), spec.decimal("beta"), spec.decimal("k")));
            case "BatchNorm2d" -> new BatchNorm2d(n, spec.decimal("momentum"), spec.decimal("epsilon"));
            case "Dropout" -> new Dropout(n, spec.decimal("rate"));
            default -> throw new IllegalArgumentException("layer '" + n + "' is of unknown kind '" + spec.kind()
                    + "'; expected one of " + String.join(", ", KINDS));
        };
    }

    /** One line for {@code layer}, such as {@code Conv2d 'conv1' (bias=true, groups=1, kernel=5x5, ...)}. */
    public static String summary(LayerSpec layer) {
        if (layer == null) {
            return "absent";
        }
        StringBuilder line = new StringBuilder(layer.kind()).append(" '").append(layer.name()).append('\'');
        if (!layer.settings().isEmpty()) {
            line.append(" (");
            new java.util.TreeMap<>(layer.settings()).forEach((k, v) -> line.append(k).append('=').append(v)
                    .append(", "));
            line.setLength(line.length() - 2);
            line.append(')');
        }
        return line.toString();
    }

    private static String pair(int h, int w) {
        return h + "x" + w;
    }
}
