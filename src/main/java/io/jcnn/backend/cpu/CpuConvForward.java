package io.jcnn.backend.cpu;

import io.jcnn.backend.ConvGeometry;

/**
 * How the CPU backend computes a convolution's forward pass, chosen once per shape when it is planned, from the
 * geometry alone (never from timing), so a run is reproducible. The backward passes pick their own paths in
 * {@link CpuConvolution}.
 */
enum CpuConvForward {
    /** The im2col (or, with the vector kernel, fused-packing) GEMM of {@link CpuConvolution}: any geometry. */
    GEMM,
    /** {@link CpuWinogradConvolution}: 3×3 and 5×5 filters at stride 1 over several channels. */
    WINOGRAD,
    /** {@link CpuDirectConvolution}: few taps per output, where the GEMM's packing would cost as much as it. */
    DIRECT,
    /** {@link CpuChannelVectorConvolution}: stride 1, output channels along the vector lanes. */
    CHANNEL_VECTOR;

    /** System property: {@code auto} (the default, the fastest algorithm that applies) or {@code gemm}. */
    static final String PROPERTY = "jcnn.cpu.conv";

    /** Whether {@link #PROPERTY} lets the choice go beyond GEMM; throws IllegalStateException on an unknown value. */
    static boolean specialisedAllowed() {
        String value = System.getProperty(PROPERTY, "auto").trim();
        return switch (value) {
            case "auto", "" -> true;
            case "gemm" -> false;
            default -> throw new IllegalStateException(PROPERTY + " must be auto or gemm, got '" + value + "'");
        };
    }

    /** The algorithm for this geometry: the specialised ones only where the vector kernel runs. */
    static CpuConvForward choose(ConvGeometry g) {
        if (!CpuConvolution.fusedAvailable() || !specialisedAllowed()) {
            return GEMM;
        }
        return choose(g, CpuVectorWidth.LANES);
    }

    /** The rule {@link #choose(ConvGeometry)} applies, for vectors of {@code lanes} floats (8 or 16). */
    static CpuConvForward choose(ConvGeometry g, int lanes) {
        if (CpuChannelVectorConvolution.preferredForward(g)) {
            return CHANNEL_VECTOR;
        }
        if (CpuWinogradConvolution.applies(g, 2 * lanes)) {
            return WINOGRAD;
        }
        return CpuDirectConvolution.applies(g) ? DIRECT : GEMM;
    }

    /** Floats of shared workspace forward needs with this algorithm (the backward passes' needs are separate). */
    long workspaceFloats(ConvGeometry g, int threads) {
        return switch (this) {
            case GEMM -> 0;
            case WINOGRAD -> CpuWinogradConvolution.workspaceFloats(g, threads);
            case DIRECT -> CpuDirectConvolution.workspaceFloats(g, threads);
            case CHANNEL_VECTOR -> CpuChannelVectorConvolution.forwardWorkspaceFloats(g);
        };
    }

    /** The algorithm's name in plan descriptions: {@code winograd}, {@code channel-vector}, ... */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** A plan's cache of the transformed filter where this algorithm has one (Winograd's), else null. */
    CpuWinogradConvolution.FilterCache newFilterCache() {
        return this == WINOGRAD ? new CpuWinogradConvolution.FilterCache() : null;
    }

    /** y = x ⋆ w, plus bias[k] on output channel k where bias is not null (the sum rounded, then the add). */
    void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
                 float[] workspace) {
        forward(parallel, g, x, w, bias, y, workspace, null);
    }

    /** As above, with the plan's {@link #newFilterCache()} (or null). */
    void forward(CpuParallel parallel, ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
                 float[] workspace, CpuWinogradConvolution.FilterCache cache) {
        switch (this) {
            case GEMM -> {
                CpuConvolution.forward(parallel, g, x, w, y, workspace);
                if (bias != null) {
                    CpuBias.add(parallel, g.batch(), g.outChannels(), g.outHeight() * g.outWidth(), y, bias);
                }
            }
            case WINOGRAD -> CpuWinogradConvolution.forward(parallel, g, x, w, bias, y, workspace, cache);
            case DIRECT -> CpuDirectConvolution.forward(parallel, g, x, w, bias, y, workspace);
            case CHANNEL_VECTOR -> CpuChannelVectorConvolution.forward(parallel, g, x, w, bias, y, workspace);
        }
    }
}
