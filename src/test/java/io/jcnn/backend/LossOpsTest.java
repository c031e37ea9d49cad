package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** softmaxCrossEntropy and mseLoss against the double-precision reference, on every backend. */
class LossOpsTest {

    static Stream<Arguments> backendsAndShapes() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : TestBackends.all()) {
            for (Shape shape : List.of(Shape.of(1, 1), Shape.of(4, 1), Shape.of(7, 10), Shape.of(3000, 10),
                    Shape.of(2, 1000), Shape.nchw(5, 3, 2, 2))) {
                cases.add(Arguments.of(backend, shape));
            }
        }
        return cases.stream();
    }

    private static float[] labels(long seed, int batch, int classes) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] labels = new float[batch];
        for (int n = 0; n < batch; n++) {
            labels[n] = random.nextInt(classes);
        }
        return labels;
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void crossEntropyHandWorkedCase(Backend backend) {
        // softmax([1,2,3]) = [0.0900306, 0.2447285, 0.6652410]; with label 2 the loss is −log 0.6652410.
        Shape shape = Shape.of(1, 3);
        try (Tensor logits = backend.tensor(shape, 1f, 2f, 3f); Tensor labels = backend.tensor(Shape.of(1), 2f);
             Tensor loss = backend.allocate(Shape.of(1)); Tensor dLogits = backend.allocate(shape)) {
            backend.softmaxCrossEntropy(logits, labels, loss, dLogits);
            assertEquals(0.4076059645, loss.toArray()[0], 1e-6);
            TestData.assertClose("gradient", new double[] {0.0900305732, 0.2447284711, 0.6652409558 - 1},
                    dLogits.toArray(), 1e-6, 1e-7);
        }
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("backendsAndShapes")
    void crossEntropyMatchesReference(Backend backend, Shape shape) {
        checkCrossEntropy(backend, shape, 5f);
    }

    /** Logits in the thousands would overflow a naive e^x; log-sum-exp must keep loss and gradient finite. */
    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("backendsAndShapes")
    void crossEntropyLargeLogitsDoNotOverflow(Backend backend, Shape shape) {
        checkCrossEntropy(backend, shape, 5000f);
    }

    private static void checkCrossEntropy(Backend backend, Shape shape, float magnitude) {
        int batch = shape.batch();
        int classes = shape.sampleSize();
        float[] x = TestData.uniform(31, shape.size());
        for (int i = 0; i < x.length; i++) {
            x[i] *= magnitude;
        }
        float[] labels = labels(32, batch, classes);
        try (Tensor tx = backend.tensor(shape, x); Tensor tl = backend.tensor(Shape.of(batch), labels);
             Tensor loss = backend.allocate(Shape.of(1)); Tensor dx = backend.allocate(shape)) {
            backend.softmaxCrossEntropy(tx, tl, loss, dx);
            double expectedLoss = PointwiseReference.crossEntropyLoss(x, labels, batch);
            float actualLoss = loss.toArray()[0];
            assertTrue(Float.isFinite(actualLoss), "loss " + actualLoss);
            assertEquals(expectedLoss, actualLoss, 1e-5 * Math.max(1, Math.abs(expectedLoss)), "loss " + shape);
            TestData.assertClose("gradient " + shape, PointwiseReference.crossEntropyGradient(x, labels, batch),
                    dx.toArray(), 1e-5, 1e-9);
        }
    }

    static Stream<Arguments> backendsAndBadLabels() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : TestBackends.all()) {
            for (float bad : new float[] {2.5f, -1f, 3f, Float.NaN, Float.POSITIVE_INFINITY, 1e9f}) {
                cases.add(Arguments.of(backend, bad));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} label {1}", autoCloseArguments = false)
    @MethodSource("backendsAndBadLabels")
    void badLabelsAreRejectedBeforeAnythingIsWritten(Backend backend, float bad) {
        Shape shape = Shape.of(2, 3);
        try (Tensor logits = backend.tensor(shape, 1f, 2f, 3f, 4f, 5f, 6f);
             Tensor labels = backend.tensor(Shape.of(2), 0f, bad);
             Tensor loss = backend.allocate(Shape.of(1)); Tensor dLogits = backend.allocate(shape)) {
            backend.fill(loss, 7f);
            backend.fill(dLogits, 7f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.softmaxCrossEntropy(logits, labels, loss, dLogits));
            String message = e.getMessage();
            assertTrue(message.contains("softmaxCrossEntropy"), message);
            assertTrue(message.contains("batch index 1"), message);
            assertTrue(message.contains(String.valueOf(bad)), message);
            assertTrue(message.contains("[0, 3)"), message);
            assertArrayEquals(new float[] {7f}, loss.toArray());
            float[] untouched = new float[6];
            Arrays.fill(untouched, 7f);
            assertArrayEquals(untouched, dLogits.toArray());
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void mseHandWorkedCase(Backend backend) {
        // Σ(p − t)² = 1 + 4 + 9 + 16 = 30 over a batch of 2: loss 30/(2·2) = 7.5, gradient (p − t)/2.
        Shape shape = Shape.of(2, 2);
        try (Tensor p = backend.tensor(shape, 1f, 2f, 3f, 4f); Tensor t = backend.allocate(shape);
             Tensor loss = backend.allocate(Shape.of(1)); Tensor dp = backend.allocate(shape)) {
            backend.mseLoss(p, t, loss, dp);
            assertEquals(7.5f, loss.toArray()[0]);
            assertArrayEquals(new float[] {0.5f, 1f, 1.5f, 2f}, dp.toArray());
        }
    }

    static Stream<Arguments> backendsAndMseShapes() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : TestBackends.all()) {
            for (Shape shape : List.of(Shape.of(1), Shape.of(3, 5), Shape.of(1000, 301), Shape.nchw(4, 3, 5, 7))) {
                cases.add(Arguments.of(backend, shape));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("backendsAndMseShapes")
    void mseMatchesReference(Backend backend, Shape shape) {
        float[] p = TestData.uniform(41, shape.size());
        float[] t = TestData.uniform(42, shape.size());
        try (Tensor tp = backend.tensor(shape, p); Tensor tt = backend.tensor(shape, t);
             Tensor loss = backend.allocate(Shape.of(1)); Tensor dp = backend.allocate(shape)) {
            backend.mseLoss(tp, tt, loss, dp);
            double expected = PointwiseReference.mseLoss(p, t, shape.batch());
            assertEquals(expected, loss.toArray()[0], 1e-6 * expected, "loss " + shape);
            TestData.assertClose("gradient " + shape, PointwiseReference.mseGradient(p, t, shape.batch()),
                    dp.toArray(), 1e-6, 0);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void wrongSizesAreRejectedNamingTheOp(Backend backend) {
        try (Tensor logits = backend.allocate(Shape.of(2, 3)); Tensor labels = backend.allocate(Shape.of(3));
             Tensor loss = backend.allocate(Shape.of(1)); Tensor d = backend.allocate(Shape.of(2, 3));
             Tensor target = backend.allocate(Shape.of(5))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.softmaxCrossEntropy(logits, labels, loss, d));
            assertTrue(e.getMessage().contains("softmaxCrossEntropy"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> backend.mseLoss(logits, target, loss, d));
            assertTrue(e.getMessage().contains("mseLoss"), e.getMessage());
        }
    }
}
