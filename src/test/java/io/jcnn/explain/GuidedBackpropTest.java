package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Linear;
import io.jcnn.nn.ReLU;
import io.jcnn.nn.Tanh;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guided backpropagation against a hand calculation on a 2-3-2-2 ReLU network, the middle part a nested Sequential.
 *
 * <pre>
 * x = (1, 2)
 * fc1: W = [[1, 0], [0, 1], [1, −1]], b = (0, 0, 0.5)   a1 = (1, 2, −0.5)   relu1 → (1, 2, 0)
 * fc2: W = [[1, −1, 2], [−1, 2, 1]], b = (0.5, 0)        a2 = (−0.5, 3)      relu2 → (0, 3)
 * fc3: W = [[1, 2], [3, −1]], b = 0                      scores = (6, −3)
 *
 * class 0, ∂score/∂relu2 = (1, 2)
 *   plain:  relu2 (0, 2)   fc2ᵀ (−2, 4, 2)   relu1 (−2, 4, 0)   fc1ᵀ → (−2, 4)
 *   guided: relu2 (0, 2)   fc2ᵀ (−2, 4, 2)   relu1 (0, 4, 0)    fc1ᵀ → (0, 4)
 * class 1, ∂score/∂relu2 = (3, −1)
 *   plain:  relu2 (0, −1)  fc2ᵀ (1, −2, −1)  relu1 (1, −2, 0)   fc1ᵀ → (1, −2)
 *   guided: relu2 (0, 0)   everything after is 0                 → (0, 0)
 * </pre>
 */
class GuidedBackpropTest {
    private static final Shape INPUT = Shape.of(1, 2);

    private static Sequential handBuilt(Backend backend) {
        Sequential model = TinyNetworks.compiled(backend, INPUT, new Linear("fc1", 3),
                new Sequential("block", new ReLU("relu1"), new Linear("fc2", 2), new ReLU("relu2")),
                new Linear("fc3", 2));
        TinyNetworks.set(model, "fc1.weight", 1, 0, 0, 1, 1, -1);
        TinyNetworks.set(model, "fc1.bias", 0, 0, 0.5f);
        TinyNetworks.set(model, "fc2.weight", 1, -1, 2, -1, 2, 1);
        TinyNetworks.set(model, "fc2.bias", 0.5f, 0);
        TinyNetworks.set(model, "fc3.weight", 1, 2, 3, -1);
        return model;
    }

    private static float[] gradient(InputGradient gradients, Tensor x, int classIndex, GradientRule rule) {
        gradients.scores(x);
        return gradients.gradientOfScores(new int[] {classIndex}, rule).toArray();
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void matchesTheHandCalculation(Backend backend) {
        try (Sequential model = handBuilt(backend);
             InputGradient gradients = new InputGradient(model);
             Tensor x = backend.tensor(INPUT, 1, 2)) {
            assertArrayEquals(new float[] {6, -3}, gradients.scores(x).of(0));
            assertArrayEquals(new float[] {-2, 4}, gradient(gradients, x, 0, GradientRule.PLAIN));
            assertArrayEquals(new float[] {0, 4}, gradient(gradients, x, 0, GradientRule.GUIDED));
            assertArrayEquals(new float[] {1, -2}, gradient(gradients, x, 1, GradientRule.PLAIN));
            assertArrayEquals(new float[] {0, 0}, gradient(gradients, x, 1, GradientRule.GUIDED));
            // Guided passes leave the layers as they were: the plain gradient is unchanged afterwards.
            assertArrayEquals(new float[] {-2, 4}, gradient(gradients, x, 0, GradientRule.PLAIN));
            assertTrue(gradients.hasRelu());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void withoutReluGuidedIsThePlainGradient(Backend backend) {
        try (Sequential model = TinyNetworks.compiled(backend, INPUT, new Linear("fc1", 3), new Tanh("tanh"),
                new Linear("fc2", 2));
             InputGradient gradients = new InputGradient(model);
             Tensor x = backend.tensor(INPUT, 0.3f, -0.8f)) {
            assertFalse(gradients.hasRelu());
            assertArrayEquals(gradient(gradients, x, 1, GradientRule.PLAIN),
                    gradient(gradients, x, 1, GradientRule.GUIDED));
        }
    }
}
