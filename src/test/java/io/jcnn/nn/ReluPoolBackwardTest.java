package io.jcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.TestData;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A model's backward through ReLU + pooling pairs in one op gives the bits of the layers' backward passes in turn. */
class ReluPoolBackwardTest {
    private static final Shape INPUT = Shape.nchw(3, 2, 12, 12);

    private static Sequential model() {
        return new Sequential("pairs",
                new Conv2d("conv1", 8, 3, ConvSpec.of(1, 1)), new ReLU("relu1"), new MaxPool2d("pool1", 2, 2),
                new Conv2d("conv2", 6, 3, ConvSpec.of(1, 1)), new ReLU("relu2"), new AvgPool2d("pool2", 2, 2),
                new Conv2d("conv3", 5, 3, ConvSpec.of(1, 0)), new ReLU("relu3"), new MaxPool2d("pool3", 1, 1),
                new Flatten("flat"), new Linear("fc", 4));
    }

    /** Every parameter gradient and the input gradient, after a backward of {@code dy}. */
    private static List<float[]> gradients(Sequential model, Tensor input, Tensor dy, boolean layerByLayer) {
        model.forward(input, true);
        Tensor d = dy;
        if (layerByLayer) {
            for (int i = model.layers().size() - 1; i >= 0; i--) {
                d = model.layers().get(i).backward(d);
            }
        } else {
            d = model.backward(dy);
        }
        List<float[]> out = new ArrayList<>();
        out.add(d.toArray());
        for (Param p : model.params()) {
            out.add(p.gradient().toArray());
        }
        return out;
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void modelBackwardHasTheBitsOfTheLayersInTurn(Backend backend) {
        try (Sequential model = model()) {
            model.compile(backend, INPUT, 7);
            model.setInputGradientNeeded(true);
            try (Tensor input = backend.tensor(INPUT, TestData.uniform(5, INPUT.size()));
                 Tensor dy = backend.tensor(model.outputShape(), TestData.uniform(6, model.outputShape().size()))) {
                List<float[]> fused = gradients(model, input, dy, false);
                assertTrue(ReluPoolBackward.applies(model.layer("relu1"), model.layer("pool1")));
                assertTrue(ReluPoolBackward.applies(model.layer("relu2"), model.layer("pool2")));
                List<float[]> separate = gradients(model, input, dy, true);
                assertEquals(separate.size(), fused.size());
                for (int i = 0; i < fused.size(); i++) {
                    float[] a = separate.get(i);
                    float[] b = fused.get(i);
                    for (int j = 0; j < a.length; j++) {
                        if (Float.floatToRawIntBits(a[j]) != Float.floatToRawIntBits(b[j])) {
                            throw new AssertionError("gradient " + i + " element " + j + ": " + b[j]
                                    + " fused, " + a[j] + " layer by layer");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void appliesOnlyToAPoolThatReadTheReluOutput(Backend backend) {
        Shape shape = Shape.nchw(2, 3, 4, 4);
        try (ReLU relu = new ReLU("relu");
             MaxPool2d pool = new MaxPool2d("pool", 2, 2);
             Sigmoid sigmoid = new Sigmoid("sigmoid");
             Tensor x = backend.tensor(shape, TestData.uniform(9, shape.size()))) {
            relu.compile(backend, shape, 1);
            pool.compile(backend, shape, 1);
            sigmoid.compile(backend, shape, 1);
            assertFalse(ReluPoolBackward.applies(relu, pool), "before any forward");
            relu.forward(x, true);
            pool.forward(x, true); // not the ReLU's output
            assertFalse(ReluPoolBackward.applies(relu, pool));
            assertFalse(ReluPoolBackward.applies(sigmoid, pool));
            Tensor dy = pool.forward(x, true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ReluPoolBackward.backward(relu, pool, dy));
            assertTrue(e.getMessage().contains("does not read the output of"), e.getMessage());
            pool.forward(relu.forward(x, true), true);
            assertTrue(ReluPoolBackward.applies(relu, pool));
            relu.setInputGradientNeeded(false);
            assertNull(ReluPoolBackward.backward(relu, pool, dy), "no input gradient wanted");
        }
    }
}
