package io.jcnn.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.check.GradientCheck;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ShiftedReLUTest {
    @Test
    void gradientsMatchFiniteDifferences() {
        Shape shape = Shape.nchw(2, 3, 4, 4);
        float[] values = new float[shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i * 0.7);
        }
        try (CpuBackend cpu = new CpuBackend(1); ShiftedReLU layer = new ShiftedReLU("shifted");
             Tensor x = cpu.tensor(shape, values)) {
            layer.compile(cpu, shape, 1);
            cpu.fill(layer.params().get(0).value(), 0.25f);
            GradientCheck.Report report = GradientCheck.layer(layer, x, true, GradientCheck.Options.defaults());
            assertTrue(report.passed(), report.toString());
        }
    }
}
