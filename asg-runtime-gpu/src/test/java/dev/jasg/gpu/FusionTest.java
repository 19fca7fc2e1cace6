package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * The fusion rewrite ({@link Fusion}) as a table: each row is a graph and the groups the plan makes of it (anchor and
 * members by op, externals counted); each graph also runs on the Vulkan backend, fused, against the reference
 * interpreter, and with fusion's kernels compared to the unfused plan's (every member's rounding and NaN rule kept).
 */
@Tag("gpu")
class FusionTest extends OnGpu {
    record Row(String name, Consumer<GraphBuilder> build, List<String> groups) {}

    /** {@code y = (x w) * gelu'(h)} as asg-autograd writes GELU's gradient, x {@code [n, k]}, w {@code [k, n]}, h {@code [n, n]}. */
    private static void geluGradient(GraphBuilder g, int n, int k) {
        Tensor x = g.input("x", DType.F32, n, k), w = g.input("w", DType.F32, k, n), h = g.input("h", DType.F32, n, n);
        Tensor cdf = h.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5);
        Tensor pdf = h.mul(h).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
        g.output("y", x.matmul(w).mul(cdf.add(h.mul(pdf))));
    }

    /** GELU's gradient as autograd makes it: the product times GELU's derivative of the pre-activation, one op. */
    private static void geluDerivative(GraphBuilder g, int n, int k) {
        Tensor x = g.input("x", DType.F32, n, k), w = g.input("w", DType.F32, k, n), h = g.input("h", DType.F32, n, n);
        g.output("y", x.matmul(w).mul(h.geluDerivative()));
    }

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        r.add(new Row("a chain of scalar ops", g -> {
            Tensor x = g.input("x", DType.F32, 5, 7);
            g.output("y", x.mul(2).add(1).relu());
        }, List.of("mul -> add -> relu (1 externals)")));
        r.add(new Row("matmul, bias, relu: the epilogue", g -> {
            Tensor x = g.input("x", DType.F32, 6, 5), w = g.input("w", DType.F32, 5, 9), b = g.input("b", DType.F32, 9);
            g.output("y", x.matmul(w).add(b).relu());
        }, List.of("matmul -> add -> relu (1 externals)")));
        r.add(new Row("matmul, bias, residual over an aligned 64 x 64 tile", g -> {
            Tensor x = g.input("x", DType.F32, 64, 32), w = g.input("w", DType.F32, 32, 64), b = g.input("b", DType.F32, 64);
            Tensor res = g.input("res", DType.F32, 64, 64);
            g.output("y", x.matmul(w).add(b).gelu().add(res));
        }, List.of("matmul -> add -> gelu -> add (2 externals)")));
        r.add(new Row("the product's operands outlive a value computed between it and the root", g -> {
            Tensor x = g.input("x", DType.F32, 8, 8), w = g.input("w", DType.F32, 8, 8), y = g.input("y", DType.F32, 8, 8);
            Tensor mm = x.matmul(w.exp());  // B computed: it dies at the product in the graph
            Tensor between = y.softmax(-1);  // not elementwise: its own step, of the size of exp(x)
            g.output("z", mm.add(between).relu());
        }, List.of("matmul -> add -> relu (1 externals)")));
        r.add(new Row("batched matmul with a per-row column", g -> {
            Tensor x = g.input("x", DType.F32, 3, 4, 5), w = g.input("w", DType.F32, 3, 5, 6), c = g.input("c", DType.F32, 3, 4, 1);
            g.output("y", x.matmul(w).mul(c).tanh());
        }, List.of("matmul -> mul -> tanh (1 externals)")));
        r.add(new Row("a value read twice, both times inside one group, is taken in: computed once, stored nowhere", g -> {
            Tensor x = g.input("x", DType.F32, 8);
            Tensor a = x.exp();
            g.output("y", a.add(1).mul(a.sub(2)));
        }, List.of("exp -> add -> sub -> mul (1 externals)")));
        r.add(new Row("an output read by a group is stored by its kernel (a second output), never absorbed", g -> {
            Tensor x = g.input("x", DType.F32, 8);
            Tensor a = x.neg();
            g.output("a", a);
            g.output("y", a.abs().sqrt());
        }, List.of("neg -> abs -> sqrt (1 externals, 2 outputs)")));
        r.add(new Row("a reshape between two ops keeps them apart", g -> {
            Tensor x = g.input("x", DType.F32, 4, 6);
            g.output("y", x.neg().reshape(24).abs());
        }, List.of()));
        r.add(new Row("a per-row column broadcast is fused", g -> {
            Tensor x = g.input("x", DType.F32, 4, 5), m = g.input("m", DType.F32, 4, 1);
            g.output("y", x.sub(m).exp());
        }, List.of("sub -> exp (2 externals)")));
        r.add(new Row("an operand broadcast over two separate axes is not", g -> {
            Tensor x = g.input("x", DType.F32, 2, 3, 4), m = g.input("m", DType.F32, 2, 1, 4);
            g.output("y", x.add(m).exp().neg());
        }, List.of("exp -> neg (1 externals)")));
        r.add(new Row("comparison, where and a rounding cast", g -> {
            Tensor x = g.input("x", DType.F32, 9), y = g.input("y", DType.F32, 9);
            g.output("z", x.gt(y).where(x.mul(3.7), y).cast(DType.I32).mul(2));
        }, List.of("gt -> mul -> where -> cast -> mul (2 externals)")));
        r.add(new Row("externals beyond six start a second group, which the first takes in up to twelve", g -> {
            Tensor s = g.input("x0", DType.F32, 4);
            for (int k = 1; k < 9; k++) s = s.add(g.input("x" + k, DType.F32, 4));
            g.output("y", s);
        }, List.of("add -> add -> add -> add -> add -> add -> add -> add (9 externals)")));
        r.add(new Row("beyond twelve externals the groups stay apart", g -> {
            Tensor s = g.input("x0", DType.F32, 4);
            for (int k = 1; k < 15; k++) s = s.add(g.input("x" + k, DType.F32, 4));
            g.output("y", s);
        }, List.of("add -> add -> add -> add (5 externals)", "add -> add -> add -> add -> add -> add -> add -> add -> add -> add (11 externals)")));
        r.add(new Row("a loss mean(x^2): the square is the mean's prologue", g -> {
            Tensor x = g.input("x", DType.F32, 6, 50);
            g.output("loss", x.mul(x).mean());
        }, List.of("mul -> mean (1 externals)")));
        r.add(new Row("softmax backward: one row kernel", g -> {
            Tensor x = g.input("x", DType.F32, 5, 300), gr = g.input("g", DType.F32, 5, 300);
            Tensor y = x.softmax(-1);
            g.output("dx", y.mul(gr.sub(gr.mul(y).sum(1, true))));
        }, List.of("softmax_grad (0 externals)")));
        r.add(new Row("softmax backward with attention's scale as its epilogue", g -> {
            Tensor x = g.input("x", DType.F32, 2, 3, 7, 9), gr = g.input("g", DType.F32, 2, 3, 7, 9);
            Tensor y = x.softmax(-1);
            g.output("dx", y.mul(gr.sub(gr.mul(y).sum(3, true))).mul(0.125));
        }, List.of("softmax_grad -> mul (0 externals)")));
        r.add(new Row("softmax backward whose sum is also an output stays unfused", g -> {
            Tensor x = g.input("x", DType.F32, 5, 30), gr = g.input("g", DType.F32, 5, 30);
            Tensor y = x.softmax(-1);
            Tensor s = gr.mul(y).sum(1, true);
            g.output("s", s);
            g.output("dx", y.mul(gr.sub(s)));
        }, List.of("mul -> sum (2 externals)", "sub -> mul (3 externals)")));
        r.add(new Row("log-softmax backward: one row kernel", g -> {
            Tensor x = g.input("x", DType.F32, 6, 11), gr = g.input("g", DType.F32, 6, 11);
            Tensor y = x.logSoftmax(-1);
            g.output("dx", gr.sub(y.exp().mul(gr.sum(1, true))));
        }, List.of("log_softmax_grad (0 externals)")));
        r.add(new Row("layer norm backward with the residual gradient's add as its epilogue", g -> {
            Tensor x = g.input("x", DType.F32, 6, 40), gr = g.input("g", DType.F32, 6, 40), res = g.input("res", DType.F32, 6, 40);
            Tensor y = x.normalize(new int[] {1}, 1e-5);
            Tensor rstd = x.var(new int[] {1}, false, true).add(1e-5).rsqrt();
            Tensor centred = gr.sub(gr.mean(new int[] {1}, true)).sub(y.mul(gr.mul(y).mean(new int[] {1}, true)));
            g.output("dx", res.add(rstd.mul(centred)));
        }, List.of("layer_norm_grad -> add (1 externals)")));
        r.add(new Row("affine layer norm backward: g = dy * w computed in the row kernel", g -> {
            Tensor x = g.input("x", DType.F32, 3, 5, 24), dy = g.input("dy", DType.F32, 3, 5, 24), w = g.input("w", DType.F32, 24);
            Tensor res = g.input("res", DType.F32, 3, 5, 24);
            Tensor gr = dy.mul(w);
            Tensor y = x.normalize(new int[] {2}, 1e-5);
            Tensor rstd = x.var(new int[] {2}, false, true).add(1e-5).rsqrt();
            Tensor centred = gr.sub(gr.mean(new int[] {2}, true)).sub(y.mul(gr.mul(y).mean(new int[] {2}, true)));
            g.output("dx", rstd.mul(centred).add(res));
        }, List.of("mul => layer_norm_grad -> add (1 externals)")));
        r.add(new Row("a strided max over a fused operand, and a kept operand", g -> {
            Tensor x = g.input("x", DType.F32, 40, 7), b = g.input("b", DType.F32, 7);
            Tensor a = x.exp();
            g.output("a", a);
            g.output("m", x.add(b).abs().max(0, false));
            g.output("s", a.sum(1));
        }, List.of("add -> abs -> max (2 externals)")));
        r.add(new Row("layer norm forward: scale and shift in the normalisation's store", g -> {
            Tensor x = g.input("x", DType.F32, 6, 40), w = g.input("w", DType.F32, 40), b = g.input("b", DType.F32, 40);
            g.output("y", x.layerNorm(1, w, b, 1e-5).relu());
        }, List.of("normalize -> mul -> add -> relu (2 externals)")));
        r.add(new Row("GELU's gradient as a product's epilogue: five scalar constants and the pre-activation", g -> geluGradient(g, 64, 32),
                List.of("matmul -> mul -> erf -> add -> mul -> mul -> mul -> exp -> mul -> mul -> add -> mul (1 externals)")));
        r.add(new Row("GELU's gradient after a product of 2^22 results: a pass of its own, the product plain (Fusion.anchors)",
                g -> geluGradient(g, 2048, 16), List.of("mul -> erf -> add -> mul -> mul -> mul -> exp -> mul -> mul -> add -> mul (2 externals)")));
        r.add(new Row("GELU's derivative op as a product's epilogue", g -> geluDerivative(g, 64, 32),
                List.of("matmul -> gelu_derivative -> mul (1 externals)")));
        r.add(new Row("GELU's derivative op after a product of 2^22 results: a pass of its own (Fusion.transcendental)",
                g -> geluDerivative(g, 2048, 16), List.of("gelu_derivative -> mul (2 externals)")));
        r.add(new Row("a bias after a product of 2^22 results: still its epilogue", g -> {
            Tensor x = g.input("x", DType.F32, 2048, 16), w = g.input("w", DType.F32, 16, 2048), b = g.input("b", DType.F32, 2048);
            g.output("y", x.matmul(w).add(b));
        }, List.of("matmul -> add (1 externals)")));
        r.add(new Row("scalar operands that are no constants: a [] and a [1, 1] input", g -> {
            Tensor x = g.input("x", DType.F32, 3, 5, 7), s = g.input("s", DType.F32), t = g.input("t", DType.F32, 1, 1);
            g.output("y", x.mul(s).sub(t).abs());
        }, List.of("mul -> sub -> abs (3 externals)")));
        r.add(new Row("an AdamW-like update: the moments' groups merge into the parameter's, one kernel with three outputs", g -> {
            Tensor p = g.parameter("p", Init.zeros(), 10), m = g.parameter("m", Init.zeros(), 10), v = g.parameter("v", Init.zeros(), 10);
            Tensor grad = g.input("g", DType.F32, 10);
            Tensor m2 = m.mul(0.9).add(grad.mul(0.1));
            Tensor v2 = v.mul(0.999).add(grad.mul(grad).mul(0.001));
            Tensor p2 = p.mul(1 - 1e-3).sub(m2.div(v2.sqrt().add(1e-8)).mul(1e-3));
            g.assign(m, m2);
            g.assign(v, v2);
            g.assign(p, p2);
            g.output("p2", p2);
        }, List.of("mul -> mul -> add -> mul -> mul -> mul -> add -> mul -> sqrt -> add -> div -> mul -> sub (4 externals, 3 outputs)")));
        r.add(new Row("a count reads no values: mean(x^2)'s square stays its prologue though the gradient counts it", g -> {
            Tensor x = g.input("x", DType.F32, 8, 40);
            Tensor sq = x.mul(x);
            g.output("loss", sq.mean());
            g.output("scale", sq.count().reciprocal().mul(2));
        }, List.of("mul -> mean (1 externals)", "div -> mul (1 externals)")));
        r.add(new Row("a value read by two groups is stored by the first, which takes its group in; the second reads it after", g -> {
            Tensor x = g.input("x", DType.F32, 4, 10);
            Tensor s = x.mul(2).add(1);
            g.output("a", s.mul(x).sub(1));
            g.output("b", s.exp().mul(3));
        }, List.of("mul -> add -> mul -> sub (1 externals, 2 outputs)", "exp -> mul (1 externals)")));
        r.add(new Row("expands are members: a scalar and a per-row column read broadcast, not copied", g -> {
            Tensor x = g.input("x", DType.F32, 6, 10), s = g.input("s", DType.F32), col = g.input("c", DType.F32, 6, 1);
            g.output("y", s.expand(6, 10).div(60).mul(x).add(col.expand(6, 10)));
        }, List.of("expand -> div -> mul -> expand -> add (3 externals)")));
        r.add(new Row("AdamW's update as asg-nn writes it: one kernel reads p, m, v, g and three scalars and writes p, m and v", g -> {
            Tensor p = g.parameter("p", Init.zeros(), 10), m = g.parameter("m", Init.zeros(), 10), v = g.parameter("v", Init.zeros(), 10);
            Tensor grad = g.input("g", DType.F32, 10), decay = g.input("decay", DType.F32), stepSize = g.input("step", DType.F32);
            Tensor bc2 = g.input("bc2", DType.F32);
            Tensor m1 = m.add(grad.sub(m).mul(0.1));
            Tensor v1 = v.mul(0.999).add(grad.mul(grad).mul(0.001));
            Tensor denom = v1.sqrt().div(bc2).add(1e-8);
            Tensor p1 = p.mul(decay).sub(stepSize.mul(m1.div(denom)));
            g.assign(m, m1);
            g.assign(v, v1);
            g.assign(p, p1);
        }, List.of("sub -> mul -> add -> mul -> mul -> mul -> add -> sqrt -> div -> add -> mul -> div -> mul -> sub (7 externals, 3 outputs)")));
        return r;
    }

    /**
     * How the generated body reads an operand from outside ({@link Fusion#read}, or {@link Fusion#literal(dev.jasg.core.Node)} for a
     * constant of one element): a row each, node, group shape and the GLSL expected.
     */
    record ReadRow(String name, java.util.function.Function<GraphBuilder, Tensor> node, Object[] at, String want) {
        ReadRow(String name, java.util.function.Function<GraphBuilder, Tensor> node, int[] at, String want) {
            this(name, node, java.util.Arrays.stream(at).boxed().toArray(), want);
        }
    }

    static List<ReadRow> readRows() {
        return List.of(
                new ReadRow("a scalar constant is its literal", g -> g.scalar(0.5), new int[] {4, 6}, "uintBitsToFloat(0x3F000000u)"),
                new ReadRow("a constant of one element in two axes too", g -> g.constant(HostTensor.of(new float[] {-2f}, 1, 1)), new int[] {4, 6},
                        "uintBitsToFloat(0xC0000000u)"),
                new ReadRow("a constant of several elements is read", g -> g.constant(HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 6)),
                        new int[] {4, 6}, "e0[i % 6u]"),
                new ReadRow("an input of no axes at 0", g -> g.input("s", DType.F32), new int[] {4, 6}, "e0[0u]"),
                new ReadRow("an input of one element at 0", g -> g.input("s", DType.F32, 1, 1, 1), new int[] {4, 6}, "e0[0u]"),
                new ReadRow("an input of the group's shape at i", g -> g.input("x", DType.F32, 4, 6), new int[] {4, 6}, "e0[i]"),
                new ReadRow("a bias row by a literal remainder", g -> g.input("b", DType.F32, 6), new int[] {4, 6}, "e0[i % 6u]"),
                new ReadRow("a per-row column by a literal quotient", g -> g.input("c", DType.F32, 4, 1), new int[] {4, 6}, "e0[i / 6u]"),
                new ReadRow("a middle block by both", g -> g.input("m", DType.F32, 3, 1), new int[] {2, 3, 5}, "e0[(i / 5u) % 3u]"),
                new ReadRow("a bias row over a symbolic batch through the push constants", g -> g.input("b", DType.F32, 6), new Object[] {"B", 6},
                        "e0[(i / pc.ea[0]) % pc.eb[0]]"),
                new ReadRow("an operand of a symbolic group's own shape at i", g -> g.input("x", DType.F32, "B", 6), new Object[] {"B", 6}, "e0[i]"),
                new ReadRow("an operand of one element in a symbolic group at 0", g -> g.input("s", DType.F32, 1), new Object[] {"B", 6}, "e0[0u]"));
    }

    @TestFactory
    Stream<DynamicTest> readForms() {
        return readRows().stream().flatMap(row -> Stream.of(true, false).map(direct -> DynamicTest.dynamicTest(row.name() + (direct ? "" : ", direct reads off"), () -> {
            GraphBuilder gb = new GraphBuilder();
            Tensor x = row.node().apply(gb);
            Tensor at = gb.input("at", DType.F32, row.at());
            gb.output("y", at.add(x));
            Graph g = gb.build();
            String old = System.getProperty(Fusion.DIRECT_INDEXING_PROPERTY);
            System.setProperty(Fusion.DIRECT_INDEXING_PROPERTY, Boolean.toString(direct));
            try {
                // a constant of one element is no external but a literal (Fusion.literal); anything else is read
                String lit = Fusion.literal(g.node(x.id()));
                String got = lit != null ? lit : Fusion.read(g.node(x.id()), 0, g.node(at.id()).shape(), "");
                assertEquals(direct ? row.want() : "e0[(i / pc.ea[0]) % pc.eb[0]]", got, row.name());
            } finally {
                if (old == null) System.clearProperty(Fusion.DIRECT_INDEXING_PROPERTY);
                else System.setProperty(Fusion.DIRECT_INDEXING_PROPERTY, old);
            }
        })));
    }

    static Map<String, HostTensor> feeds(Program p) {
        Map<String, HostTensor> f = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(42);
        for (var e : p.inputs().entrySet()) {
            int[] d = e.getValue().shape().dims();
            float[] v = new float[(int) e.getValue().shape().size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
            f.put(e.getKey(), HostTensor.of(v, d));
        }
        return f;
    }

    /** The kernels of every row's groups (ShaderFilesTest compiles them): fused.comp, or matmul.comp with the epilogue in both variants. */
    static List<Kernel> kernels() {
        List<Kernel> k = new ArrayList<>();
        boolean coop = false;
        for (Row row : rows()) {
            GraphBuilder gb = new GraphBuilder();
            row.build().accept(gb);
            Graph g = gb.build();
            Program p = Program.of(List.of(g));
            for (Fusion.Group grp : new TreeMap<>(Fusion.plan(p, p.bind(feeds(p)), 64).groups()).values()) {
                if (grp.rows() != null) {
                    for (boolean sg : new boolean[] {false, true}) {
                        k.add(LayerKernels.rowGradient(grp.rows(), sg, grp.members().isEmpty() ? null : grp, g));
                    }
                } else if (grp.prologue()) {
                    Op.Reduce red = (Op.Reduce) g.node(grp.root()).op();
                    k.add(GlslKernels.reduce(red.kind(), false, grp, g));
                    k.add(GlslKernels.reduce(red.kind(), true, grp, g));
                } else if (grp.anchor() >= 0 && g.node(grp.anchor()).op() instanceof Op.Normalize) {
                    k.add(LayerKernels.normalize(false, grp, g));
                    k.add(LayerKernels.normalize(true, grp, g));
                } else if (grp.anchor() < 0) {
                    k.add(Fusion.kernel(grp, g));
                } else {
                    MatMulKernel.Tiles t = MatMulKernel.small(48 * 1024);
                    k.add(MatMulKernel.kernel(t, true, grp, g));
                    k.add(MatMulKernel.kernel(t, false, grp, g));
                    System.setProperty(MatMulKernel.REGISTER_EPILOGUE_PROPERTY, "off");  // the epilogue through the cache
                    try {
                        k.add(MatMulKernel.kernel(t, true, grp, g));
                        k.add(MatMulKernel.kernel(t, false, new MatMulKernel.Layout(true, false), grp, g));
                    } finally {
                        System.clearProperty(MatMulKernel.REGISTER_EPILOGUE_PROPERTY);
                    }
                    k.add(MatMulKernel.kernel(t, false, new MatMulKernel.Layout(true, false), grp, g));
                    k.add(MatMulKernel.kernel(t, true, new MatMulKernel.Layout(false, true), grp, g));
                    k.add(MatMulKernel.kernel(t, false, new MatMulKernel.Layout(true, true), grp, g));
                    if (!coop) {  // the tensor-core kernel's epilogue, once: every variant of it
                        coop = true;
                        CoopMatMulKernel.Tiles ct = new CoopMatMulKernel.Tiles(128, 128, 32, 64, 32);
                        for (dev.jasg.core.DType dt : new dev.jasg.core.DType[] {dev.jasg.core.DType.F16, dev.jasg.core.DType.BF16}) {
                            k.add(CoopMatMulKernel.kernel(ct, dt, CoopMatMulKernel.Variant.WORDS, grp, g));
                            k.add(CoopMatMulKernel.kernel(ct, dt, new CoopMatMulKernel.Variant(true, 2), grp, g));
                            k.add(WorkgroupMatMulKernel.kernel(new WorkgroupMatMulKernel.Tiles(128, 128, 32), dt, 256, grp, g));
                        }
                    }
                }
            }
        }
        return k;
    }

    /**
     * Every row whose groups include a product's epilogue, with the epilogue through the cache (the tile stored and read back,
     * {@value MatMulKernel#REGISTER_EPILOGUE_PROPERTY}{@code =off}; the default applies it to the accumulators) against the reference.
     */
    @TestFactory
    Stream<DynamicTest> epiloguesThroughTheCache() {
        return rows().stream().filter(row -> row.groups().stream().anyMatch(d -> d.startsWith("matmul -> "))).map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            GraphBuilder gb = new GraphBuilder();
            row.build().accept(gb);
            Graph g = gb.build();
            Program p = Program.of(List.of(g));
            Map<String, HostTensor> feeds = feeds(p);
            Map<String, HostTensor> want = new LinkedHashMap<>();
            try (ReferenceBackend ref = new ReferenceBackend(); var e = ref.compile(ref.newParameters(1), g)) {
                var o = e.run(feeds);
                for (String n : o.names()) want.put(n, o.get(n));
            }
            System.setProperty(MatMulKernel.REGISTER_EPILOGUE_PROPERTY, "off");
            try (VulkanBackend fresh = Gpu.open(); var e = fresh.compile(fresh.newParameters(1), g)) {
                var o = e.run(feeds);
                for (String n : want.keySet()) Gpu.assertClose(row.name() + ": " + n, want.get(n), o.get(n), 1e-5);
                assertTrue(fresh.kernelNames().stream().anyMatch(k -> k.contains("_epilogue_")), row.name() + ": an epilogue kernel ran: " + fresh.kernelNames());
            } finally {
                System.clearProperty(MatMulKernel.REGISTER_EPILOGUE_PROPERTY);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> groupsAndValues() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            GraphBuilder gb = new GraphBuilder();
            row.build().accept(gb);
            Graph g = gb.build();
            Program p = Program.of(List.of(g));
            Map<String, HostTensor> feeds = feeds(p);
            Fusion f = Fusion.plan(p, p.bind(feeds), 64);
            List<String> got = new ArrayList<>();
            for (Fusion.Group grp : new TreeMap<>(f.groups()).values()) got.add(Fusion.describe(grp, g));
            assertEquals(row.groups(), got, "groups of " + row.name());
            // what a group's kernel reads stays alive until its root's step
            List<Integer> steps = p.schedule().stream().map(n -> n.id()).toList();
            for (Fusion.Group grp : f.groups().values()) {
                List<Integer> read = new ArrayList<>(grp.externals());
                if (grp.anchor() >= 0) read.addAll(grp.anchorOperands(g));
                for (int x : read) {
                    assertTrue(f.lastRead(x, p.lastUse(x)) >= steps.indexOf(grp.root()), row.name() + ": node " + x + " dies before the root");
                }
            }

            Map<String, HostTensor> want = new LinkedHashMap<>();
            Map<String, HostTensor> wantParams = new LinkedHashMap<>();
            try (ReferenceBackend ref = new ReferenceBackend()) {
                Parameters rp = ref.newParameters(1);
                try (var e = ref.compile(rp, g)) {
                    var o = e.run(feeds);
                    for (String n : o.names()) want.put(n, o.get(n));
                }
                for (String n : rp.names()) wantParams.put(n, rp.get(n));
            }
            Parameters vp = gpu.newParameters(1);
            try (var e = gpu.compile(vp, g)) {
                var o = e.run(feeds);
                for (String n : want.keySet()) Gpu.assertClose(row.name() + ": " + n, want.get(n), o.get(n), 1e-5);
            }
            for (String n : wantParams.keySet()) Gpu.assertClose(row.name() + ": parameter " + n, wantParams.get(n), vp.get(n), 1e-5);
        }));
    }
}
