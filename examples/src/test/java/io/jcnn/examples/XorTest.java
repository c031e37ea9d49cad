package io.jcnn.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class XorTest {
    @Test
    void exampleLearnsXor() {
        try (CpuBackend cpu = new CpuBackend()) {
            float[] out = Xor.train(cpu, 2024, 1000);
            assertTrue(out[0] < 0.5f && out[1] > 0.5f && out[2] > 0.5f && out[3] < 0.5f, Arrays.toString(out));
        }
    }
}
