package io.jcnn.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcnn.backend.Backend;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** sign, clamp, shift and blur, composed from backend ops, checked element by element on every backend. */
class DeviceHelpersTest {
    private static final String BACKENDS = "io.jcnn.backend.TestBackends#all";

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource(BACKENDS)
    void signAndClampGiveExactValues(Backend backend) {
        Shape shape = Shape.of(7);
        try (PointwiseOps ops = new PointwiseOps(backend, shape);
             Tensor x = backend.tensor(shape, -2f, -1e-30f, 0f, 1e-30f, 0.5f, 3f, -0.25f);
             Tensor y = backend.allocate(shape)) {
            ops.sign(x, y);
            assertArrayEquals(new float[] {-1, -1, 0, 1, 1, 1, -1}, y.toArray());
            ops.sign(x, x);
            assertArrayEquals(new float[] {-1, -1, 0, 1, 1, 1, -1}, x.toArray(), "in place");

            x.copyFrom(new float[] {-2f, -0.5f, 0f, 0.25f, 1f, 1.5f, 9f});
            ops.clamp(x, new InputRange(-0.5f, 1.5f));
            assertArrayEquals(new float[] {-0.5f, -0.5f, 0f, 0.25f, 1f, 1.5f, 1.5f}, x.toArray(), 1e-6f);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource(BACKENDS)
    void shiftMovesEveryChannelAndItsTransposeMovesBack(Backend backend) {
        Shape shape = Shape.nchw(1, 2, 3, 4);
        float[] image = new float[shape.size()];
        for (int i = 0; i < image.length; i++) {
            image[i] = i + 1;
        }
        try (DepthwiseFilter shift = new DepthwiseFilter(backend, shape, 2);
             Tensor x = backend.tensor(shape, image);
             Tensor y = backend.allocate(shape);
             Tensor back = backend.allocate(shape)) {
            shift.setShift(1, -2); // one row down, two columns left
            shift.apply(x, y);
            float[] moved = y.toArray();
            for (int c = 0; c < 2; c++) {
                for (int row = 0; row < 3; row++) {
                    for (int col = 0; col < 4; col++) {
                        int from = row - 1;
                        int fromCol = col + 2;
                        float expected = from >= 0 && fromCol < 4 ? image[(c * 3 + from) * 4 + fromCol] : 0f;
                        assertEquals(expected, moved[(c * 3 + row) * 4 + col], c + ", " + row + ", " + col);
                    }
                }
            }
            shift.applyTransposed(y, back); // moves back; what fell off the edge stays 0
            float[] restored = back.toArray();
            for (int c = 0; c < 2; c++) {
                for (int row = 0; row < 3; row++) {
                    for (int col = 0; col < 4; col++) {
                        int i = (c * 3 + row) * 4 + col;
                        assertEquals(row < 2 && col >= 2 ? image[i] : 0f, restored[i], c + ", " + row + ", " + col);
                    }
                }
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource(BACKENDS)
    void gaussianBlurKeepsTheSumAwayFromTheEdges(Backend backend) {
        Shape shape = Shape.nchw(1, 1, 7, 7);
        float[] impulse = new float[49];
        impulse[3 * 7 + 3] = 1f;
        try (DepthwiseFilter blur = new DepthwiseFilter(backend, shape, 2);
             Tensor x = backend.tensor(shape, impulse);
             Tensor y = backend.allocate(shape)) {
            blur.setGaussian(0.8);
            blur.apply(x, y);
            float[] out = y.toArray();
            double sum = 0;
            for (float v : out) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-6);
            assertEquals(out[3 * 7 + 2], out[3 * 7 + 4], 1e-7f, "symmetric");
            assertEquals(out[2 * 7 + 3], out[3 * 7 + 2], 1e-7f, "isotropic");
            assertEquals(Math.exp(-1 / (2 * 0.8 * 0.8)), out[3 * 7 + 4] / out[3 * 7 + 3], 1e-6);
        }
    }
}
