package io.jcnn.model;

import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.init.Initializer;
import io.jcnn.nn.AvgPool2d;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Dropout;
import io.jcnn.nn.Linear;
import io.jcnn.nn.LocalResponseNorm;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.ReLU;
import io.jcnn.nn.Tanh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reference network definitions, and the zoo that names them. */
public final class Models {
    private static final Map<String, ModelSpec> ZOO = zoo();

    private Models() {
    }

    /**
     * LeNet-5 as in Caffe's MNIST example, for 1×28×28 input and 10 classes: conv 20@5×5, max pool 2/2,
     * conv 50@5×5, max pool 2/2, dense 500 + ReLU, dense 10 (logits). Xavier initialisation, as Caffe's.
     * 431,080 parameters; 4.6 MFLOP per image forward.
     */
    public static Sequential lenet() {
        Initializer xavier = Initializer.xavierUniform();
        return new Sequential("lenet",
                new Conv2d("conv1", 20, 5, 5, ConvSpec.defaults(), true, xavier),
                new MaxPool2d("pool1", 2, 2),
                new Conv2d("conv2", 50, 5, 5, ConvSpec.defaults(), true, xavier),
                new MaxPool2d("pool2", 2, 2),
                new Linear("ip1", 500, true, xavier),
                new ReLU("relu1"),
                new Linear("ip2", 10, true, xavier));
    }

    /**
     * The classic LeNet-5 (LeCun et al., 1998) in its common modern reading, for 1×28×28 input: conv 6@5×5 padded by
     * 2 (so the 28×28 digit is treated as the paper's 32×32 input), tanh, average pool 2/2, conv 16@5×5, tanh,
     * average pool 2/2, dense 120, tanh, dense 84, tanh, dense 10. Every C3 map sees all S2 maps (the paper's sparse
     * connection table is not reproduced). 61,706 parameters.
     */
    public static Sequential lenetClassic() {
        Initializer xavier = Initializer.xavierUniform();
        return new Sequential("lenet-classic",
                new Conv2d("c1", 6, 5, 5, ConvSpec.of(1, 2), true, xavier),
                new Tanh("tanh1"),
                new AvgPool2d("s2", 2, 2),
                new Conv2d("c3", 16, 5, 5, ConvSpec.defaults(), true, xavier),
                new Tanh("tanh3"),
                new AvgPool2d("s4", 2, 2),
                new Linear("c5", 120, true, xavier),
                new Tanh("tanh5"),
                new Linear("f6", 84, true, xavier),
                new Tanh("tanh6"),
                new Linear("output", 10, true, xavier));
    }

    /** A multilayer perceptron, 784-512-256-10 with ReLU and He initialisation: 535,818 parameters. */
    public static Sequential mlp() {
        Initializer he = Initializer.heNormal();
        return new Sequential("mlp",
                new Linear("fc1", 512, true, he),
                new ReLU("relu1"),
                new Linear("fc2", 256, true, he),
                new ReLU("relu2"),
                new Linear("fc3", 10, true, he));
    }

    /**
     * An AlexNet-style network scaled to 32×32 inputs (MNIST padded to 32×32, or CIFAR-10): five 3×3 convolutions
     * (32, 64, 96, 96, 64 channels, padded) with ReLU, max pooling after the first, second and fifth, then two dense
     * layers of 256 with ReLU and dropout ½, and 10 logits. He initialisation, except for the logits' layer: max pooling and
     * dropout raise the activations' scale layer by layer, so it starts from N(0, 0.01²), as Caffe's AlexNet does, to
     * make the first losses near ln 10 rather than large. Small enough to train on two CPU cores in minutes.
     */
    public static Sequential alexnet32() {
        Initializer he = Initializer.heNormal();
        ConvSpec same = ConvSpec.of(1, 1);
        return new Sequential("alexnet32",
                new Conv2d("conv1", 32, 3, 3, same, true, he), new ReLU("relu1"), new MaxPool2d("pool1", 2, 2),
                new Conv2d("conv2", 64, 3, 3, same, true, he), new ReLU("relu2"), new MaxPool2d("pool2", 2, 2),
                new Conv2d("conv3", 96, 3, 3, same, true, he), new ReLU("relu3"),
                new Conv2d("conv4", 96, 3, 3, same, true, he), new ReLU("relu4"),
                new Conv2d("conv5", 64, 3, 3, same, true, he), new ReLU("relu5"), new MaxPool2d("pool5", 2, 2),
                new Linear("fc6", 256, true, he), new ReLU("relu6"), new Dropout("drop6", 0.5f),
                new Linear("fc7", 256, true, he), new ReLU("relu7"), new Dropout("drop7", 0.5f),
                new Linear("fc8", 10, true, Initializer.normal(0.01)));
    }

    /**
     * AlexNet as Krizhevsky, Sutskever and Hinton defined it (2012; the single-stream layout of Caffe's reference
     * model), for 3×227×227 input and 1,000 classes: conv1 96@11×11 stride 4, ReLU, LRN, max pool 3/2; conv2
     * 256@5×5 pad 2 in 2 groups, ReLU, LRN, max pool 3/2; conv3 384@3×3 pad 1; conv4 384@3×3 pad 1 in 2 groups;
     * conv5 256@3×3 pad 1 in 2 groups, max pool 3/2; fc6 4096 and fc7 4096 with ReLU and dropout ½; fc8 1000.
     * The two groups are the two GPUs of the original. 60,965,224 parameters; about 1.45 GFLOP per image forward.
     */
    public static Sequential alexnet() {
        Initializer gauss = Initializer.normal(0.01);
        Initializer fc = Initializer.normal(0.005);
        LrnSpec lrn = LrnSpec.alexNet();
        return new Sequential("alexnet",
                new Conv2d("conv1", 96, 11, 11, ConvSpec.of(4, 0), true, gauss), new ReLU("relu1"),
                new LocalResponseNorm("norm1", lrn), new MaxPool2d("pool1", 3, 2),
                new Conv2d("conv2", 256, 5, 5, ConvSpec.of(1, 2).withGroups(2), true, gauss), new ReLU("relu2"),
                new LocalResponseNorm("norm2", lrn), new MaxPool2d("pool2", 3, 2),
                new Conv2d("conv3", 384, 3, 3, ConvSpec.of(1, 1), true, gauss), new ReLU("relu3"),
                new Conv2d("conv4", 384, 3, 3, ConvSpec.of(1, 1).withGroups(2), true, gauss), new ReLU("relu4"),
                new Conv2d("conv5", 256, 3, 3, ConvSpec.of(1, 1).withGroups(2), true, gauss), new ReLU("relu5"),
                new MaxPool2d("pool5", 3, 2),
                new Linear("fc6", 4096, true, fc), new ReLU("relu6"), new Dropout("drop6", 0.5f),
                new Linear("fc7", 4096, true, fc), new ReLU("relu7"), new Dropout("drop7", 0.5f),
                new Linear("fc8", 1000, true, gauss));
    }

    /** The zoo's names, in the order {@code jcnn --help} lists them. */
    public static List<String> names() {
        return new ArrayList<>(ZOO.keySet());
    }

    /** Every zoo entry. */
    public static List<ModelSpec> specs() {
        return new ArrayList<>(ZOO.values());
    }

    /** The zoo entry called {@code name}. */
    public static ModelSpec spec(String name) {
        ModelSpec spec = ZOO.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; expected one of "
                    + String.join(", ", ZOO.keySet()));
        }
        return spec;
    }

    /** A new, uncompiled instance of the zoo model called {@code name}. */
    public static Sequential byName(String name) {
        return spec(name).create();
    }

    private static Map<String, ModelSpec> zoo() {
        Map<String, ModelSpec> zoo = new LinkedHashMap<>();
        add(zoo, new ModelSpec("lenet", "LeNet-5 as in Caffe's MNIST example (20-50-500-10, ReLU, max pooling)",
                1, 28, 28, Models::lenet));
        add(zoo, new ModelSpec("lenet-classic", "the 1998 LeNet-5 (6-16-120-84-10, tanh, average pooling)",
                1, 28, 28, Models::lenetClassic));
        add(zoo, new ModelSpec("mlp", "a 784-512-256-10 multilayer perceptron", 1, 28, 28, Models::mlp));
        add(zoo, new ModelSpec("alexnet32", "an AlexNet-style network for 32×32 images (MNIST is padded)",
                1, 32, 32, Models::alexnet32));
        add(zoo, new ModelSpec("alexnet", "the original AlexNet for 3×227×227 images and 1,000 classes",
                3, 227, 227, Models::alexnet));
        return java.util.Collections.unmodifiableMap(zoo);
    }

    private static void add(Map<String, ModelSpec> zoo, ModelSpec spec) {
        zoo.put(spec.name(), spec);
    }
}
