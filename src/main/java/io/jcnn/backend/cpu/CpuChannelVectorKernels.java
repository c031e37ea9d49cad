package io.jcnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The tile kernels of {@link CpuChannelVectorConvolution}: one tile's sums over every filter tap, for a few output
 * pixels × a panel of output channels in vectors, into {@code tile} (pixel-major rows of the panel's floats). Each
 * step loads one tap's weights for the panel and broadcasts the input under that tap at each pixel (at the tap's offset
 * from the pixel's base in x). Shapes: 6 × 2 vectors where vectors are 256 bits (twelve accumulators of AVX2's sixteen
 * registers); where they are 512 bits (AVX-512's 32), 12 × 2, 8 × 3 and 6 × 4, all 24 accumulators: the wider panels
 * need fewer broadcasts, index sums and bounds tests per multiply-add, which is what these loops spend their issue
 * slots on. Each output is one chain of fused multiply-adds over the taps in order, whatever the shape.
 *
 * <p>Each shape is written out, accumulator by accumulator: C2 keeps vectors in registers only as separate locals,
 * and an array of accumulators or a loop over them boxes every vector on every step.
 */
final class CpuChannelVectorKernels {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    private static final int TWO = 2 * LANES;

    private CpuChannelVectorKernels() {
    }

    /**
     * Vectors per panel for {@code channels} output channels: four or three where 512-bit vectors make whole panels of
     * them (64 or 96, AlexNet-32's), else two. The wider shapes need the 32 registers of AVX-512.
     */
    static int vectorsPerPanel(int channels) {
        if (LANES >= 16 && channels % (4 * LANES) == 0) {
            return 4;
        }
        return LANES >= 16 && channels % (3 * LANES) == 0 ? 3 : 2;
    }

    /** Six pixels × two vectors of channels (twelve accumulators, for 16 vector registers). */
    static void multiply6x2(float[] x, int[] bases, float[] ws, int panel, int[] offsets, int taps, float[] tile) {
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector b0 = a0;
        FloatVector a1 = a0;
        FloatVector b1 = a0;
        FloatVector a2 = a0;
        FloatVector b2 = a0;
        FloatVector a3 = a0;
        FloatVector b3 = a0;
        FloatVector a4 = a0;
        FloatVector b4 = a0;
        FloatVector a5 = a0;
        FloatVector b5 = a0;
        int p0 = bases[0];
        int p1 = bases[1];
        int p2 = bases[2];
        int p3 = bases[3];
        int p4 = bases[4];
        int p5 = bases[5];
        int g = panel;
        for (int t = 0; t < taps; t++) {
            int o = offsets[t];
            FloatVector lo = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector hi = FloatVector.fromArray(SPECIES, ws, g + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, x[p0 + o]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(SPECIES, x[p1 + o]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[p2 + o]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(SPECIES, x[p3 + o]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(SPECIES, x[p4 + o]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(SPECIES, x[p5 + o]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            g += TWO;
        }
        a0.intoArray(tile, 0);
        b0.intoArray(tile, LANES);
        a1.intoArray(tile, TWO);
        b1.intoArray(tile, TWO + LANES);
        a2.intoArray(tile, 2 * TWO);
        b2.intoArray(tile, 2 * TWO + LANES);
        a3.intoArray(tile, 3 * TWO);
        b3.intoArray(tile, 3 * TWO + LANES);
        a4.intoArray(tile, 4 * TWO);
        b4.intoArray(tile, 4 * TWO + LANES);
        a5.intoArray(tile, 5 * TWO);
        b5.intoArray(tile, 5 * TWO + LANES);
    }

    /** Twelve pixels × two vectors of channels (24 accumulators, for 32 vector registers). */
    static void multiply12x2(float[] x, int[] bases, float[] ws, int panel, int[] offsets, int taps, float[] tile) {
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector b0 = a0;
        FloatVector a1 = a0;
        FloatVector b1 = a0;
        FloatVector a2 = a0;
        FloatVector b2 = a0;
        FloatVector a3 = a0;
        FloatVector b3 = a0;
        FloatVector a4 = a0;
        FloatVector b4 = a0;
        FloatVector a5 = a0;
        FloatVector b5 = a0;
        FloatVector a6 = a0;
        FloatVector b6 = a0;
        FloatVector a7 = a0;
        FloatVector b7 = a0;
        FloatVector a8 = a0;
        FloatVector b8 = a0;
        FloatVector a9 = a0;
        FloatVector b9 = a0;
        FloatVector a10 = a0;
        FloatVector b10 = a0;
        FloatVector a11 = a0;
        FloatVector b11 = a0;
        int p0 = bases[0];
        int p1 = bases[1];
        int p2 = bases[2];
        int p3 = bases[3];
        int p4 = bases[4];
        int p5 = bases[5];
        int p6 = bases[6];
        int p7 = bases[7];
        int p8 = bases[8];
        int p9 = bases[9];
        int p10 = bases[10];
        int p11 = bases[11];
        int g = panel;
        for (int t = 0; t < taps; t++) {
            int o = offsets[t];
            FloatVector lo = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector hi = FloatVector.fromArray(SPECIES, ws, g + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, x[p0 + o]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(SPECIES, x[p1 + o]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[p2 + o]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(SPECIES, x[p3 + o]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(SPECIES, x[p4 + o]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(SPECIES, x[p5 + o]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            v = FloatVector.broadcast(SPECIES, x[p6 + o]);
            a6 = lo.fma(v, a6);
            b6 = hi.fma(v, b6);
            v = FloatVector.broadcast(SPECIES, x[p7 + o]);
            a7 = lo.fma(v, a7);
            b7 = hi.fma(v, b7);
            v = FloatVector.broadcast(SPECIES, x[p8 + o]);
            a8 = lo.fma(v, a8);
            b8 = hi.fma(v, b8);
            v = FloatVector.broadcast(SPECIES, x[p9 + o]);
            a9 = lo.fma(v, a9);
            b9 = hi.fma(v, b9);
            v = FloatVector.broadcast(SPECIES, x[p10 + o]);
            a10 = lo.fma(v, a10);
            b10 = hi.fma(v, b10);
            v = FloatVector.broadcast(SPECIES, x[p11 + o]);
            a11 = lo.fma(v, a11);
            b11 = hi.fma(v, b11);
            g += TWO;
        }
        a0.intoArray(tile, 0 * TWO);
        b0.intoArray(tile, 0 * TWO + LANES);
        a1.intoArray(tile, 1 * TWO);
        b1.intoArray(tile, 1 * TWO + LANES);
        a2.intoArray(tile, 2 * TWO);
        b2.intoArray(tile, 2 * TWO + LANES);
        a3.intoArray(tile, 3 * TWO);
        b3.intoArray(tile, 3 * TWO + LANES);
        a4.intoArray(tile, 4 * TWO);
        b4.intoArray(tile, 4 * TWO + LANES);
        a5.intoArray(tile, 5 * TWO);
        b5.intoArray(tile, 5 * TWO + LANES);
        a6.intoArray(tile, 6 * TWO);
        b6.intoArray(tile, 6 * TWO + LANES);
        a7.intoArray(tile, 7 * TWO);
        b7.intoArray(tile, 7 * TWO + LANES);
        a8.intoArray(tile, 8 * TWO);
        b8.intoArray(tile, 8 * TWO + LANES);
        a9.intoArray(tile, 9 * TWO);
        b9.intoArray(tile, 9 * TWO + LANES);
        a10.intoArray(tile, 10 * TWO);
        b10.intoArray(tile, 10 * TWO + LANES);
        a11.intoArray(tile, 11 * TWO);
        b11.intoArray(tile, 11 * TWO + LANES);
    }

    /** Eight pixels × three vectors of channels (24 accumulators, for 32 vector registers). */
    static void multiply8x3(float[] x, int[] bases, float[] ws, int panel, int[] offsets, int taps, float[] tile) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector a0a = zero; FloatVector a0b = zero; FloatVector a0c = zero;
        FloatVector a1a = zero; FloatVector a1b = zero; FloatVector a1c = zero;
        FloatVector a2a = zero; FloatVector a2b = zero; FloatVector a2c = zero;
        FloatVector a3a = zero; FloatVector a3b = zero; FloatVector a3c = zero;
        FloatVector a4a = zero; FloatVector a4b = zero; FloatVector a4c = zero;
        FloatVector a5a = zero; FloatVector a5b = zero; FloatVector a5c = zero;
        FloatVector a6a = zero; FloatVector a6b = zero; FloatVector a6c = zero;
        FloatVector a7a = zero; FloatVector a7b = zero; FloatVector a7c = zero;
        int p0 = bases[0];
        int p1 = bases[1];
        int p2 = bases[2];
        int p3 = bases[3];
        int p4 = bases[4];
        int p5 = bases[5];
        int p6 = bases[6];
        int p7 = bases[7];
        int g = panel;
        for (int t = 0; t < taps; t++) {
            int o = offsets[t];
            FloatVector w0 = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector w1 = FloatVector.fromArray(SPECIES, ws, g + 1 * LANES);
            FloatVector w2 = FloatVector.fromArray(SPECIES, ws, g + 2 * LANES);
            FloatVector v;
            v = FloatVector.broadcast(SPECIES, x[p0 + o]);
            a0a = w0.fma(v, a0a);
            a0b = w1.fma(v, a0b);
            a0c = w2.fma(v, a0c);
            v = FloatVector.broadcast(SPECIES, x[p1 + o]);
            a1a = w0.fma(v, a1a);
            a1b = w1.fma(v, a1b);
            a1c = w2.fma(v, a1c);
            v = FloatVector.broadcast(SPECIES, x[p2 + o]);
            a2a = w0.fma(v, a2a);
            a2b = w1.fma(v, a2b);
            a2c = w2.fma(v, a2c);
            v = FloatVector.broadcast(SPECIES, x[p3 + o]);
            a3a = w0.fma(v, a3a);
            a3b = w1.fma(v, a3b);
            a3c = w2.fma(v, a3c);
            v = FloatVector.broadcast(SPECIES, x[p4 + o]);
            a4a = w0.fma(v, a4a);
            a4b = w1.fma(v, a4b);
            a4c = w2.fma(v, a4c);
            v = FloatVector.broadcast(SPECIES, x[p5 + o]);
            a5a = w0.fma(v, a5a);
            a5b = w1.fma(v, a5b);
            a5c = w2.fma(v, a5c);
            v = FloatVector.broadcast(SPECIES, x[p6 + o]);
            a6a = w0.fma(v, a6a);
            a6b = w1.fma(v, a6b);
            a6c = w2.fma(v, a6c);
            v = FloatVector.broadcast(SPECIES, x[p7 + o]);
            a7a = w0.fma(v, a7a);
            a7b = w1.fma(v, a7b);
            a7c = w2.fma(v, a7c);
            g += 3 * LANES;
        }
        a0a.intoArray(tile, 0 * LANES);
        a0b.intoArray(tile, 1 * LANES);
        a0c.intoArray(tile, 2 * LANES);
        a1a.intoArray(tile, 3 * LANES);
        a1b.intoArray(tile, 4 * LANES);
        a1c.intoArray(tile, 5 * LANES);
        a2a.intoArray(tile, 6 * LANES);
        a2b.intoArray(tile, 7 * LANES);
        a2c.intoArray(tile, 8 * LANES);
        a3a.intoArray(tile, 9 * LANES);
        a3b.intoArray(tile, 10 * LANES);
        a3c.intoArray(tile, 11 * LANES);
        a4a.intoArray(tile, 12 * LANES);
        a4b.intoArray(tile, 13 * LANES);
        a4c.intoArray(tile, 14 * LANES);
        a5a.intoArray(tile, 15 * LANES);
        a5b.intoArray(tile, 16 * LANES);
        a5c.intoArray(tile, 17 * LANES);
        a6a.intoArray(tile, 18 * LANES);
        a6b.intoArray(tile, 19 * LANES);
        a6c.intoArray(tile, 20 * LANES);
        a7a.intoArray(tile, 21 * LANES);
        a7b.intoArray(tile, 22 * LANES);
        a7c.intoArray(tile, 23 * LANES);
    }

    /** Six pixels × four vectors of channels (24 accumulators, for 32 vector registers). */
    static void multiply6x4(float[] x, int[] bases, float[] ws, int panel, int[] offsets, int taps, float[] tile) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector a0a = zero; FloatVector a0b = zero; FloatVector a0c = zero; FloatVector a0d = zero;
        FloatVector a1a = zero; FloatVector a1b = zero; FloatVector a1c = zero; FloatVector a1d = zero;
        FloatVector a2a = zero; FloatVector a2b = zero; FloatVector a2c = zero; FloatVector a2d = zero;
        FloatVector a3a = zero; FloatVector a3b = zero; FloatVector a3c = zero; FloatVector a3d = zero;
        FloatVector a4a = zero; FloatVector a4b = zero; FloatVector a4c = zero; FloatVector a4d = zero;
        FloatVector a5a = zero; FloatVector a5b = zero; FloatVector a5c = zero; FloatVector a5d = zero;
        int p0 = bases[0];
        int p1 = bases[1];
        int p2 = bases[2];
        int p3 = bases[3];
        int p4 = bases[4];
        int p5 = bases[5];
        int g = panel;
        for (int t = 0; t < taps; t++) {
            int o = offsets[t];
            FloatVector w0 = FloatVector.fromArray(SPECIES, ws, g);
            FloatVector w1 = FloatVector.fromArray(SPECIES, ws, g + 1 * LANES);
            FloatVector w2 = FloatVector.fromArray(SPECIES, ws, g + 2 * LANES);
            FloatVector w3 = FloatVector.fromArray(SPECIES, ws, g + 3 * LANES);
            FloatVector v;
            v = FloatVector.broadcast(SPECIES, x[p0 + o]);
            a0a = w0.fma(v, a0a);
            a0b = w1.fma(v, a0b);
            a0c = w2.fma(v, a0c);
            a0d = w3.fma(v, a0d);
            v = FloatVector.broadcast(SPECIES, x[p1 + o]);
            a1a = w0.fma(v, a1a);
            a1b = w1.fma(v, a1b);
            a1c = w2.fma(v, a1c);
            a1d = w3.fma(v, a1d);
            v = FloatVector.broadcast(SPECIES, x[p2 + o]);
            a2a = w0.fma(v, a2a);
            a2b = w1.fma(v, a2b);
            a2c = w2.fma(v, a2c);
            a2d = w3.fma(v, a2d);
            v = FloatVector.broadcast(SPECIES, x[p3 + o]);
            a3a = w0.fma(v, a3a);
            a3b = w1.fma(v, a3b);
            a3c = w2.fma(v, a3c);
            a3d = w3.fma(v, a3d);
            v = FloatVector.broadcast(SPECIES, x[p4 + o]);
            a4a = w0.fma(v, a4a);
            a4b = w1.fma(v, a4b);
            a4c = w2.fma(v, a4c);
            a4d = w3.fma(v, a4d);
            v = FloatVector.broadcast(SPECIES, x[p5 + o]);
            a5a = w0.fma(v, a5a);
            a5b = w1.fma(v, a5b);
            a5c = w2.fma(v, a5c);
            a5d = w3.fma(v, a5d);
            g += 4 * LANES;
        }
        a0a.intoArray(tile, 0 * LANES);
        a0b.intoArray(tile, 1 * LANES);
        a0c.intoArray(tile, 2 * LANES);
        a0d.intoArray(tile, 3 * LANES);
        a1a.intoArray(tile, 4 * LANES);
        a1b.intoArray(tile, 5 * LANES);
        a1c.intoArray(tile, 6 * LANES);
        a1d.intoArray(tile, 7 * LANES);
        a2a.intoArray(tile, 8 * LANES);
        a2b.intoArray(tile, 9 * LANES);
        a2c.intoArray(tile, 10 * LANES);
        a2d.intoArray(tile, 11 * LANES);
        a3a.intoArray(tile, 12 * LANES);
        a3b.intoArray(tile, 13 * LANES);
        a3c.intoArray(tile, 14 * LANES);
        a3d.intoArray(tile, 15 * LANES);
        a4a.intoArray(tile, 16 * LANES);
        a4b.intoArray(tile, 17 * LANES);
        a4c.intoArray(tile, 18 * LANES);
        a4d.intoArray(tile, 19 * LANES);
        a5a.intoArray(tile, 20 * LANES);
        a5b.intoArray(tile, 21 * LANES);
        a5c.intoArray(tile, 22 * LANES);
        a5d.intoArray(tile, 23 * LANES);
    }
}
