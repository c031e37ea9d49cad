package io.jcnn.model;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.nn.Layer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsTest {

    @Test
    void theZooKnowsEveryModelByName() {
        assertEquals(List.of("lenet", "lenet-classic", "mlp", "alexnet32", "alexnet"), Models.names());
        for (String name : Models.names()) {
            assertEquals(name, Models.byName(name).name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.byName("resnet"));
        assertTrue(e.getMessage().contains("'resnet'") && e.getMessage().contains("lenet-classic"), e.getMessage());
    }

    @Test
    void smallModelsHaveTheirKnownParameterCountsAndTrainOnTheirIntendedInput() {
        long[] expected = {431_080, 61_706, 535_818};
        String[] names = {"lenet", "lenet-classic", "mlp", "alexnet32"};
        try (CpuBackend cpu = new CpuBackend()) {
            for (int i = 0; i < names.length; i++) {
                ModelSpec spec = Models.spec(names[i]);
                try (Sequential model = spec.create()) {
                    Shape input = Shape.of(3, spec.channels(), spec.height(), spec.width());
                    assertEquals(Shape.of(3, 10), model.compile(cpu, input, 1));
                    if (i < expected.length) {
                        assertEquals(expected[i], model.parameterCount(), names[i]);
                    }
                    try (Tensor x = cpu.allocate(input); Tensor dy = cpu.allocate(model.outputShape())) {
                        dy.copyFrom(new float[30]);
                        model.forward(x, true);
                        assertNotNull(model.backward(dy));
                    }
                }
            }
        }
    }

    @Test
    void lenetForwardFlopsAreTwicePerMultiplyAdd() {
        try (CpuBackend cpu = new CpuBackend(); Sequential lenet = Models.lenet()) {
            lenet.compile(cpu, Shape.of(2, 1, 28, 28), 1);
            // conv1 20·24·24·25, conv2 50·8·8·500, ip1 800·500, ip2 500·10 multiply-adds per image.
            long perImage = 2L * (20 * 24 * 24 * 25 + 50 * 8 * 8 * 500 + 800 * 500 + 500 * 10);
            assertEquals(2 * perImage, lenet.forwardFlops());
            assertEquals(2L * 2 * 20 * 24 * 24 * 25, lenet.layer("conv1").forwardFlops());
            assertEquals(0, lenet.layer("pool1").forwardFlops());
            assertTrue(lenet.summary().contains("fwd MFLOP") && lenet.summary().contains("9.2"), lenet.summary());
        }
    }

    /** The 2012 AlexNet with its grouped convolutions: builds, runs both ways at batch 1, counts right. */
    @Test
    void theOriginalAlexNetRunsForwardAndBackward() {
        try (CpuBackend cpu = new CpuBackend(); Sequential alexnet = Models.alexnet()) {
            assertEquals(Shape.of(1, 1000), alexnet.compile(cpu, Shape.of(1, 3, 227, 227), 1));
            assertEquals(60_965_224, alexnet.parameterCount());
            long macs = 55L * 55 * 96 * 363 + 27L * 27 * 256 * 1200 + 13L * 13 * 384 * 2304 + 13L * 13 * 384 * 1728
                    + 13L * 13 * 256 * 1728 + 9216L * 4096 + 4096L * 4096 + 4096L * 1000;
            assertEquals(2 * macs, alexnet.forwardFlops());
            Layer conv2 = alexnet.layer("conv2");
            assertEquals(Shape.of(256, 48, 5, 5), conv2.params().get(0).value().shape(), "two groups of 48 inputs");
            try (Tensor x = cpu.allocate(Shape.of(1, 3, 227, 227)); Tensor dy = cpu.allocate(Shape.of(1, 1000))) {
                x.copyFrom(io.jcnn.backend.TestData.uniform(3, 3 * 227 * 227));
                float[] grad = new float[1000];
                grad[7] = 1;
                dy.copyFrom(grad);
                float[] out = alexnet.forward(x, true).toArray();
                for (float v : out) {
                    assertTrue(Float.isFinite(v));
                }
                float[] dx = alexnet.backward(dy).toArray();
                double norm = 0;
                for (float v : dx) {
                    norm += v * v;
                }
                assertTrue(norm > 0 && Double.isFinite(norm), "input gradient norm " + norm);
            }
        }
    }
}
