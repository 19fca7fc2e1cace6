package dev.jasg.gpu;

import java.util.HashMap;
import java.util.Map;

/**
 * GLSL sources of the layer primitives: gather (the embedding lookup), scatter-add (its
 * adjoint), the dropout mask and normalisation. Indices arrive as floats holding exact
 * integers, like every I32 tensor on this backend.
 *
 * <p>Out-of-range indices cannot raise an error from a shader, so the kernels never read or
 * write outside their buffers instead: gather writes 0 for the row of an index outside
 * {@code [0, V)}, and scatter-add ignores such an index (its updates go nowhere). The host
 * backends (reference, CPU) throw for them.
 */
final class LayerKernels {
    private LayerKernels() {}

    /**
     * One invocation per output element {@code i = n*D + j}: {@code o[i] = table[idx[n]*D + j]},
     * 0 when {@code idx[n]} is outside {@code [0, V)}. Push: count, D, V, mode.
     */
    static Kernel gather() {
        return GlslKernels.kernel("gather", "gather.comp", 3);
    }

    /**
     * Deterministic scatter-add without atomics: one invocation per output element
     * {@code (s, j)} walks all {@code N} indices in order and sums {@code upd[n*D + j]} where
     * {@code idx[n] == s}, so repeated indices always add in the same order and no float
     * atomics are needed. The cost is {@code size * D * N} index reads (every output element
     * scans every index), against {@code N * D} for an atomic version: cheap for the op table
     * and moderate vocabularies, the first thing to replace (by a sort of the indices) for
     * large vocabularies. Out-of-range indices match no row. Push: count (= size*D), D, N, mode.
     */
    static Kernel scatterAdd() {
        return GlslKernels.kernel("scatter_add", "scatter_add.comp", 3);
    }

    /**
     * {@code o[i] = bits24(key, i) >= threshold ? scale : 0} with
     * {@code key = fmix32(seed * 0x9E3779B9 + saltMix)}: an exact port of
     * {@link dev.jasg.core.Op.DropoutMask} (32-bit unsigned arithmetic wraps as Java's int
     * does, and {@code >>} on uint is Java's {@code >>>}), so the mask is bit-identical to the
     * reference's. Push: count, saltMix, threshold, scale (float bits).
     */
    static Kernel dropoutMask() {
        return GlslKernels.kernel("dropout_mask", "dropout_mask.comp", 2);
    }

    /**
     * The invocations serving a group of elements sharing the kept indices ({@link Cooperation}; geometry as
     * the reduction's: up to four merged kept and reduced axis groups) find the mean by a strided loop and a
     * butterfly, then the biased variance of the deviations the same way (two passes, no cancellation), then
     * write {@code (x - mean) / sqrt(var + eps)} at the same offsets. Push: nOut, R, kr, rr, kd[4], ks[4],
     * rd[4], rs[4], eps, mode, tpoBits, lo.
     */
    static Kernel normalize(boolean subgroup) {
        return GlslKernels.kernel("normalize" + GlslKernels.sg(subgroup), "normalize.comp", 2, "SUBGROUP", subgroup ? 1 : 0, "EPILOGUE", 0);
    }

    /**
     * Normalisation with fused group {@code epilogue} applied to each value before it is stored ({@link Fusion}: layer
     * norm's scale and shift), its externals from binding 2 on, their indexing after the usual push constants.
     */
    static Kernel normalize(boolean subgroup, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        String src = Shaders.source("normalize.comp", Shaders.defines("SUBGROUP", subgroup ? 1 : 0, "EPILOGUE", 1, "EXTERNALS", Fusion.slots(epilogue)),
                java.util.Map.of("fused_body.glsl", Fusion.body(epilogue, g, 2)));
        return new Kernel("normalize" + GlslKernels.sg(subgroup) + "_epilogue_" + Fusion.digest(src), src, 2 + epilogue.externals().size());
    }

    /**
     * A row gradient ({@link RowGradient}) in one kernel ({@code row_gradient.comp}): the invocations serving a group of
     * elements sharing the kept indices ({@link Cooperation}, the reduction's geometry) fold the row's sums in the
     * reduction kernel's fixed order, then write {@code dx} at the same offsets. Bindings: o, y, x (layer norm), g. Push:
     * nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4], eps, mode, tpoBits, lo. The rounding {@code mode} ({@link Lowering#mode}
     * of the nodes' dtype) is also built into the kernel ({@code MODE}), so no element chooses it.
     */
    static Kernel rowGradient(RowGradient.Kind kind, boolean subgroup, int mode) {
        int buffers = kind == RowGradient.Kind.LAYER_NORM ? 4 : 3;
        return GlslKernels.kernel(kind.label + GlslKernels.sg(subgroup) + "_m" + mode, "row_gradient.comp", buffers, "KIND", kind.ordinal(),
                "SUBGROUP", subgroup ? 1 : 0, "G_PROLOGUE", 0, "EPILOGUE", 0, "MODE", mode + "u");
    }

    /**
     * Row gradient {@code rg}, computing {@code g} by its fused tree when it has one (bound in {@code g}'s place) and applying
     * fused group {@code epilogue} (null: none; the residual gradient's add, attention's scale) to {@code dx} before the
     * store, its externals bound after the kernel's operands ({@link RowGradient#operands}); the groups' indexing follows the
     * usual push constants, the tree's first.
     */
    static Kernel rowGradient(RowGradient rg, boolean subgroup, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        int mode = Lowering.mode(g.node(rg.root()).dtype());  // as the push constant says, but folded into the kernel
        if (rg.gTree() == null && epilogue == null) return rowGradient(rg.kind(), subgroup, mode);
        int operands = 1 + rg.operands().size();
        Map<String, String> generated = new HashMap<>();
        if (rg.gTree() != null) generated.put("row_prologue.glsl", Fusion.body(rg.gTree(), g, operands - rg.gTree().externals().size(), "p"));
        if (epilogue != null) generated.put("fused_body.glsl", Fusion.body(epilogue, g, operands));
        String src = Shaders.source("row_gradient.comp", Shaders.defines("KIND", rg.kind().ordinal(), "SUBGROUP", subgroup ? 1 : 0,
                "G_PROLOGUE", rg.gTree() == null ? 0 : 1, "PEXTERNALS", rg.gTree() == null ? 1 : Fusion.slots(rg.gTree()),
                "EPILOGUE", epilogue == null ? 0 : 1, "EXTERNALS", epilogue == null ? 1 : Fusion.slots(epilogue), "MODE", mode + "u"), generated);
        return new Kernel(rg.kind().label + GlslKernels.sg(subgroup) + "_fused_" + Fusion.digest(src), src,
                operands + (epilogue == null ? 0 : epilogue.externals().size()));
    }
}
