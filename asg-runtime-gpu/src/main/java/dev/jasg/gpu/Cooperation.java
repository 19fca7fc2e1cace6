package dev.jasg.gpu;

/**
 * How the 256 invocations of a workgroup share out outputs that each fold {@code R} elements
 * ({@code cooperative.glsl}): {@code 1 << tpoBits} invocations per output, their reduction bits at
 * {@code lo} within the invocation's slot. A contiguous reduction (the elements of one output adjacent in
 * memory: a last-axis sum, softmax or layer norm) puts one output's invocations side by side (lo 0), so a
 * warp reads one row in order; a strided one (a sum over the batch axis: the bias gradient) puts adjacent
 * invocations on adjacent outputs (lo {@code 8 - tpoBits}), so a warp reads adjacent outputs' elements in
 * order. About eight elements per invocation: enough to hide memory latency, short rows use few
 * invocations and several rows share a workgroup. Immutable.
 */
record Cooperation(int tpoBits, int lo) {
    /** Elements each invocation folds before the butterfly, about. */
    static final int ELEMENTS_PER_INVOCATION = 8;

    static Cooperation of(long outputs, long r, boolean contiguous) {
        int cap = 8;
        if (!contiguous) cap -= log2Ceil(Math.min(32, Math.max(1, outputs)));
        int bits = Math.min(cap, log2Ceil(Math.max(1, (r + ELEMENTS_PER_INVOCATION - 1) / ELEMENTS_PER_INVOCATION)));
        return new Cooperation(bits, contiguous ? 0 : 8 - bits);
    }

    /** Outputs one workgroup serves. */
    int outputsPerGroup() {
        return 256 >> tpoBits;
    }

    /** Workgroups for {@code outputs} outputs. */
    long groups(long outputs) {
        return (outputs + outputsPerGroup() - 1) / outputsPerGroup();
    }

    private static int log2Ceil(long x) {
        return x <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(x - 1);
    }
}
