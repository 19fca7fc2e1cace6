package dev.jasg.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * The Vector API's preferred float vector width, in a class of its own so that {@link KernelChoice}
 * touches {@code jdk.incubator.vector} only after {@link Simd#ENABLED} found the module. Stateless.
 */
final class VectorWidth {
    private VectorWidth() {}

    /** Bits of {@link FloatVector#SPECIES_PREFERRED}: 512 on AVX-512, 256 on AVX2, 128 on NEON. */
    static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
