package io.jcnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CudaTierTest {
    @Test
    void eachTierAllowsItselfAndThoseBelow() {
        assertTrue(CudaTier.CUDNN.allows(CudaTier.CUDNN));
        assertTrue(CudaTier.CUDNN.allows(CudaTier.CUBLAS));
        assertTrue(CudaTier.CUDNN.allows(CudaTier.KERNELS));
        assertFalse(CudaTier.CUBLAS.allows(CudaTier.CUDNN));
        assertTrue(CudaTier.CUBLAS.allows(CudaTier.CUBLAS));
        assertFalse(CudaTier.KERNELS.allows(CudaTier.CUBLAS));
        assertTrue(CudaTier.KERNELS.allows(CudaTier.KERNELS));
    }

    @Test
    void namesRoundTripAndUnknownNamesSayWhatIsAccepted() {
        for (CudaTier tier : CudaTier.values()) {
            assertEquals(tier, CudaTier.of(tier.label()));
        }
        assertEquals("unknown CUDA tier 'cudnn8': expected cudnn, cublas or kernels",
                assertThrows(IllegalArgumentException.class, () -> CudaTier.of("cudnn8")).getMessage());
    }

    @Test
    void cudnnLimitsDecideWhichLrnAndBatchNormSettingsItRuns() {
        assertTrue(CudnnNormalization.supports(io.jcnn.backend.LrnSpec.alexNet()));
        assertFalse(CudnnNormalization.supports(new io.jcnn.backend.LrnSpec(17, 1e-4f, 0.75f, 1f)));
        assertFalse(CudnnNormalization.supports(new io.jcnn.backend.LrnSpec(5, 1e-4f, 0.001f, 1f)));
        assertFalse(CudnnNormalization.supports(new io.jcnn.backend.LrnSpec(5, 1e-4f, 0.75f, 1e-6f)));
        assertTrue(CudnnNormalization.supportsEpsilon(1e-5f));
        assertFalse(CudnnNormalization.supportsEpsilon(1e-6f));
    }

    private static CudaProbe machine(boolean cublas, boolean cudnn) {
        CudaProbe.Component driver = new CudaProbe.Component("driver", true, "driver for CUDA 13.0");
        return new CudaProbe(driver, java.util.List.of(new CudaProbe.CudaDevice(0, "GPU", 9, 0, 1L << 30)),
                new CudaProbe.Component("cuBLAS", cublas, cublas ? "cuBLAS 12.9.1" : "libcublas.so.12 not found"),
                new CudaProbe.Component("cuDNN", cudnn, cudnn ? "cuDNN 9.14.0" : "libcudnn.so.9 not found"),
                new CudaProbe.Component("kernels", true, "9 PTX modules"));
    }

    /** A CUDA 13 machine: cuDNN 9 loads, cuBLAS 12 does not. The cuDNN tier runs, with jcnn's SGEMM, and says so. */
    @Test
    void cudnnWithoutCublasRunsTheCudnnTierOnJcnnSgemm() {
        TierChoice choice = TierChoice.of(CudaTier.CUDNN, machine(false, true));
        assertTrue(choice.cudnn());
        assertFalse(choice.cublas());
        assertEquals(java.util.List.of(TierChoice.GEMM_FALLBACK + "libcublas.so.12 not found"), choice.fallbacks());
        assertEquals("jcnn SGEMM kernel (libcublas.so.12 not found)", choice.gemmTier());
    }

    @Test
    void eachTierUsesWhatItAllowsAndWhatLoads() {
        for (boolean cublas : new boolean[] {false, true}) {
            for (boolean cudnn : new boolean[] {false, true}) {
                CudaProbe probe = machine(cublas, cudnn);
                for (CudaTier tier : CudaTier.values()) {
                    TierChoice choice = TierChoice.of(tier, probe);
                    String what = tier + " with cuBLAS " + cublas + ", cuDNN " + cudnn;
                    assertEquals(cublas && tier.allows(CudaTier.CUBLAS), choice.cublas(), what);
                    assertEquals(cudnn && tier.allows(CudaTier.CUDNN), choice.cudnn(), what);
                    int missing = (tier.allows(CudaTier.CUBLAS) && !cublas ? 1 : 0)
                            + (tier.allows(CudaTier.CUDNN) && !cudnn ? 1 : 0);
                    assertEquals(missing, choice.fallbacks().size(), what + ": " + choice.fallbacks());
                }
            }
        }
    }

    /** A library that loads but cannot start costs only its tier, and the reason is kept. */
    @Test
    void aLibraryThatCannotStartFallsBackWithItsReason() {
        TierChoice choice = TierChoice.of(CudaTier.CUDNN, machine(true, true))
                .withoutCudnn("cudnnCreateConvolutionDescriptor failed (libcudnn_cnn.so.9 must be beside it)");
        assertFalse(choice.cudnn());
        assertTrue(choice.cublas());
        assertEquals(1, choice.fallbacks().size());
        assertTrue(choice.fallbacks().get(0).startsWith(TierChoice.CUDNN_FALLBACK + "cudnnCreateConvolution"));
    }
}
