package io.jcnn.backend.cpu;

import io.jcnn.backend.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Forward of stride-1 convolutions with output channels along the vector lanes, reading the input where it lies: a tile
 * is {@link #PIXELS} output pixels × 2·LANES channels, and each step multiplies one filter tap's weights for those
 * channels (two vectors, from the filter transposed once per call into tap-major panels) by the input value under that
 * tap at each of the pixels (broadcast straight from the image, at the tap's fixed offset from each pixel), into
 * PIXELS×2 vector accumulators. There is no column matrix to write and pack again.
 *
 * <p>On AlexNet-32's 8×8 layers (conv3 to conv5) this ran 1.3 to 1.6 times as fast as the Winograd path, whose tiles
 * such small images fill poorly; on 16×16 images and on LeNet conv2 Winograd stays ahead, so {@link CpuConvForward}
 * picks this path for small outputs only. Backward-data of "same" convolutions runs here too, as the forward of the
 * transpose ({@link CpuTransposedBackwardData}).
 *
 * <p>Every output element is one chain of fused multiply-adds over the taps in order (then the bias added): the bits do
 * not depend on the thread count, which splits the tiles. Only loaded where the vector kernel runs.
 */
final class CpuChannelVectorConvolution {
    private static final VectorSpecies<Float> SPECIES = CpuVectorWidth.SPECIES;
    private static final int LANES = CpuVectorWidth.LANES;
    /** Channels per panel: two vectors. */
    private static final int PANEL = 2 * LANES;
    /**
     * Output pixels per tile, with two vectors each: twelve accumulators where vectors are 256 bits (AVX2 has sixteen
     * registers), 24 where they are 512 (AVX-512 has 32), which halves the weight loads and loop overhead per
     * multiply-add. The bits are the same either way: each output is its own chain over the taps.
     */
    static final int PIXELS = LANES >= 16 ? 12 : 6;
    /** Taps per output below which the tiles' setup outweighs the products: the same at every vector width. */
    private static final int MIN_TAPS = 24;

    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[PIXELS * PANEL]);
    /** Per tile: where each pixel reads (PIXELS ints), then where it writes (PIXELS ints, −1 past the end). */
    private static final ThreadLocal<int[]> PLACES = ThreadLocal.withInitial(() -> new int[2 * PIXELS]);

    private CpuChannelVectorConvolution() {
    }

    /** The valid correlation forward reduces to (the input framed by the padding), and the workspace it needs. */
    private record Correlation(int n, int inChannels, int height, int width, int border, int borderW,
                               int outChannels, int r, int s) {
        int sourceHeight() {
            return height + 2 * border;
        }

        int sourceWidth() {
            return width + 2 * borderW;
        }

        int outHeight() {
            return sourceHeight() - r + 1;
        }

        int outWidth() {
            return sourceWidth() - s + 1;
        }

        int taps() {
            return inChannels * r * s;
        }

        int panels() {
            return (outChannels + PANEL - 1) / PANEL;
        }

        long panelFloats() {
            return (long) panels() * taps() * PANEL;
        }

        long sourceFloats() {
            return border > 0 || borderW > 0 ? CpuFrame.floats(n * inChannels, height, width, border, borderW) : 0;
        }

        long workspaceFloats() {
            return panelFloats() + sourceFloats();
        }
    }

    private static boolean stride1(ConvGeometry g) {
        return g.spec().strideH() == 1 && g.spec().strideW() == 1 && g.spec().dilationH() == 1
                && g.spec().dilationW() == 1 && g.groups() == 1;
    }

    /** Whether forward can run here: stride and dilation 1, one group, output channels filling half a panel. */
    static boolean forwardApplies(ConvGeometry g) {
        return stride1(g) && 2 * g.outChannels() >= PANEL && g.inChannels() * g.kernelH() * g.kernelW() >= MIN_TAPS;
    }

    /**
     * Whether {@link CpuConvForward} should pick this path: it applies, the output channels fill whole panels at
     * either vector width (a multiple of 32), and the output is smaller than 16×16 pixels, where Winograd's tiles
     * start to pay. The rule does not depend on this machine's width, so every machine takes the same path.
     */
    static boolean preferredForward(ConvGeometry g) {
        return stride1(g) && g.outChannels() % 32 == 0 && g.inChannels() * g.kernelH() * g.kernelW() >= MIN_TAPS
                && g.outHeight() * g.outWidth() < 256;
    }


    private static Correlation forwardCorrelation(ConvGeometry g) {
        return new Correlation(g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.spec().padH(),
                g.spec().padW(), g.outChannels(), g.kernelH(), g.kernelW());
    }


    static long forwardWorkspaceFloats(ConvGeometry g) {
        return forwardCorrelation(g).workspaceFloats();
    }


    /** y = x ⋆ w, plus bias[k] on output channel k where bias is not null (the sum rounded, then the add). */
    static void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
                        float[] ws) {
        Correlation c = forwardCorrelation(g);
        int taps = c.taps();
        // Panel i, tap t holds w[k][t] for the panel's channels k.
        parallel.forRange(c.panels(), 1, (chunk, start, end) -> {
            for (int panel = start; panel < end; panel++) {
                int k0 = panel * PANEL;
                int width = Math.min(PANEL, c.outChannels() - k0);
                for (int t = 0; t < taps; t++) {
                    int to = (panel * taps + t) * PANEL;
                    for (int lane = 0; lane < width; lane++) {
                        ws[to + lane] = w[(k0 + lane) * taps + t];
                    }
                    Arrays.fill(ws, to + width, to + PANEL, 0f);
                }
            }
        });
        correlate(parallel, c, x, bias, y, ws);
    }


    /** out = the valid correlation of the (framed) source with the panels at the start of ws, plus bias. */
    private static void correlate(CpuParallel parallel, Correlation c, float[] in, float[] bias, float[] out,
                                  float[] ws) {
        int hs = c.sourceHeight();
        int wsWidth = c.sourceWidth();
        float[] source = in;
        int sourceOffset = 0;
        if (c.sourceFloats() > 0) {
            // The zero-framed copy of the input; panels come first.
            int framed = (int) c.panelFloats();
            parallel.forRange(c.n() * c.inChannels(), 1,
                    (chunk, start, end) -> CpuFrame.copy(in, c.height(), c.width(), c.border(), c.borderW(), ws, framed,
                            start, end));
            source = ws;
            sourceOffset = framed;
        }
        int taps = c.taps();
        int[] offsets = offsets(c);
        int ho = c.outHeight();
        int wo = c.outWidth();
        int pixels = c.n() * ho * wo;
        int tiles = (pixels + PIXELS - 1) / PIXELS;
        float[] src = source;
        int srcOffset = sourceOffset;
        parallel.forRange(tiles, 1, (chunk, start, end) -> {
            int[] places = PLACES.get();
            float[] tile = TILE.get();
            int planeOut = ho * wo;
            for (int t = start; t < end; t++) {
                // The tile's pixels, from the first one's (n, p, q) stepped along rows and images; the last tile
                // repeats its last pixel and stores nothing for the repeats.
                int first = t * PIXELS;
                int n = first / planeOut;
                int p = first / wo % ho;
                int q = first % wo;
                for (int i = 0; i < PIXELS; i++) {
                    boolean real = first + i < pixels;
                    places[i] = srcOffset + n * c.inChannels() * hs * wsWidth + p * wsWidth + q;
                    places[PIXELS + i] = real ? n * c.outChannels() * planeOut + p * wo + q : -1;
                    if (real && first + i + 1 < pixels && ++q == wo) {
                        q = 0;
                        if (++p == ho) {
                            p = 0;
                            n++;
                        }
                    }
                }
                for (int panel = 0; panel < c.panels(); panel++) {
                    int k0 = panel * PANEL;
                    int width = Math.min(PANEL, c.outChannels() - k0);
                    if (PIXELS == 12) {
                        multiply12(src, places, ws, panel * taps * PANEL, offsets, taps, tile);
                    } else {
                        multiply(src, places, ws, panel * taps * PANEL, offsets, taps, tile);
                    }
                    for (int i = 0; i < PIXELS; i++) {
                        int target = places[PIXELS + i];
                        if (target < 0) {
                            continue;
                        }
                        target += k0 * planeOut;
                        if (bias == null) {
                            for (int lane = 0; lane < width; lane++) {
                                out[target + lane * planeOut] = tile[i * PANEL + lane];
                            }
                        } else {
                            for (int lane = 0; lane < width; lane++) {
                                out[target + lane * planeOut] = tile[i * PANEL + lane] + bias[k0 + lane];
                            }
                        }
                    }
                }
            }
        });
    }

    /** Each tap's offset from the source pixel under tap 0, in the framed source; in a per-thread buffer. */
    private static int[] offsets(Correlation c) {
        int taps = c.taps();
        int[] offsets = OFFSETS.get();
        if (offsets.length < taps) {
            offsets = new int[taps];
            OFFSETS.set(offsets);
        }
        int hs = c.sourceHeight();
        int wsWidth = c.sourceWidth();
        for (int t = 0; t < taps; t++) {
            offsets[t] = t / (c.r() * c.s()) * hs * wsWidth + t / c.s() % c.r() * wsWidth + t % c.s();
        }
        return offsets;
    }

    /** One tile's sums over every tap into {@code tile} (PIXELS rows of PANEL floats). */
    private static void multiply(float[] x, int[] bases, float[] ws, int panel, int[] offsets, int taps,
                                 float[] tile) {
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
            g += PANEL;
        }
        a0.intoArray(tile, 0);
        b0.intoArray(tile, LANES);
        a1.intoArray(tile, PANEL);
        b1.intoArray(tile, PANEL + LANES);
        a2.intoArray(tile, 2 * PANEL);
        b2.intoArray(tile, 2 * PANEL + LANES);
        a3.intoArray(tile, 3 * PANEL);
        b3.intoArray(tile, 3 * PANEL + LANES);
        a4.intoArray(tile, 4 * PANEL);
        b4.intoArray(tile, 4 * PANEL + LANES);
        a5.intoArray(tile, 5 * PANEL);
        b5.intoArray(tile, 5 * PANEL + LANES);
    }

    /** {@link #multiply} for twelve pixels (24 accumulators, for 32 vector registers). */
    private static void multiply12(float[] x, int[] bases, float[] ws, int panel, int[] offsets, int taps,
                                   float[] tile) {
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
            g += PANEL;
        }
        a0.intoArray(tile, 0 * PANEL);
        b0.intoArray(tile, 0 * PANEL + LANES);
        a1.intoArray(tile, 1 * PANEL);
        b1.intoArray(tile, 1 * PANEL + LANES);
        a2.intoArray(tile, 2 * PANEL);
        b2.intoArray(tile, 2 * PANEL + LANES);
        a3.intoArray(tile, 3 * PANEL);
        b3.intoArray(tile, 3 * PANEL + LANES);
        a4.intoArray(tile, 4 * PANEL);
        b4.intoArray(tile, 4 * PANEL + LANES);
        a5.intoArray(tile, 5 * PANEL);
        b5.intoArray(tile, 5 * PANEL + LANES);
        a6.intoArray(tile, 6 * PANEL);
        b6.intoArray(tile, 6 * PANEL + LANES);
        a7.intoArray(tile, 7 * PANEL);
        b7.intoArray(tile, 7 * PANEL + LANES);
        a8.intoArray(tile, 8 * PANEL);
        b8.intoArray(tile, 8 * PANEL + LANES);
        a9.intoArray(tile, 9 * PANEL);
        b9.intoArray(tile, 9 * PANEL + LANES);
        a10.intoArray(tile, 10 * PANEL);
        b10.intoArray(tile, 10 * PANEL + LANES);
        a11.intoArray(tile, 11 * PANEL);
        b11.intoArray(tile, 11 * PANEL + LANES);
    }
}
