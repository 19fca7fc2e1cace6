package dev.jasg.testkit;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Ints;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;
import dev.jasg.core.Backend;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Every op kind on small tensors (rank 0 to 4, broadcasting, a symbolic batch fed at two sizes, so that an executable
 * makes a second plan), run on a device backend and on the reference interpreter: the table the Vulkan and OpenCL
 * backends share ({@code OpsAgainstReferenceTest} in each).
 *
 * <p>Stateless; each check builds and closes its own executables.
 */
public final class SmallOpCases {
    private SmallOpCases() {}

    /** A graph whose output "y" is built by {@code body}; batch sizes to feed for the symbol "B". */
    public record Case(String name, Function<GraphBuilder, Tensor> body, int... batches) {}

    static Tensor in(GraphBuilder b, String name, Object... dims) {
        return b.input(name, DType.F32, Shape.symbolic(dims));
    }

    static Tensor positive(GraphBuilder b, String name, Object... dims) {
        return in(b, name, dims).abs().add(0.25);
    }

    /** Every case, in table order. */
    public static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        for (UnaryOp u : UnaryOp.values()) {
            boolean needsPositive = u == UnaryOp.LOG || u == UnaryOp.SQRT || u == UnaryOp.RSQRT || u == UnaryOp.LOG1P;
            double a = switch (u) {
                case SOFTPLUS -> 1.5;
                case ELU -> 0.7;
                case LEAKY_RELU -> 0.1;
                case CLAMP -> -0.5;
                default -> 0;
            };
            double bb = u == UnaryOp.SOFTPLUS ? 2 : u == UnaryOp.CLAMP ? 0.75 : 0;
            cs.add(new Case("unary " + u.label(), b -> b.apply(new Op.Unary(u, a, bb),
                    needsPositive ? positive(b, "x", "B", 3, 4) : in(b, "x", "B", 3, 4)), 2));
        }
        for (BinaryOp k : BinaryOp.values()) {
            cs.add(new Case("binary " + k.label(), b -> b.apply(new Op.Binary(k),
                    k == BinaryOp.POW ? positive(b, "x", 2, 1, 4) : in(b, "x", 2, 1, 4),
                    k == BinaryOp.DIV ? positive(b, "y", 3, 1) : in(b, "y", 3, 1))));
        }
        cs.add(new Case("pow of negative base with integer exponents", b -> in(b, "x", 5).pow(b.constant(HostTensor.of(new float[] {2, 3, 0, -1, 1}, 5)))));
        for (CompareOp k : CompareOp.values()) {
            cs.add(new Case("compare " + k.label(), b -> b.apply(new Op.Compare(k), in(b, "x", 4, 3).mul(2).cast(DType.I32).cast(DType.F32),
                    in(b, "y", 3).mul(2).cast(DType.I32).cast(DType.F32)).cast(DType.F32)));
        }
        cs.add(new Case("where broadcast", b -> Tensor.where(in(b, "m", 3, 1).gt(0), in(b, "a", 4), in(b, "c", 2, 1, 1))));
        for (ReduceOp k : ReduceOp.values()) {
            cs.add(new Case(k.label() + " all", b -> b.apply(new Op.Reduce(k, Ints.of(0, 1, 2), false), in(b, "x", "B", 5, 7)), 3));
            cs.add(new Case(k.label() + " axes 0,2 keepdim", b -> b.apply(new Op.Reduce(k, Ints.of(0, 2), true), in(b, "x", 3, 4, 5, 2))));
            cs.add(new Case(k.label() + " axis 1", b -> b.apply(new Op.Reduce(k, Ints.of(1), false), in(b, "x", "B", 300)), 4));
            cs.add(new Case(k.label() + " no axes", b -> b.apply(new Op.Reduce(k, Ints.of(), false), in(b, "x", 2, 3))));
        }
        cs.add(new Case("sum of a scalar", b -> in(b, "x").sum()));
        for (ArgReduceOp k : ArgReduceOp.values()) {
            cs.add(new Case(k.label() + " axis 1", b -> b.apply(new Op.ArgReduce(k, 1, false), in(b, "x", 3, 6, 2)).cast(DType.F32)));
            cs.add(new Case(k.label() + " ties keepdim", b -> b.apply(new Op.ArgReduce(k, 0, true),
                    in(b, "x", 5, 3).mul(0.5).cast(DType.I32).cast(DType.F32)).cast(DType.F32)));
        }
        cs.add(new Case("count symbolic", b -> in(b, "x", "B", 3, 4).count(0, 2).add(in(b, "y"))));
        cs.add(new Case("matmul 2d", b -> in(b, "a", 4, 3).matmul(in(b, "c", 3, 5))));
        cs.add(new Case("matmul non-multiple of tile", b -> in(b, "a", 67, 129).matmul(in(b, "c", 129, 33))));
        cs.add(new Case("matmul vector-matrix", b -> in(b, "a", 7).matmul(in(b, "c", 7, 3))));
        cs.add(new Case("matmul matrix-vector", b -> in(b, "a", 2, 4, 7).matmul(in(b, "c", 7))));
        cs.add(new Case("matmul dot", b -> in(b, "a", 9).matmul(in(b, "c", 9))));
        cs.add(new Case("matmul batched", b -> in(b, "a", "B", 5, 6).matmul(in(b, "c", "B", 6, 4)), 3));
        cs.add(new Case("matmul broadcast batch", b -> in(b, "a", 2, 1, 5, 6).matmul(in(b, "c", 3, 6, 4))));
        cs.add(new Case("matmul aligned small tiles", b -> in(b, "a", 128, 64).matmul(in(b, "c", 64, 64))));
        cs.add(new Case("matmul large tiles aligned", b -> in(b, "a", 128, 128, 16).matmul(in(b, "c", 128, 16, 128))));
        cs.add(new Case("matmul large tiles ragged", b -> in(b, "a", 128, 130, 20).matmul(in(b, "c", 20, 131))));
        cs.add(new Case("matmul integer", b -> in(b, "a", 3, 4).mul(3).cast(DType.I32).matmul(in(b, "c", 4, 2).mul(3).cast(DType.I32)).cast(DType.F32)));
        cs.add(new Case("reshape", b -> in(b, "x", "B", 6).reshapeSymbolic("B", 2, 3).mul(2), 2));
        cs.add(new Case("permute rank 4", b -> in(b, "x", 2, 3, 4, 5).permute(2, 0, 3, 1)));
        cs.add(new Case("expand", b -> in(b, "x", 3, 1).expand(2, 3, 4)));
        cs.add(new Case("slice step", b -> in(b, "x", 4, 11).slice(1, 1, 10, 3)));
        cs.add(new Case("slice scatter", b -> b.apply(new Op.SliceScatter(1, 1, 2, 9), in(b, "x", 3, 4))));
        cs.add(new Case("concat axis 1", b -> Tensor.concat(1, in(b, "a", 2, 1, 3), in(b, "c", 2, 4, 3), in(b, "d", 2, 2, 3))));
        cs.add(new Case("softmax", b -> in(b, "x", "B", 4, 5).mul(3).softmax(1), 2));
        cs.add(new Case("log_softmax", b -> in(b, "x", 3, 7).mul(3).logSoftmax(1)));
        cs.add(new Case("cast to i32 truncates", b -> in(b, "x", 10).mul(3).cast(DType.I32).cast(DType.F32)));
        cs.add(new Case("cast to bool", b -> in(b, "x", 10).mul(2).cast(DType.I32).cast(DType.BOOL).cast(DType.F32)));
        cs.add(new Case("integer division truncates", b -> in(b, "x", 8).mul(9).cast(DType.I32).div(b.scalar(2, DType.I32)).cast(DType.F32)));
        cs.add(new Case("scalar arithmetic", b -> in(b, "x").mul(in(b, "y")).exp()));
        return cs;
    }

    /** Runs {@code c} on {@code backend} and on the reference interpreter and compares "y" within {@code tol}. */
    public static void check(Backend backend, Case c, double tol) {
        GraphBuilder b = new GraphBuilder();
        b.output("y", c.body().apply(b));
        var g = b.build();
        int[] batches = c.batches().length == 0 ? new int[] {1} : c.batches();
        try (ReferenceBackend ref = new ReferenceBackend(); Executable re = ref.compile(g); Executable ge = backend.compile(g)) {
            SplittableRandom r = new SplittableRandom(c.name().hashCode());
            // Two batch sizes exercise a second plan of the same executable.
            for (int batch : new int[] {batches[0], batches[0] + 2}) {
                Map<String, HostTensor> feeds = new LinkedHashMap<>();
                for (Node n : g.inputs().values()) {
                    Shape s = n.shape().bind(Map.of("B", batch));
                    float[] v = new float[s.sizeInt()];
                    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
                    feeds.put(((Op.Input) n.op()).name(), HostTensor.of(v, s.dims()));
                }
                Outputs want = re.run(feeds), got = ge.run(feeds);
                assertClose(c.name() + " (B=" + batch + ")", want.get("y"), got.get("y"), tol);
            }
        }
    }

    /**
     * Element-wise closeness relative to the larger of |want| and the tensor's largest finite magnitude; NaN matches
     * NaN, infinities must be equal.
     */
    public static void assertClose(String what, HostTensor want, HostTensor got, double tol) {
        if (!want.shape().equals(got.shape())) throw new AssertionError(what + ": shape " + got.shape() + ", expected " + want.shape());
        double scale = 1;
        for (int i = 0; i < want.size(); i++) if (Double.isFinite(want.get(i))) scale = Math.max(scale, Math.abs(want.get(i)));
        for (int i = 0; i < want.size(); i++) {
            double w = want.get(i), g = got.get(i);
            boolean same = (Double.isNaN(w) && Double.isNaN(g)) || w == g || Math.abs(w - g) <= tol * (Math.abs(w) + scale);
            if (!same) throw new AssertionError(String.format("%s: element %d = %.9g, expected %.9g (shape %s)", what, i, g, w, want.shape()));
        }
    }
}
