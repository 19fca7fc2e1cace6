package dev.jasg.testkit;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.Backend;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * The NaN table: every op whose kernel compares or selects (relu, clamp, sign, maximum, max
 * reductions and pooling, arg-max, softmax...), and every other unary op, fed a NaN, must give NaN
 * exactly where PyTorch does, on every backend. A kernel written {@code x > 0 ? x : 0} turns NaN
 * into 0; this table is what catches it. Elements not reached by a NaN must stay finite.
 *
 * <p>Inputs are 37 wide so that the vector paths and their scalar tails are both crossed.
 */
public final class NanCases {
    /** Width of the fed rows: two 16-lane vectors and a 5-element tail. */
    static final int W = 37;

    private NanCases() {}

    /**
     * One row: builds the op from the fed {@code x} (and {@code y} when given), the feeds, and where
     * the result must be NaN; {@code expected}, when not null, is the exact result (for index results).
     */
    public record NanCase(String name, Function<List<Tensor>, Tensor> body, List<HostTensor> feeds, IntPredicate nanAt, double[] expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every row. */
    public static List<NanCase> all() {
        List<NanCase> rows = new ArrayList<>();
        // [3, 37], NaN at (1, 3), (1, 17) and (1, 36); every other value in (0.25, 2), inside every unary op's domain
        HostTensor x = matrix(3, W, 1, 3, 17, 36);
        IntPredicate nanSpots = i -> i == W + 3 || i == W + 17 || i == 2 * W - 1;
        IntPredicate row1 = i -> i >= W && i < 2 * W;
        for (UnaryOp k : UnaryOp.values()) {
            rows.add(new NanCase("unary " + k.label(), a -> unary(k, a.get(0)), List.of(x), nanSpots, null));
        }
        HostTensor finite = matrix(3, W, -1);
        for (BinaryOp k : BinaryOp.values()) {
            rows.add(new NanCase("binary " + k.label() + " (NaN left)", a -> binary(k, a.get(0), a.get(1)), List.of(x, finite), nanSpots, null));
            rows.add(new NanCase("binary " + k.label() + " (NaN right)", a -> binary(k, a.get(1), a.get(0)), List.of(x, finite), nanSpots, null));
        }
        // issue 14's composites select with where and mix ops; none may swallow a NaN (inputs moved into each domain)
        java.util.Map<String, java.util.function.UnaryOperator<Tensor>> composites = new java.util.LinkedHashMap<>();
        composites.put("tan", Tensor::tan);
        composites.put("asin", t -> t.mul(0.4).asin());
        composites.put("acos", t -> t.mul(0.4).acos());
        composites.put("atan", Tensor::atan);
        composites.put("sinh", Tensor::sinh);
        composites.put("cosh", Tensor::cosh);
        composites.put("asinh of both signs", t -> t.sub(1).asinh());
        composites.put("acosh", t -> t.add(1).acosh());
        composites.put("atanh", t -> t.mul(0.4).atanh());
        composites.put("ceil", Tensor::ceil);
        composites.put("trunc of both signs", t -> t.sub(1).trunc());
        composites.put("frac", Tensor::frac);
        composites.put("remainder (NaN left)", t -> t.remainder(t.scalarLike(-0.7)));
        composites.put("remainder (NaN right)", t -> t.scalarLike(1.3).remainder(t));
        composites.put("log2", Tensor::log2);
        composites.put("log10", Tensor::log10);
        composites.put("exp2", Tensor::exp2);
        composites.put("hypot", t -> t.hypot(t.scalarLike(0.5)));
        composites.put("lerp (NaN weight)", t -> t.scalarLike(1).lerp(t.scalarLike(3), t));
        for (var c : composites.entrySet()) {
            rows.add(new NanCase(c.getKey(), a -> c.getValue().apply(a.get(0)), List.of(x), nanSpots, null));
        }
        rows.add(new NanCase("nan_to_num (no NaN left)", a -> a.get(0).nanToNum(), List.of(x), i -> false, null));
        rows.add(new NanCase("relu after a matmul with bias (fused epilogue)",
                a -> a.get(0).matmul(a.get(1)).add(a.get(2)).relu(),
                List.of(x, matrix(W, 5, -1), matrix(1, 5, -1)), i -> i >= 5 && i < 10, null));
        rows.add(new NanCase("clamp_min (one-sided)", a -> a.get(0).clampMin(1), List.of(x), nanSpots, null));
        rows.add(new NanCase("leaky_relu of a negative NaN", a -> a.get(0).neg().leakyRelu(0.1), List.of(x), nanSpots, null));
        for (ReduceOp k : ReduceOp.values()) {
            rows.add(new NanCase("reduce " + k.label() + " over the row", a -> reduce(k, a.get(0), 1), List.of(x), i -> i == 1, null));
            rows.add(new NanCase("reduce " + k.label() + " over columns", a -> reduce(k, a.get(0), 0), List.of(x), i -> i == 3 || i == 17 || i == 36, null));
            rows.add(new NanCase("reduce " + k.label() + " over all", a -> reduce(k, a.get(0).reshape(-1), 0), List.of(x), i -> true, null));
        }
        // PyTorch's argmax and argmin treat NaN as the extreme: the first NaN's index
        for (ArgReduceOp k : ArgReduceOp.values()) {
            double[] want = {argBest(k, x, 0), 3, argBest(k, x, 2)};
            rows.add(new NanCase(k.label() + " picks the first NaN", a -> k == ArgReduceOp.ARGMAX ? a.get(0).argmax(1) : a.get(0).argmin(1),
                    List.of(x), i -> false, want));
        }
        rows.add(new NanCase("softmax", a -> a.get(0).softmax(1), List.of(x), row1, null));
        rows.add(new NanCase("log_softmax", a -> a.get(0).logSoftmax(1), List.of(x), row1, null));
        rows.add(new NanCase("normalize (layer norm)", a -> a.get(0).normalize(new int[] {1}, 1e-5), List.of(x), row1, null));
        rows.add(new NanCase("matmul", a -> a.get(0).matmul(a.get(1)), List.of(x, matrix(W, 4, -1)), i -> i >= 4 && i < 8, null));
        // fused attention: a NaN query spoils its own row only; under the causal mask a NaN key only the rows that see it (i >= 1)
        rows.add(new NanCase("attention, NaN query", a -> a.get(0).builder().apply(new dev.jasg.core.Op.Attention(0.1, false), a.get(0), a.get(1), a.get(2)),
                List.of(x, matrix(5, W, -1), matrix(5, 4, -1)), i -> i >= 4 && i < 8, null));
        rows.add(new NanCase("attention causal, NaN key", a -> a.get(0).builder().apply(new dev.jasg.core.Op.Attention(0.1, true), a.get(1), a.get(0), a.get(2)),
                List.of(x, matrix(3, W, -1), matrix(3, 4, -1)), i -> i >= 4, null));
        // rounding to half keeps NaN (the bits of a NaN rounded like a number would be an infinity or a wrong NaN)
        for (DType h : new DType[] {DType.F16, DType.BF16}) {
            rows.add(new NanCase("cast to " + h.label() + " and back", a -> a.get(0).cast(h).cast(DType.F32), List.of(x), nanSpots, null));
            rows.add(new NanCase(h.label() + " arithmetic", a -> a.get(0).cast(h).mul(a.get(0).cast(h)).softmax(1).cast(DType.F32), List.of(x), row1, null));
            rows.add(new NanCase(h.label() + " matmul", a -> a.get(0).cast(h).matmul(a.get(1).cast(h)), List.of(x, matrix(W, 4, -1)), i -> i >= 4 && i < 8, null));
        }
        // one image [1, 1, 6, 6] with NaN at (2, 3)
        HostTensor img = image(6, 6, 2, 3);
        rows.add(new NanCase("max_pool2d 2x2 stride 2", a -> a.get(0).maxPool2d(PoolWindow.Fixed.of(2, 2, 0)), List.of(img),
                i -> i == 1 * 3 + 1, null));
        rows.add(new NanCase("max_pool2d 3x3 stride 1 (overlapping)", a -> a.get(0).maxPool2d(PoolWindow.Fixed.of(3, 1, 0)), List.of(img),
                i -> { int r = i / 4, c = i % 4; return r <= 2 && r >= 0 && c >= 1 && c <= 3; }, null));
        rows.add(new NanCase("conv2d 3x3 padding 1", a -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)),
                List.of(img, filled(Shape.of(1, 1, 3, 3), 0.5)),
                i -> { int r = i / 6, c = i % 6; return Math.abs(r - 2) <= 1 && Math.abs(c - 3) <= 1; }, null));
        return rows;
    }

    /** Runs a row on {@code backend} and checks where the result is NaN (and, for index results, its values). */
    public static void check(Backend backend, NanCase row) {
        GraphBuilder g = new GraphBuilder();
        List<Tensor> args = new ArrayList<>();
        for (int i = 0; i < row.feeds().size(); i++) {
            HostTensor f = row.feeds().get(i);
            args.add(g.input("in" + i, DType.F32, f.shape()));
        }
        g.output("y", row.body().apply(args));
        java.util.Map<String, HostTensor> feeds = new java.util.LinkedHashMap<>();
        for (int i = 0; i < row.feeds().size(); i++) feeds.put("in" + i, row.feeds().get(i));
        try (Executable e = backend.compile(g.build())) {
            HostTensor y = e.run(feeds).get("y");
            for (int i = 0; i < y.size(); i++) {
                double v = y.get(i);
                if (row.expected() != null) {
                    if (v != row.expected()[i]) {
                        throw new AssertionError(row.name() + " on " + backend.name() + ": element " + i + " = " + v + ", PyTorch gives " + row.expected()[i]);
                    }
                } else if (row.nanAt().test(i) != Double.isNaN(v)) {
                    throw new AssertionError(row.name() + " on " + backend.name() + ": element " + i + " = " + v
                            + (row.nanAt().test(i) ? ", expected NaN (a NaN input must propagate)" : ", expected a number (no NaN reaches it)"));
                }
            }
        }
    }

    private static Tensor unary(UnaryOp k, Tensor x) {
        return switch (k) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case SIGN -> x.sign();
            case EXP -> x.exp();
            case EXPM1 -> x.expm1();
            case LOG -> x.log();
            case LOG1P -> x.log1p();
            case SQRT -> x.sqrt();
            case RSQRT -> x.rsqrt();
            case SIN -> x.sin();
            case COS -> x.cos();
            case ERF -> x.erf();
            case RELU -> x.relu();
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case GELU -> x.gelu();
            case GELU_TANH -> x.gelu("tanh");
            case GELU_DERIVATIVE -> x.geluDerivative();
            case GELU_TANH_DERIVATIVE -> x.geluDerivative("tanh");
            case SILU -> x.silu();
            case SOFTPLUS -> x.softplus();
            case ELU -> x.elu();
            case LEAKY_RELU -> x.leakyRelu();
            case CLAMP -> x.clamp(0.5, 1.5);
            case FLOOR -> x.floor();
            case ROUND -> x.round();
        };
    }

    private static Tensor binary(BinaryOp k, Tensor x, Tensor y) {
        return switch (k) {
            case ADD -> x.add(y);
            case SUB -> x.sub(y);
            case MUL -> x.mul(y);
            case DIV -> x.div(y);
            case POW -> x.abs().pow(y);
            case MAXIMUM -> x.maximum(y);
            case MINIMUM -> x.minimum(y);
            case ATAN2 -> x.atan2(y);
            case FMOD -> x.fmod(y);
        };
    }

    private static Tensor reduce(ReduceOp k, Tensor x, int axis) {
        return switch (k) {
            case SUM -> x.sum(axis);
            case MEAN -> x.mean(axis);
            case MAX -> x.max(axis, false);
            case MIN -> x.min(axis, false);
        };
    }

    private static double argBest(ArgReduceOp k, HostTensor x, int row) {
        int best = 0;
        for (int j = 1; j < W; j++) {
            double v = x.get(row * W + j), b = x.get(row * W + best);
            if (k == ArgReduceOp.ARGMAX ? v > b : v < b) best = j;
        }
        return best;
    }

    /** A [rows, cols] matrix of values in (0.25, 2) (or (-2, 2) when {@code nanRow} is -1, then without NaN). */
    private static HostTensor matrix(int rows, int cols, int nanRow, int... nanCols) {
        double[] v = new double[rows * cols];
        java.util.SplittableRandom r = new java.util.SplittableRandom(rows * 131L + cols);
        for (int i = 0; i < v.length; i++) v[i] = (float) (nanRow < 0 ? -2 + 4 * r.nextDouble() : 0.25 + 1.75 * r.nextDouble());
        for (int c : nanCols) v[nanRow * cols + c] = Double.NaN;
        return HostTensor.fromDoubles(DType.F32, Shape.of(rows, cols), v);
    }

    private static HostTensor image(int h, int w, int nanR, int nanC) {
        double[] v = new double[h * w];
        for (int i = 0; i < v.length; i++) v[i] = (float) (((i * 7919) % 23) / 11.0 - 1);
        v[nanR * w + nanC] = Double.NaN;
        return HostTensor.fromDoubles(DType.F32, Shape.of(1, 1, h, w), v);
    }

    private static HostTensor filled(Shape s, double value) {
        double[] v = new double[s.sizeInt()];
        java.util.Arrays.fill(v, value);
        return HostTensor.fromDoubles(DType.F32, s, v);
    }
}
