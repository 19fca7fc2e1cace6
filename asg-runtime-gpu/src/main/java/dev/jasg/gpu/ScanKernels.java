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
        String src = GlslKernels.HEADER + GlslKernels.LANES + """
                void main() {
                    uint i = flatId();
                    if (i >= pc.lanes) return;
                    uint base = laneBase(i);
                    float acc = PRODUCT ? 1.0 : 0.0;
                    for (uint k = 0u; k < pc.len; k++) {
                        uint at = base + (REVERSE ? pc.len - 1u - k : k) * pc.inner;
                        acc = PRODUCT ? acc * xs[at] : acc + xs[at];
                        o[at] = acc;
                    }
                }
                """.replace("PRODUCT", String.valueOf(product)).replace("REVERSE", String.valueOf(reverse));
        return new Kernel(product ? "cumprod" : reverse ? "cumsum_reverse" : "cumsum", src, 2);
    }

    /**
     * Stable insertion sort of each lane's indices by value, written in the output (indices as floats): an element
     * moves left only past elements it must strictly precede, so ties keep their order. NaN is the largest value.
     */
    static Kernel argsort(boolean descending) {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer X { float xs[]; };
                layout(push_constant) uniform P { uint lanes; uint len; uint inner; } pc;
                LANE_BASE
                // -1, 0, 1 as a is below, equal to or above b, NaN above every number
                int cmp(float a, float b) {
                    bool na = isNaN(a), nb = isNaN(b);
                    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
                    return a < b ? -1 : (a > b ? 1 : 0);
                }
                void main() {
                    uint i = flatId();
                    if (i >= pc.lanes) return;
                    uint base = laneBase(i);
                    for (uint k = 0u; k < pc.len; k++) {
                        float v = xs[base + k * pc.inner];
                        int j = int(k) - 1;
                        while (j >= 0) {
                            float prev = o[base + uint(j) * pc.inner];
                            int c = cmp(v, xs[base + uint(prev) * pc.inner]);
                            if (!(DESC ? c > 0 : c < 0)) break;
                            o[base + uint(j + 1) * pc.inner] = prev;
                            j--;
                        }
                        o[base + uint(j + 1) * pc.inner] = float(k);
                    }
                }
                """.replace("LANE_BASE", GlslKernels.LANE_BASE).replace("DESC", String.valueOf(descending));
        return new Kernel(descending ? "argsort_descending" : "argsort", src, 2);
    }
}
