package io.jcnn.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.BackendStatus;
import io.jcnn.backend.Backends;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.examples.BackendOps.Inputs;
import io.jcnn.examples.BackendOps.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The direct-backend example computes what the ops' definitions say: every output and gradient is recomputed here
 * with plain loops in double precision. On a machine with a CUDA device the example's GPU pass is compared with
 * the CPU's as well.
 */
class BackendOpsTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int H = 8;
    private static final int K = 4;
    private static final int P = 4;
    private static final int F = K * P * P;
    private static final int O = BackendOps.OUTPUTS;

    @Test
    void everyOutputAndGradientMatchesPlainLoops() {
        Result result;
        try (CpuBackend cpu = new CpuBackend()) {
            result = BackendOps.run(cpu, 42);
        }
        Reference expected = new Reference(result.inputs());
        assertClose(expected.z, result.conv(), "conv2dForwardBias");
        assertClose(expected.p, result.pooled(), "pool2dForward");
        assertClose(expected.out, result.outputs(), "gemm forward");
        assertClose(expected.dDense, result.denseGradient(), "gemm dense-weight gradient");
        assertClose(expected.dBias, result.biasGradient(), "biasGradient");
        assertClose(expected.dw, result.filterGradient(), "conv2dBackwardFilter");
        assertClose(expected.dx, result.inputGradient(), "conv2dBackwardData");
    }

    @Test
    void aSeedReproducesThePassBitForBit() {
        try (CpuBackend cpu = new CpuBackend()) {
            Result first = BackendOps.run(cpu, 7);
            Result second = BackendOps.run(cpu, 7);
            assertArrayEquals(first.inputGradient(), second.inputGradient());
            assertEquals(0.0, BackendOps.maxDifference(first, second));
            assertTrue(BackendOps.maxDifference(first, BackendOps.run(cpu, 8)) > 0.1, "another seed, other data");
        }
    }

    @Test
    void theGpuComputesWhatTheCpuComputes() {
        BackendStatus cuda = Backends.report(1).stream().filter(s -> s.name().equals("cuda")).findFirst()
                .orElseThrow();
        Assumptions.assumeTrue(cuda.available(), "no CUDA device: " + cuda.detail());
        try (Backend gpu = Backends.create("cuda", 1); Backend cpu = Backends.create("cpu", 1)) {
            double difference = BackendOps.maxDifference(BackendOps.run(gpu, 42), BackendOps.run(cpu, 42));
            assertTrue(difference < 1e-3, "largest difference " + difference);
        }
    }

    @Test
    void libraryUsersDoNotGetTheCommandLinesDependencies() {
        // The examples depend on the library artifact alone, as a user's program would.
        for (String cliOnly : new String[] {"picocli.CommandLine", "me.tongfei.progressbar.ProgressBar",
                "org.knowm.xchart.XYChart"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(cliOnly), cliOnly);
        }
    }

    private static void assertClose(double[] expected, float[] actual, String op) {
        assertEquals(expected.length, actual.length, op + ": element count");
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-4 * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tolerance, op + ": element " + i);
        }
    }

    /** The pass of {@link BackendOps#run}, written out as loops over the definitions. */
    private static final class Reference {
        final double[] z = new double[N * K * H * H];
        final double[] p = new double[N * F];
        final double[] out = new double[N * O];
        final double[] dDense = new double[O * F];
        final double[] dBias = new double[K];
        final double[] dw = new double[K * C * 9];
        final double[] dx = new double[N * C * H * H];

        Reference(Inputs in) {
            // Convolution, 3×3, stride 1, padding 1, plus bias.
            for (int n = 0; n < N; n++) {
                for (int k = 0; k < K; k++) {
                    for (int i = 0; i < H; i++) {
                        for (int j = 0; j < H; j++) {
                            double sum = in.bias()[k];
                            for (int c = 0; c < C; c++) {
                                for (int r = 0; r < 3; r++) {
                                    for (int s = 0; s < 3; s++) {
                                        int y = i + r - 1;
                                        int x = j + s - 1;
                                        if (y >= 0 && y < H && x >= 0 && x < H) {
                                            sum += (double) in.x()[((n * C + c) * H + y) * H + x]
                                                    * in.w()[((k * C + c) * 3 + r) * 3 + s];
                                        }
                                    }
                                }
                            }
                            z[((n * K + k) * H + i) * H + j] = sum;
                        }
                    }
                }
            }
            // ReLU, then 2×2/2 max pooling; a tie goes to the first maximum in row-major order.
            int[] argMax = new int[N * F];
            for (int n = 0; n < N; n++) {
                for (int k = 0; k < K; k++) {
                    for (int i = 0; i < P; i++) {
                        for (int j = 0; j < P; j++) {
                            double best = Double.NEGATIVE_INFINITY;
                            int where = -1;
                            for (int r = 0; r < 2; r++) {
                                for (int s = 0; s < 2; s++) {
                                    int at = ((n * K + k) * H + 2 * i + r) * H + 2 * j + s;
                                    double a = Math.max(0, z[at]);
                                    if (a > best) {
                                        best = a;
                                        where = at;
                                    }
                                }
                            }
                            int pooled = n * F + (k * P + i) * P + j;
                            p[pooled] = best;
                            argMax[pooled] = where;
                        }
                    }
                }
            }
            // Dense product and its gradients.
            double[] dp = new double[N * F];
            for (int n = 0; n < N; n++) {
                for (int o = 0; o < O; o++) {
                    double sum = 0;
                    double g = in.outputGradient()[n * O + o];
                    for (int f = 0; f < F; f++) {
                        sum += p[n * F + f] * in.dense()[o * F + f];
                        dDense[o * F + f] += g * p[n * F + f];
                        dp[n * F + f] += g * in.dense()[o * F + f];
                    }
                    out[n * O + o] = sum;
                }
            }
            // Back through pooling and ReLU to dz, then the bias, filter and input gradients.
            double[] dz = new double[z.length];
            for (int i = 0; i < dp.length; i++) {
                if (z[argMax[i]] > 0) {
                    dz[argMax[i]] += dp[i];
                }
            }
            for (int n = 0; n < N; n++) {
                for (int k = 0; k < K; k++) {
                    for (int i = 0; i < H; i++) {
                        for (int j = 0; j < H; j++) {
                            double g = dz[((n * K + k) * H + i) * H + j];
                            dBias[k] += g;
                            for (int c = 0; c < C; c++) {
                                for (int r = 0; r < 3; r++) {
                                    for (int s = 0; s < 3; s++) {
                                        int y = i + r - 1;
                                        int x = j + s - 1;
                                        if (y >= 0 && y < H && x >= 0 && x < H) {
                                            int input = ((n * C + c) * H + y) * H + x;
                                            int weight = ((k * C + c) * 3 + r) * 3 + s;
                                            dw[weight] += g * in.x()[input];
                                            dx[input] += g * in.w()[weight];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
