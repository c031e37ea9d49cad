package io.jcnn.benchmarks;

import io.jcnn.backend.ConvSpec;
import io.jcnn.tensor.Shape;
import java.util.SplittableRandom;

/**
 * The layer shapes the benchmarks time, from real networks: LeNet at batch 64, the AlexNet-style network for 32×32
 * images ({@code Models.alexnet32()}) at batch 128, and AlexNet for 227×227 images at batch {@value #ALEXNET_BATCH},
 * smaller so that one CPU call stays around a second.
 */
final class Layers {
    static final int LENET_BATCH = 64;
    static final int ALEXNET32_BATCH = 128;
    static final int ALEXNET_BATCH = 8;

    private Layers() {
    }

    /** A convolution: input, filter and spec. */
    record Conv(Shape input, Shape filter, ConvSpec spec) {
        /** The same layer at another batch size. */
        Conv withBatch(int batch) {
            return new Conv(input.withBatch(batch), filter, spec);
        }
    }

    static Conv conv(String layer) {
        int l = LENET_BATCH;
        int s = ALEXNET32_BATCH;
        int a = ALEXNET_BATCH;
        ConvSpec same = ConvSpec.of(1, 1);
        return switch (layer) {
            case "lenetConv1" -> new Conv(Shape.nchw(l, 1, 28, 28), Shape.nchw(20, 1, 5, 5), ConvSpec.defaults());
            case "lenetConv2" -> new Conv(Shape.nchw(l, 20, 12, 12), Shape.nchw(50, 20, 5, 5), ConvSpec.defaults());
            case "alexnet32Conv1" -> new Conv(Shape.nchw(s, 1, 32, 32), Shape.nchw(32, 1, 3, 3), same);
            case "alexnet32Conv2" -> new Conv(Shape.nchw(s, 32, 16, 16), Shape.nchw(64, 32, 3, 3), same);
            case "alexnet32Conv3" -> new Conv(Shape.nchw(s, 64, 8, 8), Shape.nchw(96, 64, 3, 3), same);
            case "alexnet32Conv4" -> new Conv(Shape.nchw(s, 96, 8, 8), Shape.nchw(96, 96, 3, 3), same);
            case "alexnet32Conv5" -> new Conv(Shape.nchw(s, 96, 8, 8), Shape.nchw(64, 96, 3, 3), same);
            case "alexnetConv1" -> new Conv(Shape.nchw(a, 3, 227, 227), Shape.nchw(96, 3, 11, 11), ConvSpec.of(4, 0));
            case "alexnetConv2" -> new Conv(Shape.nchw(a, 96, 27, 27), Shape.nchw(256, 48, 5, 5),
                    ConvSpec.of(1, 2).withGroups(2));
            case "alexnetConv3" -> new Conv(Shape.nchw(a, 256, 13, 13), Shape.nchw(384, 256, 3, 3), same);
            case "alexnetConv4" -> new Conv(Shape.nchw(a, 384, 13, 13), Shape.nchw(384, 192, 3, 3),
                    same.withGroups(2));
            case "alexnetConv5" -> new Conv(Shape.nchw(a, 384, 13, 13), Shape.nchw(256, 192, 3, 3),
                    same.withGroups(2));
            default -> throw new IllegalArgumentException("unknown convolution layer '" + layer + "'");
        };
    }

    /** A dense layer as the matrix products of {@code Linear}: batch × in → batch × out. */
    record Dense(int batch, int in, int out) {
        double flops() {
            return 2.0 * batch * in * out;
        }
    }

    static Dense dense(String layer) {
        return switch (layer) {
            case "lenetFc1" -> new Dense(LENET_BATCH, 800, 500);
            case "alexnetFc6" -> new Dense(ALEXNET32_BATCH, 9216, 4096);
            case "alexnetFc7" -> new Dense(ALEXNET32_BATCH, 4096, 4096);
            default -> throw new IllegalArgumentException("unknown dense layer '" + layer + "'");
        };
    }

    /** Values uniform in [−1, 1) from a seed. */
    static float[] random(long seed, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
