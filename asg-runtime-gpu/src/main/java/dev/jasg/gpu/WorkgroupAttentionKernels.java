package dev.jasg.gpu;

import dev.jasg.core.DType;
import java.util.Locale;

/**
 * Fused attention on workgroup-scope tensor-core matrices ({@code attention_wg.comp}, {@code VK_NV_cooperative_matrix2}
 * with its reductions, conversions and per-element operations): for f16 and bf16 operands, every block of scores is a
 * 16-bit product with f32 accumulation, the weights are formed on the accumulator and converted to 16 bits for the
 * second product, like the composite graph's autocast rounds the weights before their product. One kernel per
 * {@link AttentionKernels.Kind}, a workgroup of the device's listed invocations per {@code 64}-row block of one batch
 * matrix. Head dimensions {@code E}, {@code Ev} must be multiples of 32 up to 128 ({@link #fits}); others, f32
 * operands and devices without the extension take {@link AttentionKernels}. System property {@value #PROPERTY}
 * {@code =false} turns these kernels off (read when a plan is lowered). Stateless; thread-safe.
 */
final class WorkgroupAttentionKernels {
    /** System property: {@code false} runs half attention on the f32 blocked kernels instead. */
    static final String PROPERTY = "jasg.vulkan.attention.coopmat2";
    /** System property naming the block as {@code BRxBC} (own rows x the other axis' rows a step), for measuring on a device. */
    static final String TILE_PROPERTY = "jasg.vulkan.attention.wgTile";

    /** A workgroup's own {@code br} rows and the {@code bc} rows of the other axis it takes a step. */
    record Tile(int br, int bc) {
        Tile {
            if (br <= 0 || bc <= 0) throw new IllegalArgumentException("attention block " + br + "x" + bc);
        }
    }

    /**
     * The block: {@value #TILE_PROPERTY}'s, else 128x64 (the GPT-2-small-sized bf16 step on the H200 with fused attention:
     * 82.5k tokens/s, against 80.2k with 64x64, 82.1k with 128x32, 78.3k with 64x128 and 75.7k with 128x128).
     */
    static Tile tile() {
        String p = System.getProperty(TILE_PROPERTY);
        if (p == null || p.isBlank()) return new Tile(128, 64);
        String[] x = p.trim().split("x");
        if (x.length != 2) throw new IllegalArgumentException(TILE_PROPERTY + ": expected BRxBC, got '" + p + "'");
        return new Tile(Integer.parseInt(x[0]), Integer.parseInt(x[1]));
    }

    private WorkgroupAttentionKernels() {}

    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /** Whether head dimensions {@code e}, {@code ev} of {@code operand}s run here on a device offering {@code w}. */
    static boolean fits(CoopMatrix.Workgroup w, DType operand, int e, int ev) {
        Tile t = tile();
        return w != null && w.attention() && w.supports(operand) && e % 32 == 0 && ev % 32 == 0 && e > 0 && ev > 0 && e <= 128 && ev <= 128
                && t.br() % w.mGranularity() == 0 && t.bc() % w.nGranularity() == 0 && t.bc() % w.kGranularity() == 0
                && e % w.nGranularity() == 0 && ev % w.nGranularity() == 0 && e % w.kGranularity() == 0;
    }

    static Kernel kernel(AttentionKernels.Kind kind, DType operand, int e, int ev, int invocations) {
        return kernel(kind, operand, e, ev, invocations, tile());
    }

    static Kernel kernel(AttentionKernels.Kind kind, DType operand, int e, int ev, int invocations, Tile t) {
        int k = switch (kind) {
            case STATS -> 0;
            case FORWARD -> 1;
            case GRAD_Q -> 2;
            case GRAD_K -> 3;
            case GRAD_V -> 4;
        };
        String name = String.format(Locale.ROOT, "%s_wg_%s_%dx%d_%d_%dx%d", kind.label, operand.label(), e, ev, invocations, t.br(), t.bc());
        return GlslKernels.kernel(name, "attention_wg.comp", 7, "KIND", k, "BF16", operand == DType.BF16 ? 1 : 0, "BR", t.br(), "BC", t.bc(),
                "E", e, "EV", ev, "THREADS", invocations);
    }
}
