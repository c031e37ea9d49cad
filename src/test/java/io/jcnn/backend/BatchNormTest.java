package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Batch normalisation against the double-precision oracle. Shared backends: JUnit must not close them. */
class BatchNormTest {
    private static final float MOMENTUM = 0.1f;
    private static final float EPSILON = 1e-5f;

    static Stream<Arguments> cases() {
        return TestBackends.all().stream().flatMap(b -> Stream.of(
                Arguments.of(b, Shape.nchw(4, 3, 5, 7)),
                Arguments.of(b, Shape.nchw(1, 5, 3, 3)),
                Arguments.of(b, Shape.nchw(7, 16, 2, 2)),
                Arguments.of(b, Shape.of(9, 11)),
                Arguments.of(b, Shape.of(2, 3))));
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("cases")
    void trainingInferenceAndBackwardMatchTheReference(Backend backend, Shape shape) {
        int n = shape.batch();
        int c = shape.channels();
        int s = shape.spatialSize();
        float[] xs = TestData.uniform(41, shape.size());
        for (int i = 0; i < xs.length; i++) {
            xs[i] = 3 + 2 * xs[i] * (1 + (i / s) % c); // an offset and a different spread per channel
        }
        float[] gammas = TestData.uniform(42, c);
        float[] betas = TestData.uniform(43, c);
        float[] runningMeans = TestData.uniform(44, c);
        float[] runningVariances = new float[c];
        Arrays.fill(runningVariances, 1.5f);
        float[] dys = TestData.uniform(45, shape.size());
        double[] x = TestData.toDouble(xs);

        double[] mean = new double[c];
        double[] variance = new double[c];
        double[] invStd = new double[c];
        double[] expectedRunningMean = new double[c];
        double[] expectedRunningVariance = new double[c];
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = BatchNormReference.mean(n, c, s, x, ch);
            variance[ch] = BatchNormReference.variance(n, c, s, x, ch);
            invStd[ch] = 1 / Math.sqrt(variance[ch] + EPSILON);
            double unbiased = variance[ch] * (n * s) / (n * s - 1);
            expectedRunningMean[ch] = (1 - MOMENTUM) * runningMeans[ch] + MOMENTUM * mean[ch];
            expectedRunningVariance[ch] = (1 - MOMENTUM) * runningVariances[ch] + MOMENTUM * unbiased;
        }
        double[] expectedY = BatchNormReference.normalise(n, c, s, x, TestData.toDouble(gammas),
                TestData.toDouble(betas), mean, variance, EPSILON);
        double[][] expectedGradients = BatchNormReference.backward(n, c, s, x, TestData.toDouble(dys),
                TestData.toDouble(gammas), EPSILON);

        Shape perChannel = Shape.of(c);
        try (Tensor xt = backend.tensor(shape, xs);
             Tensor gamma = backend.tensor(perChannel, gammas);
             Tensor beta = backend.tensor(perChannel, betas);
             Tensor y = backend.allocate(shape);
             Tensor runningMean = backend.tensor(perChannel, runningMeans);
             Tensor runningVariance = backend.tensor(perChannel, runningVariances);
             Tensor savedMean = backend.allocate(perChannel);
             Tensor savedInvStd = backend.allocate(perChannel);
             Tensor dy = backend.tensor(shape, dys);
             Tensor dx = backend.allocate(shape);
             Tensor dGamma = backend.allocate(perChannel);
             Tensor dBeta = backend.allocate(perChannel);
             Tensor inferred = backend.allocate(shape)) {
            backend.fill(y, Float.NaN);
            backend.batchNormForwardTraining(xt, gamma, beta, y, runningMean, runningVariance, savedMean, savedInvStd,
                    MOMENTUM, EPSILON);
            TestData.assertClose("training y", expectedY, y.toArray(), 1e-4, 1e-5);
            TestData.assertClose("saved mean", mean, savedMean.toArray(), 1e-6, 1e-6);
            TestData.assertClose("saved 1/std", invStd, savedInvStd.toArray(), 1e-6, 1e-6);
            TestData.assertClose("running mean", expectedRunningMean, runningMean.toArray(), 1e-6, 1e-6);
            TestData.assertClose("running variance (unbiased)", expectedRunningVariance, runningVariance.toArray(),
                    1e-6, 1e-6);

            backend.fill(dx, Float.NaN);
            backend.batchNormBackward(xt, dy, gamma, savedMean, savedInvStd, dx, dGamma, dBeta);
            TestData.assertClose("dx", expectedGradients[0], dx.toArray(), 1e-4, 1e-5);
            TestData.assertClose("dGamma", expectedGradients[1], dGamma.toArray(), 1e-4, 1e-5);
            TestData.assertClose("dBeta", expectedGradients[2], dBeta.toArray(), 1e-5, 1e-5);
            float[] firstDx = dx.toArray();
            backend.batchNormBackward(xt, dy, gamma, savedMean, savedInvStd, dx, dGamma, dBeta);
            assertTrue(Arrays.equals(firstDx, dx.toArray()), "backward differs between runs");

            float[] rm = runningMean.toArray();
            float[] rv = runningVariance.toArray();
            double[] expectedInference = BatchNormReference.normalise(n, c, s, x, TestData.toDouble(gammas),
                    TestData.toDouble(betas), TestData.toDouble(rm), TestData.toDouble(rv), EPSILON);
            backend.batchNormForwardInference(xt, gamma, beta, inferred, runningMean, runningVariance, EPSILON);
            TestData.assertClose("inference y", expectedInference, inferred.toArray(), 1e-4, 1e-5);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void handWorkedTwoValues(Backend backend) {
        // One channel holding 1 and 3: mean 2, biased variance 1, unbiased 2. eps tiny: y = ±1·gamma + beta.
        try (Tensor x = backend.tensor(Shape.of(2, 1), 1, 3);
             Tensor gamma = backend.tensor(Shape.of(1), 2);
             Tensor beta = backend.tensor(Shape.of(1), 10);
             Tensor y = backend.allocate(Shape.of(2, 1));
             Tensor runningMean = backend.tensor(Shape.of(1), 0);
             Tensor runningVariance = backend.tensor(Shape.of(1), 1);
             Tensor savedMean = backend.allocate(Shape.of(1));
             Tensor savedInvStd = backend.allocate(Shape.of(1))) {
            backend.batchNormForwardTraining(x, gamma, beta, y, runningMean, runningVariance, savedMean, savedInvStd,
                    0.5f, 1e-12f);
            assertArrayEquals(new float[] {8, 12}, y.toArray(), 1e-5f);
            assertArrayEquals(new float[] {2}, savedMean.toArray());
            assertArrayEquals(new float[] {1}, savedInvStd.toArray(), 1e-6f);
            assertArrayEquals(new float[] {1}, runningMean.toArray()); // 0.5·0 + 0.5·2
            assertArrayEquals(new float[] {1.5f}, runningVariance.toArray(), 1e-6f); // 0.5·1 + 0.5·2
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.jcnn.backend.TestBackends#all")
    void rejectsBadInput(Backend backend) {
        try (Tensor x = backend.allocate(Shape.nchw(2, 3, 2, 2));
             Tensor single = backend.allocate(Shape.of(1, 3));
             Tensor c3 = backend.allocate(Shape.of(3));
             Tensor c4 = backend.allocate(Shape.of(4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.batchNormForwardTraining(x, c3, c4, x, c3, c3, c3, c3, 0.1f, 1e-5f));
            assertTrue(e.getMessage().contains("batchNormForwardTraining") && e.getMessage().contains("3 channels")
                    && e.getMessage().contains("got 4"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> backend.batchNormForwardTraining(single, c3, c3, single, c3, c3, c3, c3, 0.1f, 1e-5f));
            assertTrue(e.getMessage().contains("at least 2 values per channel"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> backend.batchNormForwardTraining(x, c3, c3, x, c3, c3, c3, c3, 1.5f, 1e-5f));
            assertTrue(e.getMessage().contains("momentum must be in [0, 1], got 1.5"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> backend.batchNormBackward(x, x, c3, c3, c3, single, c3, c3));
            assertTrue(e.getMessage().contains("batchNormBackward") && e.getMessage().contains("got 1×3"),
                    e.getMessage());
        }
    }
}
