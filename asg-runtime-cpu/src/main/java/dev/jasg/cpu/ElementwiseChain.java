package dev.jasg.cpu;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.UnaryOp;

/**
 * One fused group of elementwise nodes ({@link Fusion}'s rule 5), run as a single pass over
 * memory: the group's result is computed a piece of at most {@link #PIECE} elements at a time,
 * every member evaluated over the piece in schedule order into small per-thread scratch rows
 * that stay in the L1 cache, the root's instruction writing the result. The operands from outside
 * the group (<b>externals</b>) are read through one {@link Strided} geometry over the result's
 * shape, so they may be the whole shape, a scalar, a bias row or a per-row column.
 *
 * <p>Each instruction runs the same row kernel the unfused node would
 * ({@link ElementwiseKernels#unaryRow}, {@link ElementwiseKernels#binaryRow},
 * {@link ElementwiseKernels#compareRow}, {@link ElementwiseKernels#whereRow}) on the same float
 * values, so the fused result is bit for bit the unfused one: NaN propagates as there, and runs are
 * deterministic (a piece's elements never depend on how the work is split over threads).
 *
 * <p>A run allocates nothing: the parallel loop body is this object, and the scratch rows are
 * per thread, made on a thread's first use. Not thread-safe: a plan's steps run under the
 * executable's lock, one run at a time.
 */
final class ElementwiseChain extends LoopStep {
    /** Elements computed per piece: a scratch row of floats per live intermediate value, a few KiB in all. */
    static final int PIECE = 512;

    /** A thread's scratch: rows for intermediate values and the externals' arrays and offsets, grown to the largest group. */
    private static final class Scratch {
        float[][] rows = new float[0][];
        float[][] ext = new float[0][];
        int[] base = new int[0];
        int[] stride = new int[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Instruction kinds. */
    enum Kind { UNARY, BINARY, COMPARE, WHERE }

    /**
     * One member's computation: {@code args} are slots ({@code >= 0}) or externals ({@code -1 - k});
     * {@code dst} is a slot, or -1 for the group's result; {@code store}, the node id of a sibling (a second output of the
     * chain, {@link Fusion}'s merged chains) whose buffer receives the slot's piece too, or -1.
     */
    record Instr(Kind kind, UnaryOp unary, double a, double b, BinaryOp binary, CompareOp compare, int[] args, int dst, int store) {
        Instr(Kind kind, UnaryOp unary, double a, double b, BinaryOp binary, CompareOp compare, int[] args, int dst) {
            this(kind, unary, a, b, binary, compare, args, dst, -1);
        }
    }

    private final int out;
    private final int[] externals;
    private final Strided geo;
    private final Instr[] code;
    private final int slots;
    /** Arrays of the plan read as externals: external {@code k} with {@code externals[k] = -1 - j} reads {@code own[j]}. */
    private final float[][] own;

    /**
     * @param out       the root's node id (its buffer receives the result)
     * @param externals node ids read from outside, in the order {@code args} number them
     * @param geo       the result's geometry, operand 0 the result and operand {@code 1 + k} external {@code k}
     * @param code      the members in schedule order, the root's last
     * @param slots     scratch rows the code uses
     */
    ElementwiseChain(int out, int[] externals, Strided geo, Instr[] code, int slots) {
        this(out, externals, geo, code, slots, new float[0][]);
    }

    /**
     * A chain that also reads arrays of the plan ({@code own}): an external {@code externals[k] = -1 - j} is
     * {@code own[j]} (a folded convolution's per-channel bias, {@link ConvFold}), read through its strides in {@code geo}
     * like any other.
     */
    ElementwiseChain(int out, int[] externals, Strided geo, Instr[] code, int slots, float[][] own) {
        super((int) geo.size(), minChunk(code));
        this.own = own;
        this.out = out;
        this.externals = externals;
        this.geo = geo;
        this.code = code;
        this.slots = slots;
    }

    /** The fewest elements a thread takes: the elementwise kernels split from PARALLEL_MIN elements of one cheap op; a chain of them pays sooner. */
    private static int minChunk(Instr[] code) {
        int cost = 0;
        for (Instr in : code) cost += in.kind() == Kind.UNARY && !cheap(in.unary()) ? 8 : 1;
        return Math.max(PIECE, ElementwiseKernels.PARALLEL_MIN / Math.max(1, cost));
    }

    private static boolean cheap(UnaryOp k) {
        return switch (k) {
            case NEG, ABS, RELU, LEAKY_RELU, CLAMP, SIGN -> true;
            default -> false;
        };
    }

    /** The node ids whose buffers receive a sibling's value as well as the root's ({@link Instr#store}), in code order. */
    int[] siblings() {
        return java.util.Arrays.stream(code).mapToInt(Instr::store).filter(x -> x >= 0).toArray();
    }

    /** The node id whose buffer receives the result. */
    int out() {
        return out;
    }

    /** The instructions, for tests. */
    int length() {
        return code.length;
    }

    @Override
    public void run(int from, int to) {
        float[][] values = values();
        Scratch t = SCRATCH.get();
        int nx = externals.length;
        if (t.rows.length < slots) {
            float[][] grown = java.util.Arrays.copyOf(t.rows, slots);
            for (int i = t.rows.length; i < slots; i++) grown[i] = new float[PIECE];
            t.rows = grown;
        }
        if (t.ext.length < nx) {
            t.ext = new float[nx][];
            t.base = new int[nx];
            t.stride = new int[nx];
        }
        float[][] scratch = t.rows, ext = t.ext;
        int[] base = t.base, stride = t.stride;
        float[] o = values[out];
        for (int k = 0; k < nx; k++) {
            ext[k] = externals[k] >= 0 ? values[externals[k]] : own[-1 - externals[k]];
            stride[k] = geo.innerStride(1 + k);
        }
        int len = geo.rowLength();
        int e = from;
        while (e < to) {
            int row = e / len, col = e - row * len, m = Math.min(Math.min(len - col, to - e), PIECE);
            for (int k = 0; k < nx; k++) base[k] = geo.offset(1 + k, row) + col * stride[k];
            for (Instr in : code) {
                float[] d = in.dst() < 0 ? o : scratch[in.dst()];
                int dOff = in.dst() < 0 ? e : 0;
                int[] args = in.args();
                int a0 = args[0];
                float[] x = a0 >= 0 ? scratch[a0] : ext[-1 - a0];
                int xo = a0 >= 0 ? 0 : base[-1 - a0], xs = a0 >= 0 ? 1 : stride[-1 - a0];
                switch (in.kind()) {
                    case UNARY -> {
                        if (xs == 1) {
                            ElementwiseKernels.unaryRow(in.unary(), in.a(), in.b(), x, xo, d, dOff, m);
                        } else {
                            // a broadcast operand: one value for the piece (xs == 0; Fusion admits no other stride)
                            ElementwiseKernels.unaryRow(in.unary(), in.a(), in.b(), x, xo, d, dOff, 1);
                            java.util.Arrays.fill(d, dOff + 1, dOff + m, d[dOff]);
                        }
                    }
                    case BINARY, COMPARE -> {
                        int a1 = args[1];
                        float[] y = a1 >= 0 ? scratch[a1] : ext[-1 - a1];
                        int yo = a1 >= 0 ? 0 : base[-1 - a1], ys = a1 >= 0 ? 1 : stride[-1 - a1];
                        if (in.kind() == Kind.BINARY) ElementwiseKernels.binaryRow(in.binary(), dev.jasg.core.DType.F32, x, xo, xs, y, yo, ys, d, dOff, m);
                        else ElementwiseKernels.compareRow(in.compare(), x, xo, xs, y, yo, ys, d, dOff, m);
                    }
                    case WHERE -> {
                        int a1 = args[1], a2 = args[2];
                        float[] y = a1 >= 0 ? scratch[a1] : ext[-1 - a1];
                        int yo = a1 >= 0 ? 0 : base[-1 - a1], ys = a1 >= 0 ? 1 : stride[-1 - a1];
                        float[] z = a2 >= 0 ? scratch[a2] : ext[-1 - a2];
                        int zo = a2 >= 0 ? 0 : base[-1 - a2], zs = a2 >= 0 ? 1 : stride[-1 - a2];
                        ElementwiseKernels.whereRow(x, xo, xs, y, yo, ys, z, zo, zs, d, dOff, m);
                    }
                }
                if (in.store() >= 0) System.arraycopy(d, dOff, values[in.store()], e, m);
            }
            e += m;
        }
        // no array of this run stays reachable from the thread's scratch
        java.util.Arrays.fill(ext, 0, nx, null);
    }
}
