package io.jcnn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void shapeRejectsNonPositiveAndOversizedDimensions() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 0, 3));
        assertTrue(zero.getMessage().contains("[2, 0, 3]"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(-1));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1 << 16, 1 << 16));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1, 2, 3, 4, 5));
        assertEquals("64×20×12×12", Shape.nchw(64, 20, 12, 12).toString());
        assertEquals(2880, Shape.nchw(64, 20, 12, 12).sampleSize());
    }

    @Test
    void allocationIsCountedAndFreedExactlyOnce() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor t = cpu.allocate(Shape.of(10, 10));
            assertEquals(400, cpu.memoryStats().liveBytes());
            Tensor view = t.reshape(Shape.of(100));
            view.close(); // a view owns nothing
            assertEquals(400, cpu.memoryStats().liveBytes());
            t.close();
            t.close(); // idempotent
            assertEquals(0, cpu.memoryStats().liveBytes());
            assertEquals(1, cpu.memoryStats().frees());
            assertThrows(IllegalStateException.class, t::storage);
        }
    }

    @Test
    void aViewOfAClosedTensorIsClosedToo() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor t = cpu.allocate(Shape.of(2, 3));
            Tensor view = t.reshape(Shape.of(6));
            Tensor viewOfView = view.reshape(Shape.of(3, 2));
            t.close();
            assertTrue(view.isClosed() && viewOfView.isClosed());
            // Ops refuse it as they refuse any closed argument; its storage is refused too.
            IllegalArgumentException op = assertThrows(IllegalArgumentException.class, viewOfView::toArray);
            assertTrue(op.getMessage().endsWith("tensor argument 1 3×2 is closed"), op.getMessage());
            IllegalStateException e = assertThrows(IllegalStateException.class, viewOfView::storage);
            assertEquals("view 3×2 on cpu of tensor 2×3, which is closed", e.getMessage());
            assertEquals("Tensor(6 on cpu, view, closed)", view.toString());
        }
    }

    @Test
    void copiesBetweenBackendsAreExplicit() {
        try (CpuBackend a = new CpuBackend(1); CpuBackend b = new CpuBackend(2);
             Tensor x = a.tensor(Shape.of(3), 1, 2, 3);
             Tensor onB = x.copyTo(b)) {
            assertArrayEquals(new float[] {1, 2, 3}, onB.toArray());
            assertEquals(b, onB.backend());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.scale(onB, 2f));
            assertTrue(e.getMessage().contains("scale") && e.getMessage().contains("another cpu backend instance"),
                    e.getMessage());
        }
    }

    @Test
    void reshapeKeepsElementCount() {
        try (CpuBackend cpu = new CpuBackend(1); Tensor t = cpu.allocate(Shape.of(2, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.reshape(Shape.of(5)));
            assertTrue(e.getMessage().contains("2×3") && e.getMessage().contains("5"), e.getMessage());
        }
    }

    @Test
    void uploadOfTheWrongLengthIsRejected() {
        try (CpuBackend cpu = new CpuBackend(1); Tensor t = cpu.allocate(Shape.of(2, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[5]));
            assertTrue(e.getMessage().contains("6") && e.getMessage().contains("5"), e.getMessage());
        }
    }
}
