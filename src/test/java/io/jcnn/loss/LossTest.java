package io.jcnn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.TestData;
import io.jcnn.check.GradientCheck;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LossTest {

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void softmaxCrossEntropyGradientMatchesFiniteDifferences(Backend backend) {
        for (int batch : new int[] {1, 5}) {
            Shape shape = Shape.of(batch, 7);
            float[] labels = new float[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = (i * 3) % 7;
            }
            try (Loss loss = new SoftmaxCrossEntropyLoss();
                 Tensor logits = backend.tensor(shape, TestData.uniform(batch, shape.size()));
                 Tensor target = backend.tensor(Shape.of(batch), labels)) {
                loss.compile(backend, shape);
                GradientCheck.Report report = GradientCheck.loss(loss, logits, target,
                        GradientCheck.Options.defaults().withStep(1e-3));
                assertTrue(report.passed(), report.toString());
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void mseGradientMatchesFiniteDifferences(Backend backend) {
        Shape shape = Shape.nchw(3, 2, 2, 1);
        try (Loss loss = new MseLoss();
             Tensor prediction = backend.tensor(shape, TestData.uniform(1, shape.size()));
             Tensor target = backend.tensor(shape, TestData.uniform(2, shape.size()))) {
            loss.compile(backend, shape);
            GradientCheck.Report report = GradientCheck.loss(loss, prediction, target,
                    GradientCheck.Options.defaults().withStep(1e-3));
            assertTrue(report.passed(), report.toString());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void mseOfAHandWorkedCase(Backend backend) {
        // ((1-0)² + (2-4)²) / (2·1) = 2.5 for one batch item of two values.
        try (Loss loss = new MseLoss();
             Tensor p = backend.tensor(Shape.of(1, 2), 1f, 2f);
             Tensor t = backend.tensor(Shape.of(1, 2), 0f, 4f)) {
            loss.compile(backend, p.shape());
            assertEquals(2.5f, loss.compute(p, t), 1e-6f);
            float[] g = loss.gradient().toArray();
            assertEquals(1f, g[0], 1e-6f);
            assertEquals(-2f, g[1], 1e-6f);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void nanLossIsReportedNotReturned(Backend backend) {
        try (Loss loss = new MseLoss();
             Tensor p = backend.tensor(Shape.of(2, 2), 1f, Float.NaN, 0f, 0f);
             Tensor t = backend.tensor(Shape.of(2, 2), 0f, 0f, 0f, 0f)) {
            loss.compile(backend, p.shape());
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> loss.compute(p, t));
            assertTrue(e.getMessage().contains("MseLoss") && e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void wrongTargetShapeNamesTheLoss(Backend backend) {
        try (Loss loss = new SoftmaxCrossEntropyLoss();
             Tensor logits = backend.allocate(Shape.of(4, 10));
             Tensor labels = backend.allocate(Shape.of(3))) {
            loss.compile(backend, logits.shape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.compute(logits, labels));
            assertTrue(e.getMessage().contains("SoftmaxCrossEntropyLoss") && e.getMessage().contains("4")
                    && e.getMessage().contains("3"), e.getMessage());
        }
    }
}
