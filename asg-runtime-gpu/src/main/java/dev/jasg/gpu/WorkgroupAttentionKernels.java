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
    /** Rows of a workgroup's own block, and of the blocks it walks. */
    static final int BLOCK = 64;

    private WorkgroupAttentionKernels() {}

    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /** Whether head dimensions {@code e}, {@code ev} of {@code operand}s run here on a device offering {@code w}. */
    static boolean fits(CoopMatrix.Workgroup w, DType operand, int e, int ev) {
        return w != null && w.attention() && w.supports(operand) && e % 32 == 0 && ev % 32 == 0 && e > 0 && ev > 0 && e <= 128 && ev <= 128
                && BLOCK % w.mGranularity() == 0 && BLOCK % w.nGranularity() == 0 && BLOCK % w.kGranularity() == 0
                && e % w.nGranularity() == 0 && ev % w.nGranularity() == 0 && e % w.kGranularity() == 0;
    }

    static Kernel kernel(AttentionKernels.Kind kind, DType operand, int e, int ev, int invocations) {
        int k = switch (kind) {
            case STATS -> 0;
            case FORWARD -> 1;
            case GRAD_Q -> 2;
            case GRAD_K -> 3;
            case GRAD_V -> 4;
        };
        String name = String.format(Locale.ROOT, "%s_wg_%s_%dx%d_%d", kind.label, operand.label(), e, ev, invocations);
        return GlslKernels.kernel(name, "attention_wg.comp", 7, "KIND", k, "BF16", operand == DType.BF16 ? 1 : 0, "BR", BLOCK, "BC", BLOCK,
                "E", e, "EV", ev, "THREADS", invocations);
    }
}
