package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Gradient ascent on the input of an (untrained, seeded) LeNet. */
class ClassVisualizationTest {
    private static final Shape ONE_DIGIT = Shape.nchw(1, 1, 28, 28);

    private static Sequential lenet(Backend backend) {
        Sequential model = Models.lenet();
        model.compile(backend, ONE_DIGIT, 7);
        return model;
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void plainAscentRaisesTheScoreAtEveryStep(Backend backend) {
        ClassVisualization.Settings settings = ClassVisualization.Settings.defaults().plain().withSteps(20);
        try (Sequential model = lenet(backend); InputGradient gradients = new InputGradient(model)) {
            ClassVisualization.Result result = ClassVisualization.run(gradients, 3, settings, null);
            float[] scores = result.scores();
            assertEquals(21, scores.length, "the start and every step");
            for (int step = 1; step < scores.length; step++) {
                assertTrue(scores[step] > scores[step - 1], "step " + step + ": " + Arrays.toString(scores));
            }
            double[] probabilities = result.probabilities();
            assertTrue(probabilities[20] > probabilities[0] && probabilities[20] <= 1, Arrays.toString(probabilities));
            assertEquals(ONE_DIGIT.withBatch(1).sampleSize(), result.image().values().length);
        }
    }

    @Test
    void withJitterAndBlurTheScoreStillRisesAndAFixedSeedReproducesTheImage() {
        try (CpuBackend cpu = new CpuBackend(2); Sequential model = lenet(cpu);
             InputGradient gradients = new InputGradient(model)) {
            // An untrained network's scores move little, so a larger step than the default.
            ClassVisualization.Settings settings = new ClassVisualization.Settings(40, 2f, 0.01f, 1, 0.5f, 4, 0.1f, 1,
                    null);
            ClassVisualization.Result first = ClassVisualization.run(gradients, 5, settings, null);
            ClassVisualization.Result again = ClassVisualization.run(gradients, 5, settings, null);
            ClassVisualization.Result other = ClassVisualization.run(gradients, 5, settings.withSeed(2), null);
            float[] scores = first.scores();
            assertTrue(scores[40] > scores[0] + 0.1f, Arrays.toString(scores));
            assertArrayEquals(first.image().values(), again.image().values(), "same seed, same bits");
            assertArrayEquals(first.scores(), again.scores());
            assertFalse(Arrays.equals(first.image().values(), other.image().values()), "another seed");
        }
    }

    @Test
    void startsFromAGivenImageAndKeepsItInRange() {
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = lenet(cpu);
             InputGradient gradients = new InputGradient(model)) {
            float[] grey = new float[784];
            Arrays.fill(grey, 0.5f);
            InputRange range = new InputRange(0f, 1f);
            ClassVisualization.Settings settings = new ClassVisualization.Settings(10, 5f, 0f, 0, 0f, 1, 0f, 1, range);
            ClassVisualization.Result result = ClassVisualization.run(gradients, 0,
                    settings, new Picture(1, 28, 28, grey));
            Picture image = result.image();
            assertTrue(image.min() >= 0f && image.max() <= 1f, image.min() + " to " + image.max());
            assertTrue(image.min() < 0.5f && image.max() > 0.5f, "it moved from grey");
            assertTrue(result.scores()[10] > result.scores()[0]);
        }
    }

    @Test
    void badSettingsAndShapesAreNamed() {
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = lenet(cpu);
             InputGradient gradients = new InputGradient(model)) {
            ClassVisualization.Settings settings = ClassVisualization.Settings.defaults();
            SaliencyMapTest.assertMessage(() -> ClassVisualization.run(gradients, 10, settings, null),
                    "class visualisation: class 10 is out of range; the model has 10 classes (0 to 9)");
            SaliencyMapTest.assertMessage(() -> ClassVisualization.run(gradients, 1, settings,
                    new Picture(1, 32, 32, new float[1024])), "the starting image is 1×32×32, the model takes 1×28×28");
            SaliencyMapTest.assertMessage(() -> settings.withSteps(0), "steps must be at least 1, got 0");
        }
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = Models.lenet()) {
            model.compile(cpu, ONE_DIGIT.withBatch(2), 1);
            try (InputGradient gradients = new InputGradient(model)) {
                SaliencyMapTest.assertMessage(() -> ClassVisualization.run(gradients, 1,
                        ClassVisualization.Settings.defaults(), null), "compiled for one image (batch 1)");
            }
        }
    }
}
