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
}
