package io.jcnn.backend.cpu;

import io.jcnn.backend.ConvGeometry;
import java.util.Arrays;

/**
 * Forward of stride-1 convolutions with output channels along the vector lanes, reading the input where it lies: a tile
 * is a few output pixels × a panel of output channels (two to four vectors), and each step multiplies one filter tap's
 * weights for the panel (from the filter transposed once per call into tap-major panels) by the input value under that
 * tap at each of the pixels (broadcast straight from the image, at the tap's fixed offset from each pixel), into one
 * vector accumulator per pixel and vector ({@link CpuChannelVectorKernels}). There is no column matrix to write and
 * pack again.
 *
 * <p>On AlexNet-32's 8×8 layers (conv3 to conv5) this ran 1.3 to 1.6 times as fast as the Winograd path, whose tiles
 * such small images fill poorly; on 16×16 images and on LeNet conv2 Winograd stays ahead, so {@link CpuConvForward}
 * picks this path for small outputs only. Backward-data of "same" convolutions runs here too, as the forward of the
 * transpose ({@link CpuTransposedBackwardData}).
 *
 * <p>Every output element is one chain of fused multiply-adds over the taps in order (then the bias added): the bits do
 * not depend on the thread count, which splits the tiles, nor on the tile's shape. Only loaded where the vector kernel
 * runs.
 */
final class CpuChannelVectorConvolution {
    private static final int LANES = CpuVectorWidth.LANES;
    /** The narrowest panel, two vectors: what a convolution needs half of to run here. */
    private static final int PANEL = 2 * LANES;
    /** Pixels per tile at most (12 × 2 vectors at 512 bits); wider panels take fewer. */
    private static final int MAX_PIXELS = LANES >= 16 ? 12 : 6;
    /** Taps per output below which the tiles' setup outweighs the products: the same at every vector width. */
    private static final int MIN_TAPS = 24;

    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[0]);
    /** One tile's sums: every shape holds 24 accumulators at 512 bits, twelve at 256. */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MAX_PIXELS * PANEL]);
    /** Per tile: where each pixel reads (MAX_PIXELS ints), then where it writes (MAX_PIXELS ints, −1 past the end). */
    private static final ThreadLocal<int[]> PLACES = ThreadLocal.withInitial(() -> new int[2 * MAX_PIXELS]);

    private CpuChannelVectorConvolution() {
    }

    /** The valid correlation forward reduces to (the input framed by the padding), and the workspace it needs. */
    private record Correlation(int n, int inChannels, int height, int width, int border, int borderW,
                               int outChannels, int r, int s) {
        /** Vectors per panel ({@link CpuChannelVectorKernels#vectorsPerPanel}). */
        int vectors() {
            return CpuChannelVectorKernels.vectorsPerPanel(outChannels);
        }

        int panelWidth() {
            return vectors() * LANES;
        }

        int pixelsPerTile() {
            return switch (vectors()) {
                case 4 -> 6;
                case 3 -> 8;
                default -> MAX_PIXELS;
            };
        }

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
            return (outChannels + panelWidth() - 1) / panelWidth();
        }

        long panelFloats() {
            return (long) panels() * taps() * panelWidth();
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
        int panelWidth = c.panelWidth();
        // Panel i, tap t holds w[k][t] for the panel's channels k.
        parallel.forRange(c.panels(), 1, (chunk, start, end) -> {
            for (int panel = start; panel < end; panel++) {
                int k0 = panel * panelWidth;
                int width = Math.min(panelWidth, c.outChannels() - k0);
                for (int t = 0; t < taps; t++) {
                    int to = (panel * taps + t) * panelWidth;
                    for (int lane = 0; lane < width; lane++) {
                        ws[to + lane] = w[(k0 + lane) * taps + t];
                    }
                    if (width < panelWidth) {
                        Arrays.fill(ws, to + width, to + panelWidth, 0f);
                    }
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
        int perTile = c.pixelsPerTile();
        int panelWidth = c.panelWidth();
        int vectors = c.vectors();
        int tiles = (pixels + perTile - 1) / perTile;
        float[] src = source;
        int srcOffset = sourceOffset;
        parallel.forRange(tiles, 1, (chunk, start, end) -> {
            int[] places = PLACES.get();
            float[] tile = TILE.get();
            int planeOut = ho * wo;
            for (int t = start; t < end; t++) {
                // The tile's pixels, from the first one's (n, p, q) stepped along rows and images; the last tile
                // repeats its last pixel and stores nothing for the repeats.
                int first = t * perTile;
                int n = first / planeOut;
                int p = first / wo % ho;
                int q = first % wo;
                for (int i = 0; i < perTile; i++) {
                    boolean real = first + i < pixels;
                    places[i] = srcOffset + n * c.inChannels() * hs * wsWidth + p * wsWidth + q;
                    places[MAX_PIXELS + i] = real ? n * c.outChannels() * planeOut + p * wo + q : -1;
                    if (real && first + i + 1 < pixels && ++q == wo) {
                        q = 0;
                        if (++p == ho) {
                            p = 0;
                            n++;
                        }
                    }
                }
                for (int panel = 0; panel < c.panels(); panel++) {
                    int k0 = panel * panelWidth;
                    int width = Math.min(panelWidth, c.outChannels() - k0);
                    int weights = panel * taps * panelWidth;
                    if (vectors == 4) {
                        CpuChannelVectorKernels.multiply6x4(src, places, ws, weights, offsets, taps, tile);
                    } else if (vectors == 3) {
                        CpuChannelVectorKernels.multiply8x3(src, places, ws, weights, offsets, taps, tile);
                    } else if (MAX_PIXELS == 12) {
                        CpuChannelVectorKernels.multiply12x2(src, places, ws, weights, offsets, taps, tile);
                    } else {
                        CpuChannelVectorKernels.multiply6x2(src, places, ws, weights, offsets, taps, tile);
                    }
                    for (int i = 0; i < perTile; i++) {
                        int target = places[MAX_PIXELS + i];
                        if (target < 0) {
                            continue;
                        }
                        target += k0 * planeOut;
                        int row = i * panelWidth;
                        if (bias == null) {
                            for (int lane = 0; lane < width; lane++) {
                                out[target + lane * planeOut] = tile[row + lane];
                            }
                        } else {
                            for (int lane = 0; lane < width; lane++) {
                                out[target + lane * planeOut] = tile[row + lane] + bias[k0 + lane];
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
}
