package io.jcnn.backend.cpu;

import io.jcnn.backend.cpu.CpuConvolution.Dims;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels of {@link CpuChannelVectorFilterGradient}: each adds pixels [j0, j0 + count) (flat over images, rows,
 * columns) into one tap block's accumulators for one panel of output channels, read from and written back to
 * {@code ws} at {@code acc} (tap-major rows of the panel's floats). Each step loads one pixel's dy for the panel and
 * broadcasts that pixel's input under each tap of the block. Shapes: 6 taps × 2 vectors where vectors are 256 bits
 * (twelve accumulators of AVX2's sixteen registers); where they are 512 bits, 12 × 2, 8 × 3 and 6 × 4, all 24
 * accumulators of AVX-512's 32: the wider panels need fewer broadcasts, index sums and bounds tests per multiply-add.
 * Every dw element is one chain of fused multiply-adds over the pixels in order, whatever the shape. Each shape is
 * written out accumulator by accumulator, as in {@link CpuChannelVectorKernels}.
 */
final class CpuChannelVectorGradientKernels {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    private static final int TWO = 2 * LANES;

    private CpuChannelVectorGradientKernels() {
    }

    /** Six taps × two vectors of channels (twelve accumulators, for 16 vector registers). */
    static void multiply6x2(Dims d, float[] x, int xOffset, int hp, int wp, float[] ws, int panel, int j0,
                            int count, int[] offsets, int acc) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, ws, acc);
        FloatVector b0 = FloatVector.fromArray(SPECIES, ws, acc + LANES);
        FloatVector a1 = FloatVector.fromArray(SPECIES, ws, acc + TWO);
        FloatVector b1 = FloatVector.fromArray(SPECIES, ws, acc + TWO + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, ws, acc + 2 * TWO);
        FloatVector b2 = FloatVector.fromArray(SPECIES, ws, acc + 2 * TWO + LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, ws, acc + 3 * TWO);
        FloatVector b3 = FloatVector.fromArray(SPECIES, ws, acc + 3 * TWO + LANES);
        FloatVector a4 = FloatVector.fromArray(SPECIES, ws, acc + 4 * TWO);
        FloatVector b4 = FloatVector.fromArray(SPECIES, ws, acc + 4 * TWO + LANES);
        FloatVector a5 = FloatVector.fromArray(SPECIES, ws, acc + 5 * TWO);
        FloatVector b5 = FloatVector.fromArray(SPECIES, ws, acc + 5 * TWO + LANES);
        int o0 = offsets[0];
        int o1 = offsets[1];
        int o2 = offsets[2];
        int o3 = offsets[3];
        int o4 = offsets[4];
        int o5 = offsets[5];
        int imageFloats = d.c * hp * wp;
        int n = j0 / d.pq;
        int p = j0 % d.pq / d.q;
        int q = j0 % d.q;
        // The input pixel under tap offset 0 for output (n, p, q).
        int at = xOffset + n * imageFloats + p * wp + q;
        int rowSkip = wp - d.q;
        int imageSkip = imageFloats - d.p * wp;
        int g = panel;
        for (int i = 0; i < count; i++) {
            FloatVector lo = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector hi = FloatVector.fromArray(SPECIES, ws, g + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, x[at + o0]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(SPECIES, x[at + o1]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[at + o2]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(SPECIES, x[at + o3]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(SPECIES, x[at + o4]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(SPECIES, x[at + o5]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            g += TWO;
            at++;
            q++;
            if (q == d.q) {
                q = 0;
                at += rowSkip;
                p++;
                if (p == d.p) {
                    p = 0;
                    at += imageSkip;
                }
            }
        }
        a0.intoArray(ws, acc);
        b0.intoArray(ws, acc + LANES);
        a1.intoArray(ws, acc + TWO);
        b1.intoArray(ws, acc + TWO + LANES);
        a2.intoArray(ws, acc + 2 * TWO);
        b2.intoArray(ws, acc + 2 * TWO + LANES);
        a3.intoArray(ws, acc + 3 * TWO);
        b3.intoArray(ws, acc + 3 * TWO + LANES);
        a4.intoArray(ws, acc + 4 * TWO);
        b4.intoArray(ws, acc + 4 * TWO + LANES);
        a5.intoArray(ws, acc + 5 * TWO);
        b5.intoArray(ws, acc + 5 * TWO + LANES);
    }

    /** Twelve taps × two vectors of channels (24 accumulators). */
    static void multiply12x2(Dims d, float[] x, int xOffset, int hp, int wp, float[] ws, int panel, int j0,
                             int count, int[] offsets, int acc) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, ws, acc + 0 * TWO);
        FloatVector b0 = FloatVector.fromArray(SPECIES, ws, acc + 0 * TWO + LANES);
        FloatVector a1 = FloatVector.fromArray(SPECIES, ws, acc + 1 * TWO);
        FloatVector b1 = FloatVector.fromArray(SPECIES, ws, acc + 1 * TWO + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, ws, acc + 2 * TWO);
        FloatVector b2 = FloatVector.fromArray(SPECIES, ws, acc + 2 * TWO + LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, ws, acc + 3 * TWO);
        FloatVector b3 = FloatVector.fromArray(SPECIES, ws, acc + 3 * TWO + LANES);
        FloatVector a4 = FloatVector.fromArray(SPECIES, ws, acc + 4 * TWO);
        FloatVector b4 = FloatVector.fromArray(SPECIES, ws, acc + 4 * TWO + LANES);
        FloatVector a5 = FloatVector.fromArray(SPECIES, ws, acc + 5 * TWO);
        FloatVector b5 = FloatVector.fromArray(SPECIES, ws, acc + 5 * TWO + LANES);
        FloatVector a6 = FloatVector.fromArray(SPECIES, ws, acc + 6 * TWO);
        FloatVector b6 = FloatVector.fromArray(SPECIES, ws, acc + 6 * TWO + LANES);
        FloatVector a7 = FloatVector.fromArray(SPECIES, ws, acc + 7 * TWO);
        FloatVector b7 = FloatVector.fromArray(SPECIES, ws, acc + 7 * TWO + LANES);
        FloatVector a8 = FloatVector.fromArray(SPECIES, ws, acc + 8 * TWO);
        FloatVector b8 = FloatVector.fromArray(SPECIES, ws, acc + 8 * TWO + LANES);
        FloatVector a9 = FloatVector.fromArray(SPECIES, ws, acc + 9 * TWO);
        FloatVector b9 = FloatVector.fromArray(SPECIES, ws, acc + 9 * TWO + LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, ws, acc + 10 * TWO);
        FloatVector b10 = FloatVector.fromArray(SPECIES, ws, acc + 10 * TWO + LANES);
        FloatVector a11 = FloatVector.fromArray(SPECIES, ws, acc + 11 * TWO);
        FloatVector b11 = FloatVector.fromArray(SPECIES, ws, acc + 11 * TWO + LANES);
        int o0 = offsets[0];
        int o1 = offsets[1];
        int o2 = offsets[2];
        int o3 = offsets[3];
        int o4 = offsets[4];
        int o5 = offsets[5];
        int o6 = offsets[6];
        int o7 = offsets[7];
        int o8 = offsets[8];
        int o9 = offsets[9];
        int o10 = offsets[10];
        int o11 = offsets[11];
        int imageFloats = d.c * hp * wp;
        int n = j0 / d.pq;
        int p = j0 % d.pq / d.q;
        int q = j0 % d.q;
        int at = xOffset + n * imageFloats + p * wp + q;
        int rowSkip = wp - d.q;
        int imageSkip = imageFloats - d.p * wp;
        int g = panel;
        for (int i = 0; i < count; i++) {
            FloatVector lo = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector hi = FloatVector.fromArray(SPECIES, ws, g + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, x[at + o0]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(SPECIES, x[at + o1]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[at + o2]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(SPECIES, x[at + o3]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(SPECIES, x[at + o4]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(SPECIES, x[at + o5]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            v = FloatVector.broadcast(SPECIES, x[at + o6]);
            a6 = lo.fma(v, a6);
            b6 = hi.fma(v, b6);
            v = FloatVector.broadcast(SPECIES, x[at + o7]);
            a7 = lo.fma(v, a7);
            b7 = hi.fma(v, b7);
            v = FloatVector.broadcast(SPECIES, x[at + o8]);
            a8 = lo.fma(v, a8);
            b8 = hi.fma(v, b8);
            v = FloatVector.broadcast(SPECIES, x[at + o9]);
            a9 = lo.fma(v, a9);
            b9 = hi.fma(v, b9);
            v = FloatVector.broadcast(SPECIES, x[at + o10]);
            a10 = lo.fma(v, a10);
            b10 = hi.fma(v, b10);
            v = FloatVector.broadcast(SPECIES, x[at + o11]);
            a11 = lo.fma(v, a11);
            b11 = hi.fma(v, b11);
            g += TWO;
            at++;
            q++;
            if (q == d.q) {
                q = 0;
                at += rowSkip;
                p++;
                if (p == d.p) {
                    p = 0;
                    at += imageSkip;
                }
            }
        }
        a0.intoArray(ws, acc + 0 * TWO);
        b0.intoArray(ws, acc + 0 * TWO + LANES);
        a1.intoArray(ws, acc + 1 * TWO);
        b1.intoArray(ws, acc + 1 * TWO + LANES);
        a2.intoArray(ws, acc + 2 * TWO);
        b2.intoArray(ws, acc + 2 * TWO + LANES);
        a3.intoArray(ws, acc + 3 * TWO);
        b3.intoArray(ws, acc + 3 * TWO + LANES);
        a4.intoArray(ws, acc + 4 * TWO);
        b4.intoArray(ws, acc + 4 * TWO + LANES);
        a5.intoArray(ws, acc + 5 * TWO);
        b5.intoArray(ws, acc + 5 * TWO + LANES);
        a6.intoArray(ws, acc + 6 * TWO);
        b6.intoArray(ws, acc + 6 * TWO + LANES);
        a7.intoArray(ws, acc + 7 * TWO);
        b7.intoArray(ws, acc + 7 * TWO + LANES);
        a8.intoArray(ws, acc + 8 * TWO);
        b8.intoArray(ws, acc + 8 * TWO + LANES);
        a9.intoArray(ws, acc + 9 * TWO);
        b9.intoArray(ws, acc + 9 * TWO + LANES);
        a10.intoArray(ws, acc + 10 * TWO);
        b10.intoArray(ws, acc + 10 * TWO + LANES);
        a11.intoArray(ws, acc + 11 * TWO);
        b11.intoArray(ws, acc + 11 * TWO + LANES);
    }


    /** Eight taps × three vectors of channels (24 accumulators). */
    static void multiply8x3(Dims d, float[] x, int xOffset, int hp, int wp, float[] ws, int panel, int j0,
                            int count, int[] offsets, int acc) {
        FloatVector a0a = FloatVector.fromArray(SPECIES, ws, acc + 0 * LANES);
        FloatVector a0b = FloatVector.fromArray(SPECIES, ws, acc + 1 * LANES);
        FloatVector a0c = FloatVector.fromArray(SPECIES, ws, acc + 2 * LANES);
        FloatVector a1a = FloatVector.fromArray(SPECIES, ws, acc + 3 * LANES);
        FloatVector a1b = FloatVector.fromArray(SPECIES, ws, acc + 4 * LANES);
        FloatVector a1c = FloatVector.fromArray(SPECIES, ws, acc + 5 * LANES);
        FloatVector a2a = FloatVector.fromArray(SPECIES, ws, acc + 6 * LANES);
        FloatVector a2b = FloatVector.fromArray(SPECIES, ws, acc + 7 * LANES);
        FloatVector a2c = FloatVector.fromArray(SPECIES, ws, acc + 8 * LANES);
        FloatVector a3a = FloatVector.fromArray(SPECIES, ws, acc + 9 * LANES);
        FloatVector a3b = FloatVector.fromArray(SPECIES, ws, acc + 10 * LANES);
        FloatVector a3c = FloatVector.fromArray(SPECIES, ws, acc + 11 * LANES);
        FloatVector a4a = FloatVector.fromArray(SPECIES, ws, acc + 12 * LANES);
        FloatVector a4b = FloatVector.fromArray(SPECIES, ws, acc + 13 * LANES);
        FloatVector a4c = FloatVector.fromArray(SPECIES, ws, acc + 14 * LANES);
        FloatVector a5a = FloatVector.fromArray(SPECIES, ws, acc + 15 * LANES);
        FloatVector a5b = FloatVector.fromArray(SPECIES, ws, acc + 16 * LANES);
        FloatVector a5c = FloatVector.fromArray(SPECIES, ws, acc + 17 * LANES);
        FloatVector a6a = FloatVector.fromArray(SPECIES, ws, acc + 18 * LANES);
        FloatVector a6b = FloatVector.fromArray(SPECIES, ws, acc + 19 * LANES);
        FloatVector a6c = FloatVector.fromArray(SPECIES, ws, acc + 20 * LANES);
        FloatVector a7a = FloatVector.fromArray(SPECIES, ws, acc + 21 * LANES);
        FloatVector a7b = FloatVector.fromArray(SPECIES, ws, acc + 22 * LANES);
        FloatVector a7c = FloatVector.fromArray(SPECIES, ws, acc + 23 * LANES);
        int o0 = offsets[0];
        int o1 = offsets[1];
        int o2 = offsets[2];
        int o3 = offsets[3];
        int o4 = offsets[4];
        int o5 = offsets[5];
        int o6 = offsets[6];
        int o7 = offsets[7];
        int imageFloats = d.c * hp * wp;
        int n = j0 / d.pq;
        int p = j0 % d.pq / d.q;
        int q = j0 % d.q;
        int at = xOffset + n * imageFloats + p * wp + q;
        int rowSkip = wp - d.q;
        int imageSkip = imageFloats - d.p * wp;
        int g = panel;
        for (int i = 0; i < count; i++) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector w1 = FloatVector.fromArray(SPECIES, ws, g + 1 * LANES);
            FloatVector w2 = FloatVector.fromArray(SPECIES, ws, g + 2 * LANES);
            FloatVector v;
            v = FloatVector.broadcast(SPECIES, x[at + o0]);
            a0a = w0.fma(v, a0a);
            a0b = w1.fma(v, a0b);
            a0c = w2.fma(v, a0c);
            v = FloatVector.broadcast(SPECIES, x[at + o1]);
            a1a = w0.fma(v, a1a);
            a1b = w1.fma(v, a1b);
            a1c = w2.fma(v, a1c);
            v = FloatVector.broadcast(SPECIES, x[at + o2]);
            a2a = w0.fma(v, a2a);
            a2b = w1.fma(v, a2b);
            a2c = w2.fma(v, a2c);
            v = FloatVector.broadcast(SPECIES, x[at + o3]);
            a3a = w0.fma(v, a3a);
            a3b = w1.fma(v, a3b);
            a3c = w2.fma(v, a3c);
            v = FloatVector.broadcast(SPECIES, x[at + o4]);
            a4a = w0.fma(v, a4a);
            a4b = w1.fma(v, a4b);
            a4c = w2.fma(v, a4c);
            v = FloatVector.broadcast(SPECIES, x[at + o5]);
            a5a = w0.fma(v, a5a);
            a5b = w1.fma(v, a5b);
            a5c = w2.fma(v, a5c);
            v = FloatVector.broadcast(SPECIES, x[at + o6]);
            a6a = w0.fma(v, a6a);
            a6b = w1.fma(v, a6b);
            a6c = w2.fma(v, a6c);
            v = FloatVector.broadcast(SPECIES, x[at + o7]);
            a7a = w0.fma(v, a7a);
            a7b = w1.fma(v, a7b);
            a7c = w2.fma(v, a7c);
            g += 3 * LANES;
            at++;
            q++;
            if (q == d.q) {
                q = 0;
                at += rowSkip;
                p++;
                if (p == d.p) {
                    p = 0;
                    at += imageSkip;
                }
            }
        }
        a0a.intoArray(ws, acc + 0 * LANES);
        a0b.intoArray(ws, acc + 1 * LANES);
        a0c.intoArray(ws, acc + 2 * LANES);
        a1a.intoArray(ws, acc + 3 * LANES);
        a1b.intoArray(ws, acc + 4 * LANES);
        a1c.intoArray(ws, acc + 5 * LANES);
        a2a.intoArray(ws, acc + 6 * LANES);
        a2b.intoArray(ws, acc + 7 * LANES);
        a2c.intoArray(ws, acc + 8 * LANES);
        a3a.intoArray(ws, acc + 9 * LANES);
        a3b.intoArray(ws, acc + 10 * LANES);
        a3c.intoArray(ws, acc + 11 * LANES);
        a4a.intoArray(ws, acc + 12 * LANES);
        a4b.intoArray(ws, acc + 13 * LANES);
        a4c.intoArray(ws, acc + 14 * LANES);
        a5a.intoArray(ws, acc + 15 * LANES);
        a5b.intoArray(ws, acc + 16 * LANES);
        a5c.intoArray(ws, acc + 17 * LANES);
        a6a.intoArray(ws, acc + 18 * LANES);
        a6b.intoArray(ws, acc + 19 * LANES);
        a6c.intoArray(ws, acc + 20 * LANES);
        a7a.intoArray(ws, acc + 21 * LANES);
        a7b.intoArray(ws, acc + 22 * LANES);
        a7c.intoArray(ws, acc + 23 * LANES);
    }

    /** Six taps × four vectors of channels (24 accumulators). */
    static void multiply6x4(Dims d, float[] x, int xOffset, int hp, int wp, float[] ws, int panel, int j0,
                            int count, int[] offsets, int acc) {
        FloatVector a0a = FloatVector.fromArray(SPECIES, ws, acc + 0 * LANES);
        FloatVector a0b = FloatVector.fromArray(SPECIES, ws, acc + 1 * LANES);
        FloatVector a0c = FloatVector.fromArray(SPECIES, ws, acc + 2 * LANES);
        FloatVector a0d = FloatVector.fromArray(SPECIES, ws, acc + 3 * LANES);
        FloatVector a1a = FloatVector.fromArray(SPECIES, ws, acc + 4 * LANES);
        FloatVector a1b = FloatVector.fromArray(SPECIES, ws, acc + 5 * LANES);
        FloatVector a1c = FloatVector.fromArray(SPECIES, ws, acc + 6 * LANES);
        FloatVector a1d = FloatVector.fromArray(SPECIES, ws, acc + 7 * LANES);
        FloatVector a2a = FloatVector.fromArray(SPECIES, ws, acc + 8 * LANES);
        FloatVector a2b = FloatVector.fromArray(SPECIES, ws, acc + 9 * LANES);
        FloatVector a2c = FloatVector.fromArray(SPECIES, ws, acc + 10 * LANES);
        FloatVector a2d = FloatVector.fromArray(SPECIES, ws, acc + 11 * LANES);
        FloatVector a3a = FloatVector.fromArray(SPECIES, ws, acc + 12 * LANES);
        FloatVector a3b = FloatVector.fromArray(SPECIES, ws, acc + 13 * LANES);
        FloatVector a3c = FloatVector.fromArray(SPECIES, ws, acc + 14 * LANES);
        FloatVector a3d = FloatVector.fromArray(SPECIES, ws, acc + 15 * LANES);
        FloatVector a4a = FloatVector.fromArray(SPECIES, ws, acc + 16 * LANES);
        FloatVector a4b = FloatVector.fromArray(SPECIES, ws, acc + 17 * LANES);
        FloatVector a4c = FloatVector.fromArray(SPECIES, ws, acc + 18 * LANES);
        FloatVector a4d = FloatVector.fromArray(SPECIES, ws, acc + 19 * LANES);
        FloatVector a5a = FloatVector.fromArray(SPECIES, ws, acc + 20 * LANES);
        FloatVector a5b = FloatVector.fromArray(SPECIES, ws, acc + 21 * LANES);
        FloatVector a5c = FloatVector.fromArray(SPECIES, ws, acc + 22 * LANES);
        FloatVector a5d = FloatVector.fromArray(SPECIES, ws, acc + 23 * LANES);
        int o0 = offsets[0];
        int o1 = offsets[1];
        int o2 = offsets[2];
        int o3 = offsets[3];
        int o4 = offsets[4];
        int o5 = offsets[5];
        int imageFloats = d.c * hp * wp;
        int n = j0 / d.pq;
        int p = j0 % d.pq / d.q;
        int q = j0 % d.q;
        int at = xOffset + n * imageFloats + p * wp + q;
        int rowSkip = wp - d.q;
        int imageSkip = imageFloats - d.p * wp;
        int g = panel;
        for (int i = 0; i < count; i++) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector w1 = FloatVector.fromArray(SPECIES, ws, g + 1 * LANES);
            FloatVector w2 = FloatVector.fromArray(SPECIES, ws, g + 2 * LANES);
            FloatVector w3 = FloatVector.fromArray(SPECIES, ws, g + 3 * LANES);
            FloatVector v;
            v = FloatVector.broadcast(SPECIES, x[at + o0]);
            a0a = w0.fma(v, a0a);
            a0b = w1.fma(v, a0b);
            a0c = w2.fma(v, a0c);
            a0d = w3.fma(v, a0d);
            v = FloatVector.broadcast(SPECIES, x[at + o1]);
            a1a = w0.fma(v, a1a);
            a1b = w1.fma(v, a1b);
            a1c = w2.fma(v, a1c);
            a1d = w3.fma(v, a1d);
            v = FloatVector.broadcast(SPECIES, x[at + o2]);
            a2a = w0.fma(v, a2a);
            a2b = w1.fma(v, a2b);
            a2c = w2.fma(v, a2c);
            a2d = w3.fma(v, a2d);
            v = FloatVector.broadcast(SPECIES, x[at + o3]);
            a3a = w0.fma(v, a3a);
            a3b = w1.fma(v, a3b);
            a3c = w2.fma(v, a3c);
            a3d = w3.fma(v, a3d);
            v = FloatVector.broadcast(SPECIES, x[at + o4]);
            a4a = w0.fma(v, a4a);
            a4b = w1.fma(v, a4b);
            a4c = w2.fma(v, a4c);
            a4d = w3.fma(v, a4d);
            v = FloatVector.broadcast(SPECIES, x[at + o5]);
            a5a = w0.fma(v, a5a);
            a5b = w1.fma(v, a5b);
            a5c = w2.fma(v, a5c);
            a5d = w3.fma(v, a5d);
            g += 4 * LANES;
            at++;
            q++;
            if (q == d.q) {
                q = 0;
                at += rowSkip;
                p++;
                if (p == d.p) {
                    p = 0;
                    at += imageSkip;
                }
            }
        }
        a0a.intoArray(ws, acc + 0 * LANES);
        a0b.intoArray(ws, acc + 1 * LANES);
        a0c.intoArray(ws, acc + 2 * LANES);
        a0d.intoArray(ws, acc + 3 * LANES);
        a1a.intoArray(ws, acc + 4 * LANES);
        a1b.intoArray(ws, acc + 5 * LANES);
        a1c.intoArray(ws, acc + 6 * LANES);
        a1d.intoArray(ws, acc + 7 * LANES);
        a2a.intoArray(ws, acc + 8 * LANES);
        a2b.intoArray(ws, acc + 9 * LANES);
        a2c.intoArray(ws, acc + 10 * LANES);
        a2d.intoArray(ws, acc + 11 * LANES);
        a3a.intoArray(ws, acc + 12 * LANES);
        a3b.intoArray(ws, acc + 13 * LANES);
        a3c.intoArray(ws, acc + 14 * LANES);
        a3d.intoArray(ws, acc + 15 * LANES);
        a4a.intoArray(ws, acc + 16 * LANES);
        a4b.intoArray(ws, acc + 17 * LANES);
        a4c.intoArray(ws, acc + 18 * LANES);
        a4d.intoArray(ws, acc + 19 * LANES);
        a5a.intoArray(ws, acc + 20 * LANES);
        a5b.intoArray(ws, acc + 21 * LANES);
        a5c.intoArray(ws, acc + 22 * LANES);
        a5d.intoArray(ws, acc + 23 * LANES);
    }
}
