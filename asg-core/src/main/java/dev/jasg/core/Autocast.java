package dev.jasg.core;

import java.util.HashMap;
import java.util.Map;

/**
 * The mixed-precision policy of {@code torch.autocast} as a graph rewrite: every matrix product,
 * convolution and fused attention ({@link Op.MatMul}, {@link Op.Conv2d}, {@link Op.ConvTranspose2d},
 * {@link Op.Conv2dWeightGrad} of two F32 operands, {@link Op.Attention} of three) reads them cast to {@code half}
 * ({@link DType#F16} or {@link DType#BF16}) and, by the products' type rule, accumulates and
 * returns F32. Everything else (elementwise ops, reductions, softmax, norms, the loss) is copied
 * unchanged and stays F32; parameters stay F32 master weights, cast to half where a product
 * reads them (once per tensor, however many products read it).
 *
 * <p>Gradients need nothing of their own: autograd of the rewritten graph sends a product's
 * F32 gradient through the half operands' casts ({@code Vjp} casts it to the operand's type
 * for the transposed products and back), so the gradients of the master weights arrive in F32.
 * Apply it to a forward graph before {@code Autograd.gradients}, as {@code Trainer} does with
 * {@code mixedPrecision(...)}.
 *
 * <p>Stateless; safe to use from any thread (the graphs it reads and returns are immutable).
 */
public final class Autocast {
    private Autocast() {}

    /**
     * The graph {@code g} with its products, convolutions and attention in {@code half}: the same inputs,
     * parameters, outputs (by name), assignments and feed ranges; node ids may differ.
     *
     * @throws IllegalArgumentException when {@code half} is not F16 or BF16, or {@code g} continues
     *     another graph (rewrite the root graph, before anything is chained to it)
     */
    public static Graph apply(Graph g, DType half) {
        if (!half.isHalf()) throw new IllegalArgumentException("autocast: " + half.label() + " is not f16 or bf16");
        if (g.parent() != null) throw new IllegalArgumentException("autocast: rewrite a root graph; this one continues another graph");
        GraphBuilder b = new GraphBuilder();
        Tensor[] map = new Tensor[g.size()];
        Map<Integer, Tensor> casts = new HashMap<>();
        for (Node n : g.nodes()) {
            Tensor[] in = new Tensor[n.arity()];
            boolean product = isProduct(n.op()) && allF32(g, n);
            for (int i = 0; i < in.length; i++) {
                Node src = g.node(n.input(i));
                Tensor t = map[src.id()];
                if (product) {
                    t = casts.computeIfAbsent(src.id(), k -> b.applyIn(src.scope(), new Op.Cast(half), map[k]));
                }
                in[i] = t;
            }
            map[n.id()] = b.replay(n, in);
        }
        g.outputs().forEach((name, id) -> b.output(name, map[id]));
        for (Graph.Assignment a : g.assignments()) b.assign(map[a.parameter()], map[a.value()]);
        for (FeedRange r : g.feedRanges()) b.feedRange(r);
        return b.build();
    }

    /** True for the ops autocast runs in half precision (each of two operands, or attention's three, all F32). */
    static boolean isProduct(Op op) {
        return op instanceof Op.MatMul || op instanceof Op.Conv2d || op instanceof Op.ConvTranspose2d || op instanceof Op.Conv2dWeightGrad
                || op instanceof Op.Attention;
    }

    /** True when every operand of {@code n} is F32 (a product of mixed types is left alone, as before). */
    private static boolean allF32(Graph g, Node n) {
        if (n.arity() < 2) return false;
        for (int i = 0; i < n.arity(); i++) if (g.node(n.input(i)).dtype() != DType.F32) return false;
        return true;
    }
}
