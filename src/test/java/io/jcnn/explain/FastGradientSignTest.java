package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Flatten;
import io.jcnn.nn.Linear;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The adversarial search on a linear classifier whose answer is known: score₀ = Σ pixels, score₁ = 1. Every pixel's
 * loss gradient is negative, so the signed step darkens every pixel by ε (clipped at black) and the prediction turns
 * from 0 to 1 once the pixels sum to less than 1.
 */
class FastGradientSignTest {
    private static final Shape INPUT = Shape.nchw(1, 1, 2, 2);

    private static Sequential linear(Backend backend) {
        Sequential model = TinyNetworks.compiled(backend, INPUT, new Flatten("flatten"), new Linear("fc", 2));
        TinyNetworks.set(model, "fc.weight", 1, 1, 1, 1, 0, 0, 0, 0);
        TinyNetworks.set(model, "fc.bias", 0, 1);
        return model;
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void findsTheSmallestStepThatChangesThePrediction(Backend backend) {
        try (Sequential model = linear(backend); InputGradient gradients = new InputGradient(model);
             Tensor image = backend.tensor(INPUT, 0.6f, 0.6f, 0.6f, 0.6f)) {
            // 4·(0.6 − ε) < 1 from ε = 0.35.
            AdversarialExample found = FastGradientSign.search(gradients, image, new InputRange(0f, 1f),
                    new FastGradientSign.Settings(0.5f, 100, 12));
            assertTrue(found.changed());
            assertEquals(0.35f, found.epsilon(), 1e-4f);
            assertEquals(0, found.originalClass());
            assertEquals(1, found.adversarialClass());
            assertTrue(found.adversarialProbability() > 0.5);
            assertArrayEquals(new float[] {0.6f, 0.6f, 0.6f, 0.6f}, found.original().values());
            float darkened = 0.6f - found.epsilon();
            assertArrayEquals(new float[] {darkened, darkened, darkened, darkened}, found.adversarial().values(),
                    1e-6f);
            // 70 or 71 scan steps (4·(0.6 − 0.35) is 1 give or take rounding, a tie that class 0 wins), 12
            // bisections and the final image.
            assertTrue(found.evaluations() == 83 || found.evaluations() == 84, "evaluations " + found.evaluations());

            // The same image in units where black is −1 and white 3: ε is a fraction of that width of 4.
            AdversarialExample wide = FastGradientSign.search(gradients, image, new InputRange(-1f, 3f),
                    new FastGradientSign.Settings(0.5f, 100, 12));
            assertEquals(0.35f / 4, wide.epsilon(), 1e-4f);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void pixelsClippedAtBlackNeedALargerStep(Backend backend) {
        try (Sequential model = linear(backend); InputGradient gradients = new InputGradient(model);
             Tensor image = backend.tensor(INPUT, 0.1f, 0.7f, 0.7f, 0.9f)) {
            // Past ε = 0.1 the first pixel stays at 0: 2·(0.7 − ε) + (0.9 − ε) < 1 from ε = 1.3/3.
            AdversarialExample found = FastGradientSign.search(gradients, image, new InputRange(0f, 1f),
                    new FastGradientSign.Settings(0.6f, 60, 12));
            assertTrue(found.changed());
            assertEquals(1.3f / 3, found.epsilon(), 1e-4f);
            assertEquals(0f, found.adversarial().at(0, 0, 0));

            AdversarialExample tooSmall = FastGradientSign.search(gradients, image, new InputRange(0f, 1f),
                    new FastGradientSign.Settings(0.2f, 10, 5));
            assertFalse(tooSmall.changed());
            assertEquals(0.2f, tooSmall.epsilon());
            assertEquals(0, tooSmall.adversarialClass());
            assertEquals(11, tooSmall.evaluations(), "10 scan steps and the final image");
        }
    }
}
