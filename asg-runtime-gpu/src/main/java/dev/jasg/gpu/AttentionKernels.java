package dev.jasg.gpu;

import java.util.Locale;

/**
 * The fused attention kernels ({@link dev.jasg.core.Op.Attention}, {@link dev.jasg.core.Op.AttentionStats},
 * {@link dev.jasg.core.Op.AttentionGrad}), FlashAttention-style: the {@code [Lq, Lk]} scores are recomputed per block
 * in registers and shared memory and never stored ({@code attention.glsl} and the {@code attention*.comp} files).
 * A workgroup of 256 invocations owns a block of {@code BR} rows (queries, or keys for the key and value gradients) and
 * walks the other axis in blocks of {@code BC}, the operands staged {@code D} columns at a time; every invocation holds a
 * {@code BR/16 x BC/16} tile of scores and a {@code BR/16 x D/16} tile of its output (vec4s of adjacent columns), whose
 * {@code D}-wide column chunk is the workgroup's z (so any {@code E}, {@code Ev} works: longer rows take more chunks, recomputing the scores).
 * Every tensor is stored as f32 words on this backend (half dtypes hold values rounded to the type), so one set of
 * kernels serves F32, F16 and BF16 operands (the float dtypes this backend stores; it refuses F64 graphs); the results are f32.
 * Deterministic: fixed summation orders, no atomics. The gradients read {@code delta = rowsum(g o)} from
 * {@code attention_delta.comp}, written into the plan's workspace first.
 *
 * <p>Tiles: forward and statistics {@code 64x32x64} ({@code BRxBCxD}) when {@code E, Ev <= 64}, else {@code 32x32x128};
 * gradients {@code 32x64x64}, else {@code 16x32x128} (all within the H200's 48 KiB); each halved ({@code BC}, then
 * {@code BR}, then {@code D}, to 16, 16 and 64) until it fits the device's shared memory (lavapipe's 32 KiB takes
 * {@code 64x16x64} forward). {@code BR} and {@code BC} are multiples of 16, {@code D} of 64. The system properties {@value #TILES_PROPERTY} (forward and statistics) and
 * {@value #GRAD_TILES_PROPERTY} (gradients), as {@code BRxBCxD}, name the one tile to use instead, for tuning on a device.
 *
 * <p>Stateless; thread-safe.
 */
final class AttentionKernels {
    /** System property overriding the forward and statistics tile as {@code BRxBCxD}. */
    static final String TILES_PROPERTY = "jasg.vulkan.attention.tiles";
    /** System property overriding the gradients' tile as {@code BRxBCxD}. */
    static final String GRAD_TILES_PROPERTY = "jasg.vulkan.attention.gradTiles";
    /** Push-constant ints of the blocked kernels: batch, Lq, Lk, E, Ev, own blocks, causal, scale (float bits). */
    static final int PUSH = 8;

    /** Which kernel: the forward, the statistics, or the gradient of q, k or v. */
    enum Kind {
        FORWARD("attention", 4), STATS("attention_stats", 3), GRAD_Q("attention_grad_q", 7), GRAD_K("attention_grad_k", 7),
        GRAD_V("attention_grad_v", 5);

        final String label;
        /** Storage buffers bound, the output first. */
        final int buffers;

        Kind(String label, int buffers) {
            this.label = label;
            this.buffers = buffers;
        }

        boolean gradient() {
            return this == GRAD_Q || this == GRAD_K || this == GRAD_V;
        }

        /** Own-block operands resident in shared memory. */
        int rowOperands() {
            return this == GRAD_Q || this == GRAD_K ? 2 : 1;
        }
    }

    /** A tile: {@code BR} own rows and {@code BC} columns per block, operands staged {@code D} columns at a time. */
    record Tiles(int br, int bc, int d) {
        Tiles {
            if (br < 16 || bc < 16 || d < 64 || br % 16 != 0 || bc % 16 != 0 || d % 64 != 0) {
                throw new IllegalArgumentException("attention tile " + br + "x" + bc + "x" + d + ": BR and BC must be positive multiples of 16, D of 64");
            }
        }

        /** Shared memory of a workgroup of {@code kind}: resident rows, the staged chunk, the weights (rows padded by 4) and the row reductions. */
        int sharedBytes(Kind kind) {
            return 4 * (kind.rowOperands() * br * (d + 4) + bc * (d + 4) + br * (bc + 4) + (kind.gradient() ? 0 : br * 16));
        }

        /** Parses {@code BRxBCxD}. */
        static Tiles parse(String property, String s) {
            String[] p = s.trim().split("x");
            if (p.length != 3) throw new IllegalArgumentException(property + ": expected BRxBCxD, got '" + s + "'");
            try {
                return new Tiles(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
            }
        }
    }

    private AttentionKernels() {}

    /**
     * The tile for {@code kind} over head dimensions {@code e}, {@code ev} on a device with {@code maxSharedBytes} of shared
     * memory: the property's when set (an error when it does not fit), else the default for the dimensions, halved until it fits.
     */
    static Tiles tiles(Kind kind, int e, int ev, int maxSharedBytes) {
        String property = kind.gradient() ? GRAD_TILES_PROPERTY : TILES_PROPERTY;
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) {
            Tiles t = Tiles.parse(property, p);
            if (t.sharedBytes(kind) > maxSharedBytes) {
                throw new IllegalArgumentException(property + ": tile " + p + " needs " + t.sharedBytes(kind) + " bytes of shared memory for "
                        + kind.label + ", the device has " + maxSharedBytes);
            }
            return t;
        }
        boolean wide = Math.max(e, ev) > 64 && Math.max(e, ev) <= 128;
        Tiles t = kind.gradient() ? (wide ? new Tiles(16, 32, 128) : new Tiles(32, 64, 64)) : (wide ? new Tiles(32, 32, 128) : new Tiles(64, 32, 64));
        while (t.sharedBytes(kind) > maxSharedBytes) {
            if (t.bc() > 16) t = new Tiles(t.br(), t.bc() / 2, t.d());
            else if (t.br() > 16) t = new Tiles(t.br() / 2, t.bc(), t.d());
            else if (t.d() > 64) t = new Tiles(t.br(), t.bc(), t.d() / 2);
            else throw new IllegalStateException("no attention tile fits " + maxSharedBytes + " bytes of shared memory");
        }
        return t;
    }

    /** The kernel of {@code kind} for tile {@code t}. */
    static Kernel kernel(Kind kind, Tiles t) {
        String name = String.format(Locale.ROOT, "%s_%dx%dx%d", kind.label, t.br(), t.bc(), t.d());
        Object[] tile = {"BR", t.br() + "u", "BC", t.bc() + "u", "D", t.d() + "u"};
        return switch (kind) {
            case FORWARD -> GlslKernels.kernel(name, "attention.comp", kind.buffers, GlslKernels.with(tile, "STATS", 0));
            case STATS -> GlslKernels.kernel(name, "attention.comp", kind.buffers, GlslKernels.with(tile, "STATS", 1));
            case GRAD_Q -> GlslKernels.kernel(name, "attention_grad_q.comp", kind.buffers, tile);
            case GRAD_K -> GlslKernels.kernel(name, "attention_grad_kv.comp", kind.buffers, GlslKernels.with(tile, "WRT", 1));
            case GRAD_V -> GlslKernels.kernel(name, "attention_grad_kv.comp", kind.buffers, GlslKernels.with(tile, "WRT", 2));
        };
    }

    /** {@code delta = rowsum(g o)}, 16 rows a workgroup. Bindings: delta, o, g. Push: rows, Ev. */
    static Kernel delta() {
        return GlslKernels.kernel("attention_delta", "attention_delta.comp", 3);
    }
}
