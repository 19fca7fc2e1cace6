package dev.jasg.gpu;

/**
 * GLSL of the scans ({@code cumsum}, {@code cumprod}) and the stable arg-sort. Both run one invocation per lane
 * of {@code [outer, len, inner]} walking the axis sequentially (push: lanes, len, inner): simple and exact, but
 * the arg-sort is an insertion sort, O(len^2) per lane, fine for the short axes of top-k and sorting scores and
 * the first thing to replace (by a workgroup bitonic or merge sort) for long axes.
 */
final class ScanKernels {
    private ScanKernels() {}

    /** {@code o_i = x_0 op ... op x_i} along the axis ({@code x_i op ... op x_last} when {@code reverse}), in float. */
    static Kernel scan(boolean product, boolean reverse) {
        return GlslKernels.kernel(product ? "cumprod" : reverse ? "cumsum_reverse" : "cumsum", "scan.comp", 2,
                "PRODUCT", product ? 1 : 0, "REVERSE", reverse ? 1 : 0);
    }

    /**
     * Stable insertion sort of each lane's indices by value, written in the output (indices as floats): an element
     * moves left only past elements it must strictly precede, so ties keep their order. NaN is the largest value.
     */
    static Kernel argsort(boolean descending) {
        return GlslKernels.kernel(descending ? "argsort_descending" : "argsort", "argsort.comp", 2, "DESCENDING", descending ? 1 : 0);
    }
}
