package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Which vector width the kernels run at on this machine: 512 bits where the CPU and the JIT have them
 * (AVX-512, {@code MaxVectorSize=64}), else 256 (AVX2). Every kernel keeps a 256-bit path; a kernel with a
 * 512-bit path picks it through {@link #WIDE}, a constant C2 folds, so the other path costs nothing. Both
 * paths give bit-identical results (ggml's AVX2 order, lane for lane), so the choice is speed only.
 * {@code -Dpromptune.vectorBits=256} (or 512) overrides the choice for A/Bs and tests.
 */
public final class VectorWidth {
    /** The bit width in use: 256 or 512. */
    public static final int BITS = chooseBits(System.getProperty("promptune.vectorBits"),
            FloatVector.SPECIES_PREFERRED.vectorBitSize());
    /** True when kernels should take their 512-bit path. */
    public static final boolean WIDE = BITS == 512;

    private VectorWidth() { }

    static int chooseBits(String override, int preferred) {
        if (override != null && !override.isBlank()) {
            return switch (override.strip()) {
                case "256" -> 256;
                case "512" -> 512;
                default -> throw new IllegalArgumentException(
                        "promptune.vectorBits must be 256 or 512, not '" + override.strip() + "'");
            };
        }
        return preferred >= 512 ? 512 : 256;
    }
}
