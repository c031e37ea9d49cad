package io.jcnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float vector shape that every Vector API kernel of the CPU backend uses, chosen once per JVM.
 *
 * <h2>Why one shape</h2>
 * The Vector API's generic methods ({@code fromArray}, {@code fma}, {@code intoArray}, ...) are shared by every
 * shape, and C2 turns them into single instructions only when it can tell the exact vector class at the call. On
 * JDK 17, as soon as a second float shape runs anywhere in the JVM (one 8-lane loop beside 16-lane kernels), that
 * knowledge is lost and every vector operation of the hot kernels falls back to its Java implementation: the GEMM
 * micro-kernel ran at 5 GFLOP/s instead of 170 on a 512-bit machine, and LeNet trained 8× slower. JDK 25 is not
 * affected. So no kernel names a species of its own: all take {@link #SPECIES} from here, and a test keeps it so.
 *
 * <h2>The rule</h2>
 * {@value #PROPERTY} = {@code auto} (the default) takes the CPU's preferred shape, {@code FloatVector.SPECIES_PREFERRED}
 * (512 bits with AVX-512, 256 with AVX2); {@code 256} or {@code 512} asks for that width, which must not exceed the
 * preferred one (a wider shape would run in Java code, not in registers). The width changes the order in which some
 * kernels add partial sums, so runs at different widths agree to rounding, not bit for bit; asking for 256 on an
 * AVX-512 machine reproduces an AVX2 machine's results exactly.
 */
final class CpuVectorWidth {
    /** System property: {@code auto}, {@code 256} or {@code 512}. */
    static final String PROPERTY = "jcnn.cpu.vectorBits";

    /** Why the property cannot be honoured on this CPU, or null; checked before any kernel runs. */
    static final String ERROR = problem(System.getProperty(PROPERTY), preferredBits());
    /** The shape every kernel uses (the preferred one when {@link #ERROR} is set, though nothing then runs). */
    static final VectorSpecies<Float> SPECIES = ERROR != null ? FloatVector.SPECIES_PREFERRED
            : VectorSpecies.of(float.class, VectorShape.forBitSize(bits(System.getProperty(PROPERTY), preferredBits())));
    /** Floats per vector of {@link #SPECIES}. */
    static final int LANES = SPECIES.length();

    private CpuVectorWidth() {
    }

    /** The width in use and where it came from, in words, or the property's problem. */
    static String describe() {
        if (ERROR != null) {
            return ERROR;
        }
        int bits = SPECIES.vectorBitSize();
        int preferred = preferredBits();
        return bits + " bits, " + LANES + " floats per vector" + (bits == preferred ? " (the CPU's widest)"
                : " (asked for with -D" + PROPERTY + "; the CPU's widest is " + preferred + ")");
    }

    /** The width of the CPU's preferred float vector, whatever the property says. */
    static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    /** Why a property value (null means auto) cannot be used where the preferred vector has that many bits, or null. */
    static String problem(String requested, int preferredBits) {
        String value = requested == null ? "auto" : requested.trim();
        if (!value.equals("auto") && !value.isEmpty() && !value.equals("256") && !value.equals("512")) {
            return PROPERTY + " must be auto, 256 or 512, got '" + requested + "'";
        }
        int bits = bits(requested, preferredBits);
        return bits > preferredBits ? PROPERTY + "=" + value + ", but this CPU's widest float vector is "
                + preferredBits + " bits (wider vectors would run as Java code): use auto or " + preferredBits : null;
    }

    /** The width a valid property value asks for: the preferred one for auto. */
    static int bits(String requested, int preferredBits) {
        String value = requested == null ? "" : requested.trim();
        return value.equals("256") || value.equals("512") ? Integer.parseInt(value) : preferredBits;
    }
}
