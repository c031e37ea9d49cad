package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.backend.cuda.CudaBackend;
import io.jcnn.backend.cuda.CudaProbe;
import io.jcnn.backend.cuda.CudaTier;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend refuses use after close, and every op refuses a closed plan, with an IllegalStateException that
 * says so, before touching memory: a closed CPU backend used to fail deep in a loop, a closed cuDNN plan would hand
 * destroyed descriptors to cuDNN.
 */
class LifecycleContractTest {

    /** Fresh backends, one per kind, each closed by the test that gets it. */
    static List<Supplier<Backend>> freshBackends() {
        List<Supplier<Backend>> all = new ArrayList<>();
        if (!"cuda".equals(System.getProperty("jcnn.test.backends"))) {
            all.add(() -> new CpuBackend(2));
        }
        if (CudaProbe.get().deviceUnavailableReason() == null) {
            for (CudaTier tier : CudaTier.values()) {
                if (CudaProbe.get().loads(tier)) {
                    all.add(() -> new CudaBackend(0, tier, false));
                }
            }
        }
        return all;
    }

    @ParameterizedTest
    @MethodSource("freshBackends")
    void aClosedBackendRefusesEveryUseButClosingTensors(Supplier<Backend> fresh) {
        Backend backend = fresh.get();
        Tensor t = backend.tensor(Shape.nchw(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor u = backend.allocate(t.shape());
        backend.close();
        backend.close();
        assertTrue(backend.isClosed());
        String name = backend.name();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> backend.allocate(Shape.of(2)));
        assertEquals("allocate: backend " + name + " is closed", e.getMessage());
        assertEquals("activationForward(RELU): backend " + name + " is closed",
                assertThrows(IllegalStateException.class,
                        () -> backend.activationForward(Activation.RELU, t, u)).getMessage());
        assertThrows(IllegalStateException.class, () -> backend.copy(t, u));
        assertThrows(IllegalStateException.class, t::toArray);
        assertThrows(IllegalStateException.class, () -> t.copyFrom(new float[4]));
        assertThrows(IllegalStateException.class, () -> backend.planConv2d(t.shape(), Shape.nchw(1, 1, 1, 1),
                ConvSpec.defaults()));
        assertThrows(IllegalStateException.class, () -> backend.planPool2d(t.shape(),
                PoolSpec.of(PoolMode.MAX, 2, 2)));
        t.close();
        u.close();
        assertEquals(0, backend.memoryStats().liveBytes());
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void closedPlansAreRefused(Backend backend) {
        try (Tensor x = backend.allocate(Shape.nchw(1, 1, 4, 4));
             Tensor w = backend.allocate(Shape.nchw(1, 1, 3, 3));
             Tensor y = backend.allocate(Shape.nchw(1, 1, 2, 2))) {
            ConvPlan conv = backend.planConv2d(x.shape(), w.shape(), ConvSpec.defaults());
            conv.close();
            conv.close();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> backend.conv2dForward(conv, x, w, y));
            assertTrue(e.getMessage().startsWith("conv2dForward: the plan ") && e.getMessage().endsWith(
                    " is closed; plan again with plan*()"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> backend.conv2dBackwardData(conv, y, w, x));
            assertThrows(IllegalStateException.class, () -> backend.conv2dBackwardFilter(conv, x, y, w));
            PoolPlan pool = backend.planPool2d(x.shape(), PoolSpec.of(PoolMode.MAX, 2, 2));
            pool.close();
            assertThrows(IllegalStateException.class, () -> backend.pool2dForward(pool, x, y));
            assertThrows(IllegalStateException.class, () -> backend.pool2dBackward(pool, x, y, y, x));
        }
    }
}
