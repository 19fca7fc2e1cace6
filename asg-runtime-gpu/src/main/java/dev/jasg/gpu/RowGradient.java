package dev.jasg.gpu;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.Graph;
import dev.jasg.core.Ints;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.Strides;
import dev.jasg.core.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The gradient of a row-wise op as asg-autograd writes it from core ops (its {@code Vjp} rules), recognised in a graph so
 * that one workgroup-per-row kernel ({@code row_gradient.comp}) computes it, instead of a kernel per reduction and
 * one for the elementwise combine:
 * <ul>
 * <li>{@link Kind#SOFTMAX}: {@code dx = y * (g - sum(g * y))};
 * <li>{@link Kind#LOG_SOFTMAX}: {@code dx = g - exp(y) * sum(g)};
 * <li>{@link Kind#LAYER_NORM} (the normalisation's): {@code dx = rsqrt(mean((x - mean(x))^2) + eps) * ((g - mean(g)) - y * mean(g * y))}.
 * </ul>
 * Sums and means are over the same axes, keeping them. The match is by structure alone: {@code x}, {@code y} and
 * {@code g} may be any nodes of the root's shape (the kernel computes the formula, whatever made them). Every node of
 * the pattern but the root ({@link #inner}) must be read by pattern nodes only and be neither an output nor an assigned
 * value, and all share the root's dtype (the kernel rounds each intermediate to it, as the unfused kernels store it).
 * Immutable; thread-safe.
 *
 * @param kind     which gradient
 * @param root     the node whose value is {@code dx}
 * @param y        the op's output (or, for log-softmax, its log-probabilities)
 * @param g        the incoming gradient
 * @param x        the normalisation's input (layer norm), else -1
 * @param axes     the reduced axes
 * @param eps      the variance's epsilon as stored (layer norm), else 0
 * @param reduction one of the pattern's reductions (for the geometry and error messages)
 * @param inner    every pattern node but the root, which the kernel computes instead (in id order)
 * @param gTree    an elementwise group computing {@code g} that only the pattern reads ({@link Fusion}: layer norm's
 *                 {@code dy * w}), which the kernel evaluates per element instead of reading {@code g}; null when it reads {@code g}
 */
record RowGradient(Kind kind, int root, int y, int g, int x, Ints axes, float eps, int reduction, List<Integer> inner, Fusion.Group gTree) {
    /** Push-constant slots the kernel's fused groups share (its own constants leave room for four, as a normalisation's). */
    static final int SLOTS = Fusion.MAX_PROLOGUE_EXTERNALS;

    /** The gradient's form; its ordinal is the shader's {@code KIND}. */
    enum Kind {
        SOFTMAX("softmax_grad"), LOG_SOFTMAX("log_softmax_grad"), LAYER_NORM("layer_norm_grad");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** The nodes the kernel reads, in its binding order after the output: y, x for layer norm, then g or its tree's externals. */
    List<Integer> operands() {
        List<Integer> l = new ArrayList<>(List.of(y));
        if (kind == Kind.LAYER_NORM) l.add(x);
        if (gTree == null) l.add(g);
        else l.addAll(gTree.externals());
        return List.copyOf(l);
    }

    /** This gradient computing {@code g} by {@code tree} (whose last member is {@code g}). */
    RowGradient withG(Fusion.Group tree) {
        return new RowGradient(kind, root, y, g, x, axes, eps, reduction, inner, tree);
    }

    /** Push-constant slots left for an epilogue. */
    int slotsLeft() {
        return SLOTS - (gTree == null ? 0 : Fusion.slots(gTree));
    }

    /**
     * The row gradient whose root is {@code root}, or null: the pattern, then its conditions ({@code reads}: distinct
     * consumers per node; {@code free}: true for a node neither kept nor taken by another fusion).
     */
    static RowGradient match(Graph graph, Program.Binding b, Node root, Map<Integer, Integer> reads, IntPredicate free) {
        RowGradient m = softmax(graph, root);
        if (m == null) m = logSoftmax(graph, root);
        if (m == null) m = layerNorm(graph, root);
        if (m == null) return null;
        int[] od = b.shape(root.id()).dims();
        if (Strides.size(od) == 0) return null;
        for (int op : m.operands()) if (!Arrays.equals(b.shape(op).dims(), od)) return null;
        Strides.ReduceRuns runs = Strides.reduceRuns(od, m.axes);
        if (runs.width() > GlslKernels.MAX_REDUCE_GROUPS) return null;
        Set<Integer> pattern = new LinkedHashSet<>(m.inner);
        pattern.add(root.id());
        for (int id : m.inner) {
            Node n = graph.node(id);
            if (!free.test(id) || n.dtype() != root.dtype() || Lowering.isView(n, b, graph)) return null;
            int readers = 0;
            for (int p : pattern) if (Arrays.stream(graph.node(p).inputs()).anyMatch(i -> i == id)) readers++;
            if (reads.getOrDefault(id, 0) != readers) return null;
        }
        return m;
    }

    // dx = y * (g - sum(g * y)), the product in either order
    private static RowGradient softmax(Graph graph, Node root) {
        if (!binary(root, BinaryOp.MUL)) return null;
        for (int side = 0; side < 2; side++) {
            int y = root.input(side);
            Node diff = graph.node(root.input(1 - side));
            if (!binary(diff, BinaryOp.SUB)) continue;
            int g = diff.input(0);
            Node sum = graph.node(diff.input(1));
            if (!reduce(sum, ReduceOp.SUM)) continue;
            Node gy = graph.node(sum.input(0));
            if (!binary(gy, BinaryOp.MUL) || !pair(gy, g, y)) continue;
            return new RowGradient(Kind.SOFTMAX, root.id(), y, g, -1, axes(sum), 0, sum.id(), sorted(gy.id(), sum.id(), diff.id()), null);
        }
        return null;
    }

    // dx = g - exp(y) * sum(g), the product in either order
    private static RowGradient logSoftmax(Graph graph, Node root) {
        if (!binary(root, BinaryOp.SUB)) return null;
        int g = root.input(0);
        Node prod = graph.node(root.input(1));
        if (!binary(prod, BinaryOp.MUL)) return null;
        for (int side = 0; side < 2; side++) {
            Node e = graph.node(prod.input(side)), sum = graph.node(prod.input(1 - side));
            if (!unary(e, UnaryOp.EXP) || !reduce(sum, ReduceOp.SUM) || sum.input(0) != g) continue;
            return new RowGradient(Kind.LOG_SOFTMAX, root.id(), e.input(0), g, -1, axes(sum), 0, sum.id(), sorted(e.id(), sum.id(), prod.id()), null);
        }
        return null;
    }

    // dx = rstd * ((g - mean(g)) - y * mean(g * y)), rstd = rsqrt(mean((x - mean(x))^2) + eps), rstd on either side
    private static RowGradient layerNorm(Graph graph, Node root) {
        if (!binary(root, BinaryOp.MUL)) return null;
        for (int side = 0; side < 2; side++) {
            Node rstd = graph.node(root.input(side)), centred = graph.node(root.input(1 - side));
            if (!unary(rstd, UnaryOp.RSQRT) || !binary(centred, BinaryOp.SUB)) continue;
            Node plus = graph.node(rstd.input(0));
            if (!binary(plus, BinaryOp.ADD) || !(graph.node(plus.input(1)).op() instanceof Op.Constant c) || c.value().floats().length != 1) continue;
            Node var = graph.node(plus.input(0));
            if (!reduce(var, ReduceOp.MEAN)) continue;
            Node sq = graph.node(var.input(0));
            if (!binary(sq, BinaryOp.MUL) || sq.input(0) != sq.input(1)) continue;
            Node dev = graph.node(sq.input(0));
            if (!binary(dev, BinaryOp.SUB)) continue;
            int x = dev.input(0);
            Node mx = graph.node(dev.input(1));
            if (!reduce(mx, ReduceOp.MEAN) || mx.input(0) != x) continue;
            Node t1 = graph.node(centred.input(0)), t2 = graph.node(centred.input(1));
            if (!binary(t1, BinaryOp.SUB) || !binary(t2, BinaryOp.MUL)) continue;
            int g = t1.input(0);
            Node mg = graph.node(t1.input(1));
            if (!reduce(mg, ReduceOp.MEAN) || mg.input(0) != g) continue;
            for (int ys = 0; ys < 2; ys++) {
                int y = t2.input(ys);
                Node mgy = graph.node(t2.input(1 - ys));
                if (!reduce(mgy, ReduceOp.MEAN)) continue;
                Node gy = graph.node(mgy.input(0));
                if (!binary(gy, BinaryOp.MUL) || !pair(gy, g, y)) continue;
                Ints axes = axes(mx);
                if (!axes.equals(axes(var)) || !axes.equals(axes(mg)) || !axes.equals(axes(mgy))) continue;
                return new RowGradient(Kind.LAYER_NORM, root.id(), y, g, x, axes, c.value().floats()[0], mg.id(),
                        sorted(mx.id(), dev.id(), sq.id(), var.id(), plus.id(), rstd.id(), mg.id(), t1.id(), gy.id(), mgy.id(), t2.id(), centred.id()), null);
            }
        }
        return null;
    }

    private static boolean binary(Node n, BinaryOp kind) {
        return n.op() instanceof Op.Binary b && b.kind() == kind;
    }

    private static boolean unary(Node n, UnaryOp kind) {
        return n.op() instanceof Op.Unary u && u.kind() == kind;
    }

    private static boolean reduce(Node n, ReduceOp kind) {
        return n.op() instanceof Op.Reduce r && r.kind() == kind && r.keepDims() && r.axes().size() > 0;
    }

    private static Ints axes(Node reduction) {
        return ((Op.Reduce) reduction.op()).axes();
    }

    /** True when binary {@code n} reads {@code a} and {@code b}, in either order. */
    private static boolean pair(Node n, int a, int b) {
        return n.input(0) == a && n.input(1) == b || n.input(0) == b && n.input(1) == a;
    }

    private static List<Integer> sorted(int... ids) {
        List<Integer> l = new ArrayList<>();
        for (int id : ids) l.add(id);
        l.sort(Integer::compare);
        return List.copyOf(l);
    }
}
