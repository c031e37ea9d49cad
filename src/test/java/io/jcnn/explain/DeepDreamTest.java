package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Dreams on an (untrained, seeded) LeNet: the objective, the octaves, reproducibility and the refusals. */
class DeepDreamTest {
    private static final Shape ONE_DIGIT = Shape.nchw(1, 1, 28, 28);
    private static final InputRange PIXELS = new InputRange(-0.42f, 2.82f);

    private static Sequential lenet(Backend backend) {
        Sequential model = Models.lenet();
        model.compile(backend, ONE_DIGIT, 7);
        return model;
    }

    private static Picture digit() {
        float[] values = TestData.uniform(3, 784);
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i] * 1.5f + 1f;
        }
        return new Picture(1, 28, 28, values);
    }

    /**
     * The default objective (the mean square) with the default jitter rises at every step of every octave; the mean
     * is checked without jitter, since a shifted image's gradient can lower the mean of a layer whose responses
     * are mostly negative (an untrained LeNet's conv2).
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void theObjectiveRisesAtEveryStepOfEveryOctaveFromAFixedSeed(Backend backend) {
        for (DeepDream.Objective objective : DeepDream.Objective.values()) {
            DeepDream.Settings defaults = DeepDream.Settings.defaults().withSteps(10).withObjective(objective)
                    .clampedTo(PIXELS);
            DeepDream.Settings settings = objective == DeepDream.Objective.SQUARES ? defaults
                    : defaults.withJitter(0);
            try (Sequential model = lenet(backend)) {
                DeepDream.Result result = DeepDream.run(model, "conv2", -1, settings, digit());
                assertEquals(3, result.objectives().size(), "three octaves");
                for (double[] values : result.objectives()) {
                    assertEquals(11, values.length, "the start and every step");
                    for (int step = 1; step < values.length; step++) {
                        assertTrue(values[step] > values[step - 1], objective + " step " + step + ": "
                                + Arrays.toString(values));
                    }
                }
                Picture image = result.image();
                assertEquals(28, image.height());
                assertTrue(image.min() >= PIXELS.low() - 1e-5f && image.max() <= PIXELS.high() + 1e-5f,
                        "kept in range: " + image.min() + " to " + image.max());
            }
        }
    }

    @Test
    void octavesGrowByTheScaleAndThoseTheLayersCannotTakeAreLeftOut() {
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = lenet(cpu)) {
            DeepDream.Settings settings = DeepDream.Settings.defaults().withSteps(2).withOctaves(5);
            DeepDream.Result conv1 = DeepDream.run(model, "conv1", -1, settings, digit());
            assertEquals("[[7, 7], [10, 10], [14, 14], [20, 20], [28, 28]]", sizes(conv1), "28 / 1.4^k, rounded");
            DeepDream.Result conv2 = DeepDream.run(model, "conv2", -1, settings, digit());
            assertEquals("[[14, 14], [20, 20], [28, 28]]", sizes(conv2), "conv2 needs 14×14 at least");
            DeepDream.Result ip1 = DeepDream.run(model, "ip1", -1, settings, digit());
            assertEquals("[[28, 28]]", sizes(ip1), "a dense layer takes only the model's own size");
        }
    }

    @Test
    void aFixedSeedReproducesTheDreamBitForBitAndTheModelIsWholeAfterwards() {
        try (CpuBackend cpu = new CpuBackend(2); Sequential model = lenet(cpu);
             Tensor x = cpu.tensor(ONE_DIGIT, digit().values())) {
            float[] before = model.forward(x, false).toArray();
            DeepDream.Settings settings = DeepDream.Settings.defaults().withSteps(5).clampedTo(PIXELS);
            DeepDream.Result first = DeepDream.run(model, "pool2", 3, settings, null);
            DeepDream.Result again = DeepDream.run(model, "pool2", 3, settings, null);
            DeepDream.Result other = DeepDream.run(model, "pool2", 3, settings.withSeed(2), null);
            assertArrayEquals(first.image().values(), again.image().values(), "same seed, same bits");
            assertFalse(Arrays.equals(first.image().values(), other.image().values()), "another seed");
            assertArrayEquals(before, model.forward(x, false).toArray(), "the model computes as before");
        }
    }

    @Test
    void badInputIsRefusedNamingWhatWasWrong() {
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = lenet(cpu)) {
            DeepDream.Settings settings = DeepDream.Settings.defaults().withSteps(1);
            assertEquals("dream: model 'lenet' has no layer 'conv9'; its layers are conv1 Conv2d, pool1 MaxPool2d,"
                    + " conv2 Conv2d, pool2 MaxPool2d, ip1 Linear, relu1 ReLU, ip2 Linear",
                    assertThrows(IllegalArgumentException.class,
                            () -> DeepDream.run(model, "conv9", -1, settings, digit())).getMessage());
            assertEquals("dream: channel 50 is out of range; layer 'conv2' has 50 channels (0 to 49)",
                    assertThrows(IllegalArgumentException.class,
                            () -> DeepDream.run(model, "conv2", 50, settings, digit())).getMessage());
            String tooSmall = assertThrows(IllegalArgumentException.class, () -> DeepDream.run(model, "conv2", -1,
                    settings, new Picture(1, 8, 8, new float[64]))).getMessage();
            assertTrue(tooSmall.startsWith("dream: model 'lenet' cannot take a 1×8×8 image up to layer 'conv2'"),
                    tooSmall);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> DeepDream.run(model, "conv1", -1,
                    settings, new Picture(3, 28, 28, new float[3 * 784]))).getMessage()
                    .contains("the image has 3 channels, model 'lenet' takes 1"));
            assertThrows(IllegalArgumentException.class, () -> new DeepDream.Settings(1, 1.0, 1, 1f, 0,
                    DeepDream.Objective.MEAN, 0f, 1, null));
        }
    }

    private static String sizes(DeepDream.Result result) {
        return Arrays.deepToString(result.sizes().toArray(new int[0][]));
    }
}
