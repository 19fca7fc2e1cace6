package dev.jasg.gpu;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.UnaryOp;

/**
 * The elementwise, data-movement and reduction kernels: one shader file per kind
 * ({@code src/main/resources/dev/jasg/gpu/shaders/*.comp}, see {@link Shaders}) with the op's scalar
 * expression filled in by a {@code #define}. Sizes, strides and the
 * output rounding mode arrive as push constants, so there is one shader per op kind, not
 * per shape. Every tensor is stored as 32-bit float; integer and boolean results are
 * rounded on store ({@code mode} 1 truncates toward zero, 2 maps to x != 0), matching
 * {@link dev.jasg.core.DType#round}.
 *
 * <p>Flat kernels run 256 invocations per workgroup over a 2-D grid of workgroups (the
 * grid's x extent is capped by the device). The cooperative reductions use subgroup shuffles where the
 * device has them, but their results do not depend on the subgroup size ({@code cooperative.glsl}).
 */
final class GlslKernels {
    /** Highest rank a strided kernel takes after adjacent axes are merged. */
    static final int MAX_RANK = 6;
    /** Highest number of kept or reduced axis groups a reduction takes after merging. */
    static final int MAX_REDUCE_GROUPS = 4;
    /** Invocations per workgroup of the flat kernels. */
    static final int GROUP = 256;

    /**
     * Elements an invocation of the flat elementwise kernels computes ({@code unary.comp}, {@code binary.comp},
     * {@code fused.comp}: define {@code ELEMS}, 256 apart): property {@code jasg.vulkan.flatElements}, 1, 2 or 4 (the
     * default). With one element an invocation a kernel has one load of each operand in flight a thread, too few to keep a
     * large GPU's memory busy: on an H100 GELU over {@code [8192, 3072]} ran 0.106 ms with one (1.9 TB/s), 0.090 with four,
     * beside PyTorch's four-element kernel's 0.066 ms.
     */
    static final int ELEMENTS = elements(System.getProperty("jasg.vulkan.flatElements", "4"));

    static int elements(String v) {
        int e;
        try {
            e = Integer.parseInt(v.trim());
        } catch (NumberFormatException x) {
            throw new IllegalArgumentException("jasg.vulkan.flatElements must be 1, 2 or 4, got '" + v + "'");
        }
        if (e != 1 && e != 2 && e != 4) throw new IllegalArgumentException("jasg.vulkan.flatElements must be 1, 2 or 4, got " + e);
        return e;
    }

    /** Workgroups of a flat kernel of {@code elements} elements an invocation over {@code count} elements. */
    static long flatGroups(long count, int elements) {
        return (count + (long) GROUP * elements - 1) / ((long) GROUP * elements);
    }

    private GlslKernels() {}

    /** GLSL expression of {@code kind} over {@code x} with parameters {@code a}, {@code b}. */
    static String unaryExpression(UnaryOp kind) {
        return switch (kind) {
            case NEG -> "-x";
            case ABS -> "abs(x)";
            case SIGN -> "isNaN(x) ? x : sign(x)";  // GLSL leaves sign(NaN) undefined; PyTorch gives NaN
            case EXP -> "exp(x)";
            case EXPM1 -> "expm1f(x)";
            case LOG -> "logf(x)";
            case LOG1P -> "log1pf(x)";
            case SQRT -> "sqrt(x)";
            case RSQRT -> "1.0 / sqrt(x)";
            case SIN -> "sinf(x)";
            case COS -> "cosf(x)";
            case ERF -> "erff(x)";
            case RELU -> "x > 0.0 || isNaN(x) ? x : 0.0";  // NaN stays NaN, as in PyTorch
            case SIGMOID -> "sigmoidf(x)";
            case TANH -> "tanhf(x)";
            case GELU -> "0.5 * x * (1.0 + erff(x * 0.70710678118654752))";
            case GELU_TANH -> "0.5 * x * (1.0 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))";
            case GELU_DERIVATIVE -> "0.5 * (1.0 + erff(x * 0.70710678118654752)) + x * exp(-0.5 * x * x) * 0.39894228040143268";
            case GELU_TANH_DERIVATIVE -> "geluTanhDerivf(x)";
            case SILU -> "x * sigmoidf(x)";
            case SOFTPLUS -> "a * x > b ? x : log1pf(exp(a * x)) / a";
            case ELU -> "x > 0.0 ? x : a * expm1f(x)";
            case LEAKY_RELU -> "x > 0.0 ? x : a * x";
            case CLAMP -> "isNaN(x) ? x : min(max(x, a), b)";
            case FLOOR -> "floor(x)";
            case ROUND -> "roundEven(x)";
        };
    }

    static String binaryExpression(BinaryOp kind) {
        return switch (kind) {
            case ADD -> "x + y";
            case SUB -> "x - y";
            case MUL -> "x * y";
            case DIV -> "x / y";
            case POW -> "powf(x, y)";
            case MAXIMUM -> "isNaN(x) || isNaN(y) ? NAN : max(x, y)";
            case MINIMUM -> "isNaN(x) || isNaN(y) ? NAN : min(x, y)";
            case ATAN2 -> "atan2f(x, y)";
            case FMOD -> "fmodf(x, y)";
        };
    }

    static String compareExpression(CompareOp kind) {
        String c = switch (kind) {
            // on the bits' NaN test: a compiler may fold x != x to false (NVIDIA's does in a fused kernel, where isnan's
            // two operands are one value), and IEEE's NaN != NaN is what torch.isnan relies on
            case EQ -> "!isNaN(x) && !isNaN(y) && x == y";
            case NE -> "isNaN(x) || isNaN(y) || x != y";
            case LT -> "x < y";
            case LE -> "x <= y";
            case GT -> "x > y";
            case GE -> "x >= y";
        };
        return "(" + c + ") ? 1.0 : 0.0";
    }

    /** {@code o[i] = rnd(f(x[i]; a, b))} over {@code n} contiguous elements ({@code unary.comp}). Push: n, mode, a, b. */
    static Kernel unary(UnaryOp kind) {
        return kernel("unary_" + kind.label(), "unary.comp", 2, "EXPR", "(" + unaryExpression(kind) + ")", "ELEMS", ELEMENTS + "u");
    }

    /**
     * {@code o[i] = rnd(f(x[bx(i)], y[by(i)]))} where {@code bx}, {@code by} read the operands through broadcast
     * strides ({@code binary.comp}). Push: n, mode, rank, dims[6], sx[6], sy[6].
     */
    static Kernel binary(String name, String expression) {
        return kernel(name, "binary.comp", 3, "EXPR", "(" + expression + ")", "ELEMS", ELEMENTS + "u");
    }

    /** {@code o[i] = m[bm(i)] != 0 ? a[ba(i)] : b[bb(i)]} ({@code where.comp}). */
    static Kernel where() {
        return kernel("where", "where.comp", 4);
    }

    /**
     * Strided copy ({@code copy.comp}): serves expand, permute, slice, slice-scatter, concat and cast.
     * Push: n, mode, rank, so, do, dims[6], ss[6], ds[6].
     */
    static Kernel copy() {
        return kernel("copy", "copy.comp", 2);
    }

    /** The strided copy in units of four floats ({@code copy.comp} with {@code VEC4}): dims, strides and offsets in those units. */
    static Kernel copy4() {
        return kernel("copy4", "copy.comp", 2, "VEC4", 1);
    }

    /**
     * The invocations of a workgroup fold the {@code R} elements of one or more outputs ({@code reduce.comp},
     * {@link Cooperation}); {@code subgroup}: the butterfly's short distances by subgroup shuffles.
     * Push: nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4], mode, tpoBits, lo.
     */
    static Kernel reduce(ReduceOp kind, boolean subgroup) {
        return kernel("reduce_" + kind.label() + sg(subgroup), "reduce.comp", 2, reduceDefines(kind, subgroup, 0, 1));
    }

    /** The reduction whose elements fused group {@code prologue} computes ({@link Fusion}), its externals from binding 1 on. */
    static Kernel reduce(ReduceOp kind, boolean subgroup, Fusion.Group prologue, dev.jasg.core.Graph g) {
        String src = Shaders.source("reduce.comp", Shaders.defines(reduceDefines(kind, subgroup, 1, Fusion.slots(prologue))),
                java.util.Map.of("fused_body.glsl", Fusion.body(prologue, g, 1)));
        return new Kernel("reduce_" + kind.label() + sg(subgroup) + "_prologue_" + Fusion.digest(src), src, 1 + prologue.externals().size());
    }

    private static Object[] reduceDefines(ReduceOp kind, boolean subgroup, int prologue, int externals) {
        String identity = switch (kind) {
            case SUM, MEAN -> "0.0";
            case MAX -> "(-INF)";
            case MIN -> "INF";
        };
        String combine = switch (kind) {
            case SUM, MEAN -> "((acc) + (v))";
            case MAX -> "(isNaN(acc) ? (acc) : (isNaN(v) || (v) > (acc) ? (v) : (acc)))";
            case MIN -> "(isNaN(acc) ? (acc) : (isNaN(v) || (v) < (acc) ? (v) : (acc)))";
        };
        String finish = kind == ReduceOp.MEAN ? "((acc) / float(pc.R))" : "(acc)";
        return new Object[] {"IDENTITY", identity, "COMBINE(acc, v)", combine, "FINISH(acc)", finish, "SUBGROUP", subgroup ? 1 : 0, "PROLOGUE", prologue,
                "EXTERNALS", externals};
    }

    /** One invocation per lane keeps the first best index ({@code arg_reduce.comp}). Push: lanes, len, inner. */
    static Kernel argReduce(ArgReduceOp kind) {
        return kernel(kind.label(), "arg_reduce.comp", 2, "CMP", kind == ArgReduceOp.ARGMAX ? ">" : "<");
    }

    /**
     * The invocations serving a lane ({@link Cooperation}) find its max, then its sum of exponentials, then write
     * the normalised values ({@code softmax.comp}). Push: lanes, len, inner, tpoBits, lo.
     */
    static Kernel softmax(boolean log, boolean subgroup) {
        return softmax(log, subgroup, false);
    }

    /** {@code softmax.comp}; {@code vec4}: over contiguous rows whose length is a multiple of 4, four elements a load ({@code VEC4}). */
    static Kernel softmax(boolean log, boolean subgroup, boolean vec4) {
        return kernel((log ? "log_softmax" : "softmax") + sg(subgroup) + (vec4 ? "_vec4" : ""), "softmax.comp", 2, "LOG_SOFTMAX", log ? 1 : 0,
                "SUBGROUP", subgroup ? 1 : 0, "VEC4", vec4 ? 1 : 0);
    }

    /**
     * Whether softmax and log-softmax over contiguous rows whose length is a multiple of 4 read and write four elements at a
     * time (property {@code jasg.vulkan.softmaxVec4}, default on; {@code false} to compare).
     */
    static boolean softmaxVec4() {
        return !"false".equalsIgnoreCase(System.getProperty("jasg.vulkan.softmaxVec4"));
    }

    /** The name suffix of a kernel variant using subgroup shuffles. */
    static String sg(boolean subgroup) {
        return subgroup ? "_sg" : "";
    }

    /** A kernel from a shader file and its defines (name, value pairs). */
    static Kernel kernel(String name, String file, int buffers, Object... defines) {
        return new Kernel(name, Shaders.source(file, Shaders.defines(defines)), buffers);
    }

    /**
     * The epilogue variant of a product kernel ({@code name} from {@code file} with {@code defines}, three buffers: C, A, B):
     * {@code EPILOGUE} 1 and {@code EXTERNALS} added, fused group {@code epilogue}'s body as {@code fused_body.glsl} with its
     * externals bound from binding 3 on; named after the source's digest.
     */
    static Kernel epilogue(String name, String file, Object[] defines, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        Object[] all = with(with(defines, "EPILOGUE", 1), "EXTERNALS", Fusion.slots(epilogue));
        String src = Shaders.source(file, Shaders.defines(all), java.util.Map.of("fused_body.glsl", Fusion.body(epilogue, g, 3)));
        return new Kernel(name + "_epilogue_" + Fusion.digest(src), src, 3 + epilogue.externals().size());
    }

    /** {@code defines} (name, value pairs) with {@code name = value} added. */
    static Object[] with(Object[] defines, String name, Object value) {
        Object[] r = java.util.Arrays.copyOf(defines, defines.length + 2);
        r[defines.length] = name;
        r[defines.length + 1] = value;
        return r;
    }
}
