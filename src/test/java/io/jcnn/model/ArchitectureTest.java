package io.jcnn.model;

import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolSpec;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.nn.AvgPool2d;
import io.jcnn.nn.BatchNorm2d;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Dropout;
import io.jcnn.nn.Flatten;
import io.jcnn.nn.LeakyReLU;
import io.jcnn.nn.Linear;
import io.jcnn.nn.LocalResponseNorm;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.ReLU;
import io.jcnn.nn.Sigmoid;
import io.jcnn.nn.Softmax;
import io.jcnn.nn.Tanh;
import io.jcnn.init.Initializer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchitectureTest {
    @TempDir
    Path dir;

    /** Every kind of layer jcnn has, with settings away from their defaults. */
    private static Sequential everyKind() {
        return new Sequential("every-kind",
                new Conv2d("conv", 6, 3, 2, new ConvSpec(2, 1, 1, 0, 1, 2, 2), false, Initializer.heNormal()),
                new BatchNorm2d("bn", 0.25f, 1e-3f),
                new LeakyReLU("leaky", 0.125f),
                new LocalResponseNorm("lrn", new LrnSpec(3, 2e-4f, 0.7f, 1.5f)),
                new MaxPool2d("max", new PoolSpec(PoolMode.MAX, 2, 1, 1, 1, 1, 0)),
                new AvgPool2d("avg", new PoolSpec(PoolMode.AVERAGE, 3, 3, 1, 1, 1, 1)),
                new Tanh("tanh"), new Sigmoid("sigmoid"), new ReLU("relu"), new Flatten("flatten"),
                new Linear("fc", 7, true, Initializer.xavierUniform()), new Dropout("drop", 0.3f),
                new Linear("logits", 4, false, Initializer.xavierUniform()), new Softmax("log-softmax", true));
    }

    @Test
    void everyKindIsDescribedAndRebuiltWithTheSameSettings() {
        try (Sequential model = everyKind()) {
            List<LayerSpec> specs = Architecture.describe(model).orElseThrow();
            Set<String> kinds = new TreeSet<>();
            specs.forEach(s -> kinds.add(s.kind()));
            assertEquals(Architecture.KINDS, kinds, "the test model holds every kind");
            try (Sequential rebuilt = Architecture.build(model.name(), specs)) {
                assertEquals(specs, Architecture.describe(rebuilt).orElseThrow());
                assertEquals("every-kind", rebuilt.name());
            }
            assertEquals("Conv2d 'conv' (bias=false, dilation=1x2, groups=2, kernel=3x2, out=6, pad=1x0, stride=2x1)",
                    Architecture.summary(specs.get(0)));
        }
    }

    @Test
    void aSavedModelOutsideTheZooComesBackFromItsCheckpointAlone() throws IOException {
        Shape input = Shape.of(3, 2, 12, 10);
        Path file = dir.resolve("every-kind.jcnn");
        float[] expected;
        float[] x = TestData.uniform(7, input.size());
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = everyKind()) {
            model.compile(cpu, input, 5);
            expected = run(cpu, model, x);
            Checkpoint.save(file, model, null, null, Map.of());
        }
        Checkpoint.Header header = Checkpoint.readHeader(file);
        assertTrue(header.hasArchitecture());
        assertEquals(14, header.architecture().size());
        try (CpuBackend cpu = new CpuBackend(1); Sequential rebuilt = Checkpoint.newModel(header)) {
            rebuilt.compile(cpu, input, 99);
            Checkpoint.load(file, rebuilt, null);
            assertArrayEquals(expected, run(cpu, rebuilt, x), "bit-identical outputs");
        }
    }

    @Test
    void everyZooModelRoundTripsThroughItsDescription() {
        for (ModelSpec spec : Models.specs()) {
            try (Sequential model = spec.create()) {
                List<LayerSpec> specs = Architecture.describe(model).orElseThrow();
                try (Sequential rebuilt = Architecture.build(spec.name(), specs)) {
                    assertEquals(specs, Architecture.describe(rebuilt).orElseThrow(), spec.name());
                    assertEquals(model.layers().size(), rebuilt.layers().size());
                }
            }
        }
    }

    @Test
    void aLayerOfTheCallersOwnLeavesTheModelUndescribedButSaveable() throws IOException {
        Path file = dir.resolve("custom.jcnn");
        try (CpuBackend cpu = new CpuBackend(1);
             Sequential model = new Sequential("custom", new Linear("fc", 3), new Sequential("inner",
                     new ReLU("relu")))) {
            model.compile(cpu, Shape.of(2, 5), 1);
            assertTrue(Architecture.describe(model).isEmpty());
            Checkpoint.save(file, model, null, null, Map.of());
            Checkpoint.Header header = Checkpoint.readHeader(file);
            assertFalse(header.hasArchitecture());
            assertEquals("it holds model 'custom', which is not in the zoo (lenet, lenet-classic, mlp, alexnet32,"
                    + " alexnet), and does not describe its layers",
                    assertThrows(IllegalArgumentException.class, () -> Checkpoint.newModel(header)).getMessage());
            Checkpoint.load(file, model, null);
        }
    }

    @Test
    void aModelWithTheSameParameterShapesButOtherLayersIsRefused() throws IOException {
        Path file = dir.resolve("strided.jcnn");
        Shape input = Shape.of(2, 1, 8, 8);
        try (CpuBackend cpu = new CpuBackend(1)) {
            try (Sequential model = new Sequential("m", new Conv2d("conv", 2, 3, ConvSpec.of(1, 1)))) {
                model.compile(cpu, input, 1);
                Checkpoint.save(file, model, null, null, Map.of());
            }
            try (Sequential strided = new Sequential("m", new Conv2d("conv", 2, 3, ConvSpec.of(2, 1)))) {
                strided.compile(cpu, input, 1);
                float[] before = strided.params().get(0).value().toArray();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Checkpoint.load(file, strided, null));
                assertEquals("checkpoint " + file + " holds a model whose layer 1 is Conv2d 'conv' (bias=true,"
                        + " dilation=1x1, groups=1, kernel=3x3, out=2, pad=1x1, stride=1x1) but the model's is"
                        + " Conv2d 'conv' (bias=true, dilation=1x1, groups=1, kernel=3x3, out=2, pad=1x1,"
                        + " stride=2x2)", e.getMessage());
                assertArrayEquals(before, strided.params().get(0).value().toArray(), "nothing was loaded");
            }
        }
    }

    @Test
    void badDescriptionsAreRefusedNamingTheLayerAndWhatWasExpected() {
        assertEquals("layer 'x' is of unknown kind 'Gru'; expected one of " + String.join(", ", Architecture.KINDS),
                refusal(new LayerSpec("Gru", "x", Map.of())));
        assertEquals("Linear layer 'fc' has no setting 'bias'", refusal(new LayerSpec("Linear", "fc",
                Map.of("out", "3"))));
        assertEquals("Linear layer 'fc' has out=0; expected a whole number of at least 1",
                refusal(new LayerSpec("Linear", "fc", Map.of("out", "0", "bias", "true"))));
        assertEquals("Linear layer 'fc' has bias=yes; expected true or false",
                refusal(new LayerSpec("Linear", "fc", Map.of("out", "2", "bias", "yes"))));
        assertEquals("Linear layer 'fc' has an unknown setting 'kernel'; expected out, bias",
                refusal(new LayerSpec("Linear", "fc", Map.of("out", "2", "bias", "true", "kernel", "3x3"))));
        assertEquals("ReLU layer 'r' has an unknown setting 'alpha'; expected none",
                refusal(new LayerSpec("ReLU", "r", Map.of("alpha", "0.1"))));
        assertEquals("LeakyReLU layer 'l' has alpha=NaN; expected a finite number",
                refusal(new LayerSpec("LeakyReLU", "l", Map.of("alpha", "NaN"))));
        Map<String, String> conv = new HashMap<>(Map.of("out", "3", "kernel", "3x3", "stride", "1x1", "pad", "0x0",
                "dilation", "1x1", "groups", "2", "bias", "true"));
        assertTrue(refusal(new LayerSpec("Conv2d", "c", conv)).startsWith("Conv2d 'c': groups=2 must divide"));
        conv.put("kernel", "3");
        assertEquals("Conv2d layer 'c' has kernel=3; expected HxW with both at least 1",
                refusal(new LayerSpec("Conv2d", "c", conv)));
        assertEquals("Dropout 'd': rate must be in [0, 1), got 1.0",
                refusal(new LayerSpec("Dropout", "d", Map.of("rate", "1"))));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Architecture.build("m", List.of(
                new LayerSpec("ReLU", "r", Map.of()), new LayerSpec("Tanh", "r", Map.of())))).getMessage()
                .contains("two layers are named 'r'"));
    }

    private static String refusal(LayerSpec layer) {
        return assertThrows(IllegalArgumentException.class, () -> Architecture.build("m", List.of(layer)))
                .getMessage();
    }

    private static float[] run(CpuBackend cpu, Sequential model, float[] values) {
        try (Tensor x = cpu.allocate(model.inputShape())) {
            x.copyFrom(values);
            return model.forward(x, false).toArray();
        }
    }
}
