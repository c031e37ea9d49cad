package io.jcnn.backend.cpu;

/**
 * Prints which GEMM kernel a fresh JVM selects ("vector" or "portable"), checks that it runs a product, or prints
 * "error: " and the reason a backend refused to start. Used by {@link CpuGemmVectorKernelTest}.
 */
final class KernelProbe {
    private KernelProbe() {
    }

    public static void main(String[] args) {
        try (CpuBackend backend = new CpuBackend(2)) {
            float[] a = {1, 2, 3, 4};
            float[] c = new float[4];
            CpuGemm.gemm(null, false, false, 2, 2, 2, 1f, a, 0, 2, a, 0, 2, 0f, c, 0, 2);
            if (c[0] != 7f || c[3] != 22f) {
                throw new AssertionError("wrong product " + java.util.Arrays.toString(c));
            }
            String description = backend.description();
            System.out.println(description.contains("gemm: vector API") ? "vector"
                    : description.contains("gemm: auto-vectorised") ? "portable" : "unknown: " + description);
        } catch (IllegalStateException e) {
            System.out.println("error: " + e.getMessage());
        }
    }
}
