package io.jcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input reaches the user as one clear error naming the layer, the expected and the actual values. */
class LayerContractTest {
    private final CpuBackend cpu = new CpuBackend(1);

    @AfterEach
    void close() {
        cpu.close();
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }

    @Test
    void kernelLargerThanPaddedInputNamesLayerAndSizes() {
        try (Conv2d conv = new Conv2d("conv1", 8, 5, ConvSpec.of(1, 1))) {
            assertMessage(() -> conv.compile(cpu, Shape.nchw(1, 1, 2, 2), 1), "conv1", "5×5", "4×4");
        }
    }

    @Test
    void aRefusedShapeLeavesTheLayerReadyToBeCompiledForItsOldShapeAgain() {
        Shape good = Shape.nchw(1, 1, 8, 8);
        try (Conv2d conv = new Conv2d("conv1", 2, 5, ConvSpec.defaults());
             Tensor x = cpu.allocate(good)) {
            conv.compile(cpu, good, 1);
            assertThrows(IllegalArgumentException.class, () -> conv.compile(cpu, Shape.nchw(1, 1, 3, 3), 1));
            assertEquals(null, conv.outputShape(), "compiled for no shape after a refusal");
            conv.compile(cpu, good, 1);
            assertEquals(Shape.nchw(1, 2, 4, 4), conv.forward(x, false).shape());
        }
    }

    @Test
    void forwardWithAnotherShapeNamesLayerExpectedAndActual() {
        try (Conv2d conv = new Conv2d("conv1", 4, 3, ConvSpec.of(1, 1));
             Tensor wrong = cpu.allocate(Shape.nchw(2, 3, 8, 8))) {
            conv.compile(cpu, Shape.nchw(2, 3, 9, 9), 1);
            assertMessage(() -> conv.forward(wrong, true), "Conv2d 'conv1'", "2×3×9×9", "2×3×8×8");
        }
    }

    @Test
    void inputOnAnotherBackendIsRejected() {
        try (CpuBackend other = new CpuBackend(1); ReLU relu = new ReLU("relu");
             Tensor x = other.allocate(Shape.of(2, 2))) {
            relu.compile(cpu, Shape.of(2, 2), 1);
            assertMessage(() -> relu.forward(x, false), "ReLU 'relu'", "another cpu backend instance");
        }
    }

    @Test
    void wrongRankNamesTheExpectedLayout() {
        try (MaxPool2d pool = new MaxPool2d("pool1", 2, 2)) {
            assertMessage(() -> pool.compile(cpu, Shape.of(4, 10), 1), "pool1", "N×C×H×W", "4×10");
        }
    }

    @Test
    void channelsThatGroupsDoNotDivideAreRejected() {
        try (Conv2d conv = new Conv2d("conv2", 6, 3, ConvSpec.of(1, 1).withGroups(2))) {
            assertMessage(() -> conv.compile(cpu, Shape.nchw(1, 3, 8, 8), 1), "conv2", "groups=2");
        }
        assertMessage(() -> new Conv2d("conv3", 5, 3, ConvSpec.of(1, 1).withGroups(2)), "conv3", "groups=2", "5");
    }

    @Test
    void nonsenseHyperParametersAreRejectedAtConstruction() {
        assertMessage(() -> new Dropout("drop", 1f), "drop", "[0, 1)", "1.0");
        assertMessage(() -> new Linear("fc", 0), "fc", "0");
        assertMessage(() -> ConvSpec.of(0, 1), "stride", "0");
        assertMessage(() -> new ConvSpec(1, 1, -1, 0, 1, 1, 1), "padding", "-1");
        assertMessage(() -> new BatchNorm2d("bn", 0.1f, 0f), "bn", "epsilon");
    }

    @Test
    void backwardBeforeForwardIsAnError() {
        try (Tanh tanh = new Tanh("tanh"); Tensor dy = cpu.allocate(Shape.of(1, 3))) {
            tanh.compile(cpu, Shape.of(1, 3), 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> tanh.backward(dy));
            assertTrue(e.getMessage().contains("tanh") && e.getMessage().contains("before forward"), e.getMessage());
        }
    }

    @Test
    void linearRecompiledWithOtherFeaturesIsRejected() {
        try (Linear fc = new Linear("fc1", 3)) {
            fc.compile(cpu, Shape.of(2, 5), 1);
            assertMessage(() -> fc.compile(cpu, Shape.of(2, 6), 1), "fc1", "5 features", "2×6");
        }
    }

    @Test
    void duplicateLayerNamesAreRejected() {
        assertMessage(() -> new Sequential("net", new ReLU("a"), new Tanh("a")), "net", "'a'");
    }

    @Test
    void recompilingForAnotherBatchKeepsParameters() {
        try (Linear fc = new Linear("fc", 3)) {
            fc.compile(cpu, Shape.of(4, 5), 9);
            float[] before = fc.weight().value().toArray();
            long allocations = cpu.memoryStats().allocations();
            fc.compile(cpu, Shape.of(4, 5), 9); // same shape: nothing re-planned
            assertEquals(allocations, cpu.memoryStats().allocations());
            fc.compile(cpu, Shape.of(1, 5), 9);
            assertEquals(Shape.of(1, 3), fc.outputShape());
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, fc.weight().value().toArray());
        }
        assertEquals(0, cpu.memoryStats().liveBytes(), "closing the layer frees everything it allocated");
    }

    @Test
    void nullSettingsAreRejectedByName() {
        IllegalArgumentException conv = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d("conv1", 4, 3, 3, null, true, io.jcnn.init.Initializer.xavierUniform()));
        assertEquals("Conv2d 'conv1': spec must not be null", conv.getMessage());
        IllegalArgumentException dense = assertThrows(IllegalArgumentException.class,
                () -> new Linear("fc1", 10, true, null));
        assertEquals("Linear 'fc1': weightInit must not be null", dense.getMessage());
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(" ", new ReLU("relu")));
        assertEquals("a Sequential needs a name (it is stored in checkpoints), got ' '", model.getMessage());
    }
}
