package io.jcnn.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolSpec;
import io.jcnn.backend.TestData;
import io.jcnn.check.GradientCheck;
import io.jcnn.init.Initializer;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference checks of every layer's input and parameter gradients, with non-default hyper-parameters,
 * batch 1 and above, and odd sizes, on every backend under test.
 */
class LayerGradientTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                c("conv 3x3 stride 2 pad 1, batch 1", Shape.nchw(1, 3, 7, 6),
                        () -> new Conv2d("conv", 4, 3, 3, new ConvSpec(2, 2, 1, 1, 1, 1, 1), true, Initializer.heNormal())),
                c("conv 3x2 stride 1x2 pad 2x1 dilation 2 groups 2, batch 2", Shape.nchw(2, 4, 9, 8),
                        () -> new Conv2d("conv", 6, 3, 2, new ConvSpec(1, 2, 2, 1, 2, 2, 2), true, Initializer.xavierUniform())),
                c("conv 5x5 no bias, depthwise groups 3, batch 3", Shape.nchw(3, 3, 6, 5),
                        () -> new Conv2d("conv", 3, 5, 5, new ConvSpec(1, 1, 2, 2, 1, 1, 3), false, Initializer.heUniform())),
                c("linear from N×C×H×W, batch 1", Shape.nchw(1, 2, 3, 2), () -> new Linear("fc", 5)),
                c("linear, batch 3", Shape.of(3, 7), () -> new Linear("fc", 4)),
                c("linear without bias", Shape.of(2, 5), () -> new Linear("fc", 3, false, Initializer.heNormal())),
                c("max pool 3 stride 2 pad 1", Shape.nchw(2, 3, 7, 7),
                        () -> new MaxPool2d("pool", new PoolSpec(PoolMode.MAX, 3, 3, 2, 2, 1, 1))),
                c("max pool 2x3 stride 1x2, batch 1", Shape.nchw(1, 2, 5, 8),
                        () -> new MaxPool2d("pool", new PoolSpec(PoolMode.MAX, 2, 3, 1, 2, 0, 0))),
                c("avg pool 3 stride 2 pad 1", Shape.nchw(2, 3, 7, 6),
                        () -> new AvgPool2d("pool", new PoolSpec(PoolMode.AVERAGE, 3, 3, 2, 2, 1, 1))),
                c("avg pool 2 stride 2, batch 1", Shape.nchw(1, 1, 4, 4), () -> new AvgPool2d("pool", 2, 2)),
                c("relu", Shape.nchw(2, 3, 4, 5), () -> new ReLU("act")),
                c("leaky relu 0.1", Shape.of(3, 11), () -> new LeakyReLU("act", 0.1f)),
                c("sigmoid", Shape.nchw(1, 2, 3, 3), () -> new Sigmoid("act")),
                c("tanh", Shape.of(4, 5), () -> new Tanh("act")),
                c("softmax", Shape.of(3, 7), () -> new Softmax("softmax")),
                c("log-softmax over C×H×W", Shape.nchw(2, 3, 2, 2), () -> new Softmax("softmax", true)),
                c("dropout 0.3", Shape.nchw(2, 3, 4, 4), () -> new Dropout("drop", 0.3f)),
                c("flatten", Shape.nchw(2, 3, 2, 2), () -> new Flatten("flat")),
                c("lrn size 3", Shape.nchw(2, 7, 3, 3), () -> new LocalResponseNorm("lrn", new LrnSpec(3, 0.5f, 0.75f, 1f))),
                c("lrn size 5, AlexNet-like k 2", Shape.nchw(1, 6, 2, 3), () -> new LocalResponseNorm("lrn", new LrnSpec(5, 1f, 0.75f, 2f))),
                c("batch norm N×C×H×W", Shape.nchw(3, 4, 3, 3), () -> new BatchNorm2d("bn")),
                c("batch norm N×C", Shape.of(6, 3), () -> new BatchNorm2d("bn", 0.2f, 1e-3f)),
                // A weight of conv1 moves every activation behind it, so many ReLU and max-pool kinks lie within
                // a 1e-2 step; a smaller step keeps the comparison on smooth ground.
                c("small LeNet-style model", 1e-3, Shape.nchw(2, 1, 10, 10), () -> new Sequential("net",
                        new Conv2d("conv1", 3, 3, ConvSpec.of(1, 0)),
                        new ReLU("relu1"),
                        new MaxPool2d("pool1", 2, 2),
                        new Conv2d("conv2", 4, 3, ConvSpec.of(1, 1)),
                        new Tanh("tanh2"),
                        new Flatten("flat"),
                        new Linear("fc", 3))));
    }

    private static Arguments c(String name, Shape input, Supplier<Layer> layer) {
        return c(name, GradientCheck.Options.defaults().step(), input, layer);
    }

    private static Arguments c(String name, double step, Shape input, Supplier<Layer> layer) {
        return Arguments.of(name, step, input, layer);
    }

    static Stream<Arguments> casesOnBackends() {
        return cases().flatMap(a -> io.jcnn.backend.TestBackends.all().stream()
                .map(b -> Arguments.of(a.get()[0], b, a.get()[1], a.get()[2], a.get()[3])));
    }

    @ParameterizedTest(autoCloseArguments = false, name = "{0} on {1}")
    @MethodSource("casesOnBackends")
    void analyticGradientsMatchFiniteDifferences(String name, Backend backend, double step, Shape input,
                                                 Supplier<Layer> factory) {
        try (Layer layer = factory.get(); Tensor x = backend.tensor(input, TestData.uniform(name.hashCode(), input.size()))) {
            layer.compile(backend, input, 42);
            GradientCheck.Report report = GradientCheck.layer(layer, x, true, GradientCheck.Options.defaults().withStep(step));
            assertTrue(report.passed(), name + ": " + report);
        }
    }

    /** Saliency maps take input gradients of a network in inference mode (dropout off, batch norm frozen). */
    @ParameterizedTest(autoCloseArguments = false, name = "{0} on {1}, inference mode")
    @MethodSource("casesOnBackends")
    void inferenceModeInputGradientsMatchFiniteDifferences(String name, Backend backend, double step, Shape input,
                                                           Supplier<Layer> factory) {
        try (Layer layer = factory.get(); Tensor x = backend.tensor(input, TestData.uniform(name.hashCode(), input.size()))) {
            layer.compile(backend, input, 7);
            // Move batch-norm running statistics away from their initial values first.
            layer.forward(x, true);
            GradientCheck.Report report = GradientCheck.inputGradient(layer, x, false,
                    GradientCheck.Options.defaults().withStep(step));
            assertTrue(report.passed(), name + ": " + report);
        }
    }

    /** Weights that training has moved (away from their symmetric start) must still have correct gradients. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void gradientsStillMatchAfterTrainingSteps(Backend backend) {
        Shape input = Shape.nchw(3, 1, 10, 10);
        try (Sequential model = new Sequential("net",
                     new Conv2d("conv1", 4, 3, ConvSpec.of(1, 1)),
                     new BatchNorm2d("bn1"),
                     new ReLU("relu1"),
                     new MaxPool2d("pool1", 2, 2),
                     new Dropout("drop", 0.2f),
                     new Linear("fc", 3));
             io.jcnn.loss.Loss loss = new io.jcnn.loss.SoftmaxCrossEntropyLoss();
             io.jcnn.optim.Optimizer adam = new io.jcnn.optim.Adam(0.01f);
             Tensor x = backend.tensor(input, TestData.uniform(99, input.size()));
             Tensor labels = backend.tensor(Shape.of(3), 0, 1, 2)) {
            model.compile(backend, input, 3);
            loss.compile(backend, model.outputShape());
            adam.compile(backend, model.params());
            for (int i = 0; i < 5; i++) {
                loss.compute(model.forward(x, true), labels);
                model.backward(loss.gradient());
                adam.step();
            }
            GradientCheck.Report report = GradientCheck.layer(model, x, true,
                    GradientCheck.Options.defaults().withStep(1e-3));
            assertTrue(report.passed(), report.toString());
        }
    }
}
