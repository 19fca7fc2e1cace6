package dev.jasg.autograd;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Graph-to-graph reverse-mode differentiation.
 *
 * <p>{@code gradients(graph, loss, wrt)} returns a new {@link Graph} that continues
 * {@code graph}: its nodes compute {@code d loss / d w} for each {@code w} in {@code wrt},
 * reading forward values simply by referring to the forward node ids. The gradient nodes
 * are ordinary ops added through the {@link Tensor} API by the rules in {@link Vjp}, so a
 * gradient graph can itself be differentiated: the backward walk covers the whole chain
 * ({@link Graph#allNodes()}), which gives second derivatives.
 *
 * <p>Outputs are named {@code grad:<parameter name>}, {@code grad:<input name>}, or
 * {@code grad:%<id>} for any other node, in {@code wrt} order; each has its wrt's shape
 * and dtype. Only nodes on a differentiable path from some wrt to the loss are visited;
 * a node used several times accumulates its contributions by addition, except that the gradients of its slices
 * that meet end to end are first joined into one concatenation ({@link #accumulate}). Gradient nodes
 * carry the scope {@code grad} followed by the forward node's scope.
 *
 * <p>A wrt the loss does not depend on gets zeros: a broadcast scalar constant when its
 * shape is concrete, and {@code w * 0} when its shape is symbolic. The product keeps the
 * wrt (an input) in the schedule, so its symbolic sizes are bound from its feed even when
 * nothing else reads it; the price is that an infinite or NaN element of {@code w} gives a
 * NaN there, as {@code 0 * w} does in PyTorch.
 */
public final class Autograd {
    /** Scope that every gradient node is created in. */
    public static final String SCOPE = "grad";

    private Autograd() {}

    /** Gradients of {@code loss} with respect to the {@code wrt} tensors, which must be nodes of {@code graph}'s chain. */
    public static Graph gradients(Graph graph, Tensor loss, List<Tensor> wrt) {
        int[] ids = new int[wrt.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = checkedId(graph, wrt.get(i));
        return gradients(graph, checkedId(graph, loss), ids);
    }

    /**
     * Gradients of the graph output (of {@code graph} or one of its ancestors) named
     * {@code lossOutputName} with respect to the parameters or inputs named in {@code wrt}.
     */
    public static Graph gradients(Graph graph, String lossOutputName, List<String> wrtParameterOrInputNames) {
        Integer lossId = null;
        List<String> known = new ArrayList<>();
        for (Graph g = graph; g != null && lossId == null; g = g.parent()) {
            lossId = g.outputs().get(lossOutputName);
            known.addAll(g.outputs().keySet());
        }
        if (lossId == null) throw new IllegalArgumentException("gradients: no output named '" + lossOutputName + "'; outputs: " + known);
        Map<String, Node> params = graph.parameters(), inputs = graph.inputs();
        int[] ids = new int[wrtParameterOrInputNames.size()];
        for (int i = 0; i < ids.length; i++) {
            String name = wrtParameterOrInputNames.get(i);
            Node p = params.get(name), in = inputs.get(name);
            if (p != null && in != null) {
                throw new IllegalArgumentException("gradients: '" + name + "' names both parameter %" + p.id() + " and input %" + in.id());
            }
            if (p == null && in == null) {
                throw new IllegalArgumentException("gradients: no parameter or input named '" + name + "'; parameters: "
                        + params.keySet() + ", inputs: " + inputs.keySet());
            }
            ids[i] = (p != null ? p : in).id();
        }
        return gradients(graph, lossId, ids);
    }

    /** Gradients of node {@code lossId} with respect to nodes {@code wrtIds}, all of {@code graph}'s chain. */
    public static Graph gradients(Graph graph, int lossId, int... wrtIds) {
        Node loss = node(graph, lossId, "loss");
        if (!loss.dtype().isFloat() || !isOneElement(loss.shape())) {
            throw new ShapeException("gradients: the loss must be a float scalar, but " + describe(loss) + " is "
                    + loss.dtype().label() + loss.shape());
        }
        return reverse(graph, lossId, b -> b.constant(ones(loss.dtype(), loss.shape())), wrtIds);
    }

    /**
     * The vector-Jacobian product {@code v^T J} of a non-scalar {@code output} (PyTorch's
     * {@code torch.autograd.grad(output, wrt, grad_outputs=v)}): a graph continuing {@code graph} with a new
     * input {@code cotangentName} of the output's dtype and shape (symbolic sizes included), fed at run
     * time, and outputs {@code grad:<name>} = {@code sum_i v_i d output_i / d w} for each {@code w}, as
     * {@link #gradients} names them. {@code gradients(g, loss, wrt)} is the case {@code v = 1} of a scalar.
     */
    public static Graph vjp(Graph graph, Tensor output, List<Tensor> wrt, String cotangentName) {
        int out = checkedId(graph, output);
        Node o = graph.node(out);
        if (!o.dtype().isFloat()) {
            throw new GradientException("vjp: the output " + describe(o) + " is " + o.dtype().label() + o.shape() + "; only float outputs have a Jacobian");
        }
        if (graph.inputs().containsKey(cotangentName)) {
            throw new IllegalArgumentException("vjp: the graph already has an input named '" + cotangentName + "'; choose another cotangent name");
        }
        int[] ids = new int[wrt.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = checkedId(graph, wrt.get(i));
        return reverse(graph, out, b -> b.input(cotangentName, o.dtype(), o.shape()), ids);
    }

    /**
     * The Jacobian-vector product {@code J v} of {@code output} in the directions {@code v_w} (forward mode,
     * PyTorch's {@code torch.autograd.functional.jvp}): a graph continuing {@code graph} with one new input per
     * {@code w}, named {@code tangentNames.get(i)} and shaped like {@code wrt.get(i)}, and the output
     * {@code jvp} = {@code sum_w (d output / d w) v_w}, shaped like {@code output}.
     *
     * <p>It transposes the reverse mode instead of propagating tangents through a rule per op: with
     * {@code u} a zero cotangent, {@code g(u) = u^T J} is linear in {@code u}, so
     * {@code d/du sum_w g_w(u) . v_w = J v}. This needs no rules of its own and works for every op whose
     * reverse-mode rule is differentiable (all of them: the rules are written with the {@code Tensor}
     * API), at the cost of about two backward passes.
     */
    public static Graph jvp(Graph graph, Tensor output, List<Tensor> wrt, List<String> tangentNames) {
        if (wrt.size() != tangentNames.size()) {
            throw new IllegalArgumentException("jvp: " + wrt.size() + " wrt tensors but " + tangentNames.size() + " tangent names");
        }
        int out = checkedId(graph, output);
        Node o = graph.node(out);
        int[] ids = new int[wrt.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = checkedId(graph, wrt.get(i));
        // u: a zero cotangent inside the chain; only d/du of a function linear in u is read, so its value never matters
        int[] u = new int[1];
        Graph g1 = reverse(graph, out, b -> {
            Tensor z = zeros(b, o);
            u[0] = z.id();
            return z;
        }, ids);
        GraphBuilder b = new GraphBuilder(g1);
        Tensor s = null;
        for (int i = 0; i < ids.length; i++) {
            Node w = graph.node(ids[i]);
            if (g1.inputs().containsKey(tangentNames.get(i))) {
                throw new IllegalArgumentException("jvp: the graph already has an input named '" + tangentNames.get(i) + "'");
            }
            Tensor v = b.input(tangentNames.get(i), w.dtype(), w.shape());
            Tensor term = b.tensor(g1.outputs().get(outputName(w))).mul(v).sum();
            s = s == null ? term : s.add(term);
        }
        Graph g1s = b.build();
        Graph g2 = gradients(g1s, s.id(), u[0]);
        GraphBuilder c = new GraphBuilder(g2);
        c.output("jvp", c.tensor(g2.outputs().values().iterator().next()));
        return c.build();
    }

    /** The reverse walk from node {@code lossId}, whose gradient is seeded by {@code seed} in the new builder. */
    @SuppressWarnings("try") // a scope is entered for its side effect on the builder
    private static Graph reverse(Graph graph, int lossId, java.util.function.Function<GraphBuilder, Tensor> seed, int... wrtIds) {
        Node loss = node(graph, lossId, "loss");
        Set<Integer> seen = new HashSet<>();
        for (int w : wrtIds) {
            Node n = node(graph, w, "wrt");
            if (!seen.add(w)) throw new IllegalArgumentException("gradients: wrt node " + describe(n) + " is listed twice");
            if (!n.dtype().isFloat()) {
                throw new GradientException("gradients: wrt " + describe(n) + " is " + n.dtype().label() + n.shape()
                        + "; gradients exist for float tensors only (loss " + describe(loss) + ")");
            }
        }

        List<Node> all = graph.allNodes();
        boolean[] fromWrt = new boolean[lossId + 1];
        for (int w : wrtIds) if (w <= lossId) fromWrt[w] = true;
        flowForward(all, fromWrt);
        boolean[] toLoss = new boolean[lossId + 1];
        toLoss[lossId] = true;
        for (int id = lossId; id >= 0; id--) {
            if (!toLoss[id]) continue;
            Node n = all.get(id);
            for (int i = 0; i < n.arity(); i++) if (carries(n, i, all)) toLoss[n.input(i)] = true;
        }
        boolean[] relevant = new boolean[lossId + 1];
        for (int id = 0; id <= lossId; id++) relevant[id] = fromWrt[id] && toLoss[id];
        for (int w : wrtIds) if (w <= lossId && !relevant[w]) checkNotBlocked(all, loss, w);

        GraphBuilder b = new GraphBuilder(graph);
        Tensor[] grad = new Tensor[lossId + 1];
        try (var scope = b.scope(SCOPE)) {
            Tensor seeded = seed.apply(b);
            if (relevant[lossId]) grad[lossId] = seeded;
            // slices' scattered gradients by target, joined at the target's turn (every contribution comes from a later id)
            Map<Integer, List<Tensor>> pending = new java.util.HashMap<>();
            for (int id = lossId; id >= 0; id--) {
                Node n = all.get(id);
                List<Tensor> pieces = pending.remove(id);
                if (pieces != null) grad[id] = accumulate(grad[id], pieces);
                if (!relevant[id] || grad[id] == null || n.arity() == 0) continue;
                boolean[] need = new boolean[n.arity()];
                boolean any = false;
                for (int i = 0; i < need.length; i++) {
                    need[i] = relevant[n.input(i)] && carries(n, i, all);
                    any |= need[i];
                }
                if (!any) continue;
                Tensor g = grad[id];
                int product = ATTENTION_SUMS ? attentionProduct(all, n, relevant, lossId) : -1;
                Tensor dO = product < 0 ? null : grad[product], o = dO == null ? null : b.tensor(product);
                Tensor[] c = dO == null ? withScope(b, n.scope(), () -> Vjp.contributions(n, g, need, b))
                        : withScope(b, n.scope(), () -> new Tensor[] {Vjp.softmaxGradient(b.tensor(n.id()), g, dO.mul(o).sum(-1, true))});
                for (int i = 0; i < need.length; i++) {
                    if (!need[i] || c[i] == null) continue;
                    Node target = all.get(n.input(i));
                    checkContribution(n, i, target, c[i]);
                    int t = target.id();
                    if (isPiece(c[i])) {
                        pending.computeIfAbsent(t, k -> new ArrayList<>()).add(c[i]);
                    } else {
                        grad[t] = grad[t] == null ? c[i] : grad[t].add(c[i]);
                    }
                }
            }
            for (int w : wrtIds) {
                Node wn = all.get(w);
                Tensor gw = w <= lossId ? grad[w] : null;
                b.output(outputName(wn), gw != null ? gw : zeros(b, wn));
            }
        }
        return b.build();
    }

    /** System property: {@code false} adds slices' scattered gradients as they are ({@link #accumulate}), to compare. */
    static final String JOIN_SLICES_PROPERTY = "jasg.autograd.joinSlices";

    /**
     * {@code sum} (null: none yet) plus the scattered gradients of slices {@code cs} ({@link #isPiece}), added in the order
     * they came. Pieces of one axis that meet end to end are first joined: one scatter of their concatenation, in the place
     * of the first of them, or the concatenation itself where it covers the whole axis. An LSTM's four gates, a packed
     * q, k, v projection or any chunked tensor then gets its gradient as one concatenation of the pieces' gradients, not
     * as a sum of full-size tensors that are zero outside one piece. The same values (each element is one piece's, plus
     * zeros the sum would have added; a -0.0 stays -0.0 where the sum gave +0.0). {@value #JOIN_SLICES_PROPERTY}{@code =false}
     * adds them as they are. A node's other contributions are added as they come, as before.
     */
    static Tensor accumulate(Tensor sum, List<Tensor> cs) {
        // by arrival; a run of pieces that meet takes the place of its first arrival, its other pieces become null
        Tensor[] terms = cs.toArray(Tensor[]::new);
        if (!"false".equals(System.getProperty(JOIN_SLICES_PROPERTY))) {
            Integer[] order = new Integer[terms.length];
            for (int j = 0; j < order.length; j++) order[j] = j;
            // pieces of one axis, size and dtype side by side, by start
            java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingInt(j -> scatter(terms[j]).axis())
                    .thenComparingInt(j -> scatter(terms[j]).size()).thenComparing(j -> terms[j].dtype()).thenComparingInt(j -> start(terms[j])));
            for (int lo = 0, hi; lo < order.length; lo = hi + 1) {
                hi = lo;
                while (hi + 1 < order.length && meet(terms[order[hi]], terms[order[hi + 1]])) hi++;
                if (hi == lo) continue;
                Op.SliceScatter first = scatter(terms[order[lo]]);
                Tensor[] pieces = new Tensor[hi - lo + 1];
                int place = Integer.MAX_VALUE;
                for (int r = lo; r <= hi; r++) {
                    pieces[r - lo] = piece(terms[order[r]]);
                    place = Math.min(place, order[r]);
                }
                Tensor joined = Tensor.concat(first.axis(), pieces);
                int from = first.start(), to = end(terms[order[hi]]);
                Tensor run = from == 0 && to == first.size() ? joined
                        : joined.builder().apply(new Op.SliceScatter(first.axis(), from, 1, first.size()), joined);
                for (int r = lo; r <= hi; r++) terms[order[r]] = null;
                terms[place] = run;
            }
        }
        for (Tensor t : terms) if (t != null) sum = sum == null ? t : sum.add(t);
        return sum;
    }

    /** Whether piece {@code b} starts where piece {@code a} ends, along the same axis of a tensor of the same size and dtype. */
    private static boolean meet(Tensor a, Tensor b) {
        Op.SliceScatter x = scatter(a), y = scatter(b);
        return x.axis() == y.axis() && x.size() == y.size() && a.dtype() == b.dtype() && end(a) == y.start();
    }

    private static Op.SliceScatter scatter(Tensor t) {
        return (Op.SliceScatter) t.node().op();
    }

    /** Whether contribution {@code c} is a slice's scattered gradient of unit step ({@link #accumulate}'s pieces). */
    private static boolean isPiece(Tensor c) {
        return c.node().op() instanceof Op.SliceScatter s && s.step() == 1;
    }

    /** The scattered piece of a slice scatter {@code t}. */
    private static Tensor piece(Tensor t) {
        return t.builder().tensor(t.node().input(0));
    }

    private static int start(Tensor t) {
        return scatter(t).start();
    }

    /** Where the piece of slice scatter {@code t} (unit step) ends along its axis. */
    private static int end(Tensor t) {
        return start(t) + piece(t).shape().dim(scatter(t).axis());
    }

    /**
     * Whether a softmax whose value only the product {@code P V} reads takes its gradient's row sums from that product's
     * result ({@link #attentionProduct}); {@code -Djasg.autograd.attentionSums=false} keeps the sums over the softmax's
     * own rows, for comparison.
     */
    static final boolean ATTENTION_SUMS = !"false".equals(System.getProperty("jasg.autograd.attentionSums"));

    /**
     * The id of the product {@code O = P V} when node {@code n} is a softmax {@code P} over its last axis whose value
     * reaches the loss through that product alone, as its left operand of the same rank and batch (attention's weights
     * applied to the values); else -1. Then the gradient's row sums {@code sum_j dP_ij P_ij}, with
     * {@code dP = dO V^T}, equal {@code sum_d dO_id O_id}: sums over the product's narrow rows (a head's 64 values)
     * instead of the softmax's wide ones (every key), computed before {@code dP} exists. What is left of the softmax's
     * gradient, {@code P (dP - D)}, is elementwise over {@code dP}, so a backend can apply it as the epilogue of the
     * product that makes {@code dP} instead of writing {@code dP} and reading it back with {@code P} for the sums (the
     * row sums FlashAttention's backward takes the same way). Equal to the plain rule in exact arithmetic; in floating
     * point the sums are taken in another order.
     */
    private static int attentionProduct(List<Node> all, Node n, boolean[] relevant, int lossId) {
        if (!(n.op() instanceof Op.Softmax s) || n.id() == lossId || n.shape().rank() < 2 || !n.dtype().isFloat()) return -1;
        int rank = n.shape().rank();
        if (n.shape().axis(s.axis()) != rank - 1) return -1;
        int product = -1;
        for (int id = n.id() + 1; id <= lossId; id++) {
            Node m = all.get(id);
            for (int i = 0; i < m.arity(); i++) {
                if (m.input(i) != n.id() || !relevant[id] || !carries(m, i, all)) continue;
                if (product >= 0 || i != 0 || !(m.op() instanceof Op.MatMul)) return -1;
                product = id;
            }
        }
        if (product < 0) return -1;
        Node o = all.get(product);
        Node v = all.get(o.input(1));
        // P [.., L, S] and V [.., S, D] of one rank and batch, O [.., L, D] of P's dtype: no broadcast to sum back over
        if (o.input(1) == n.id() || v.shape().rank() != rank || o.shape().rank() != rank || o.dtype() != n.dtype()) return -1;
        for (int d = 0; d < rank - 2; d++) {
            if (!n.shape().sameDim(d, v.shape(), d) || !n.shape().sameDim(d, o.shape(), d)) return -1;
        }
        return product;
    }

    /**
     * False for the ops that pass no gradient to their inputs because their result is
     * piecewise constant or not a float: comparisons, arg-max/arg-min and casts to a
     * non-float dtype, arg-sort, and {@code detach}, which exists to pass none. Ops whose gradient is identically zero but defined ({@code sign},
     * {@code count}) are differentiable.
     */
    public static boolean isDifferentiable(Op op) {
        return switch (op) {
            case Op.Compare c -> false;
            case Op.ArgReduce a -> false;
            case Op.ArgSort a -> false;
            case Op.Cast c -> c.to().isFloat();
            case Op.StopGradient s -> false;
            case Op.Input i -> true;
            case Op.Parameter p -> true;
            case Op.Constant c -> true;
            case Op.Unary u -> true;
            case Op.Binary b -> true;
            case Op.Where w -> true;
            case Op.Reduce r -> true;
            case Op.Count c -> true;
            case Op.MatMul m -> true;
            case Op.Reshape r -> true;
            case Op.Permute p -> true;
            case Op.Expand e -> true;
            case Op.Slice s -> true;
            case Op.SliceScatter s -> true;
            case Op.Concat c -> true;
            case Op.Softmax s -> true;
            case Op.LogSoftmax s -> true;
            case Op.Gather g -> true;
            case Op.ScatterAdd s -> true;
            case Op.DropoutMask d -> true;
            case Op.Normalize n -> true;
            case Op.Conv2d c -> true;
            case Op.ConvTranspose2d c -> true;
            case Op.Conv2dWeightGrad c -> true;
            case Op.MaxPoolSelect m -> true;
            case Op.MaxPoolScatter m -> true;
            case Op.CumSum c -> true;
            case Op.CumProd c -> true;
            case Op.Linalg l -> l.kind() != dev.jasg.core.LinalgOp.SLOGDET_SIGN;
            case Op.Attention a -> true;
            case Op.AttentionStats a -> true; // (its gradient is refused with a clear error: Vjp)
            case Op.AttentionGrad a -> true;
        };
    }

    /** The output name of the gradient of {@code w}: {@code grad:name} for parameters and inputs, else {@code grad:%id}. */
    public static String outputName(Node w) {
        if (w.op() instanceof Op.Parameter p) return "grad:" + p.name();
        if (w.op() instanceof Op.Input i) return "grad:" + i.name();
        return "grad:%" + w.id();
    }

    /** True when input {@code i} of {@code n} passes gradient: a differentiable op between float tensors, and not a mask. */
    private static boolean carries(Node n, int i, List<Node> all) {
        if (n.op() instanceof Op.Where && i == 0) return false;
        return isDifferentiable(n.op()) && n.dtype().isFloat() && all.get(n.input(i)).dtype().isFloat();
    }

    /** Marks every node reached from a marked one over gradient-carrying edges (ids are topological). */
    private static void flowForward(List<Node> all, boolean[] marked) {
        for (int id = 0; id < marked.length; id++) {
            if (marked[id]) continue;
            Node n = all.get(id);
            for (int i = 0; i < n.arity(); i++) {
                if (marked[n.input(i)] && carries(n, i, all)) {
                    marked[id] = true;
                    break;
                }
            }
        }
    }

    /**
     * Throws when the loss depends on {@code w} but no gradient can flow from it: names the
     * first node where the dependence passes through an op without a gradient.
     */
    private static void checkNotBlocked(List<Node> all, Node loss, int w) {
        int lossId = loss.id();
        boolean[] ancestor = new boolean[lossId + 1];
        ancestor[lossId] = true;
        for (int id = lossId; id >= 0; id--) {
            if (ancestor[id]) for (int in : all.get(id).inputs()) ancestor[in] = true;
        }
        if (!ancestor[w]) return; // independent: a zero gradient, not an error
        boolean[] reach = new boolean[lossId + 1];
        reach[w] = true;
        flowForward(all, reach);
        for (int id = w + 1; id <= lossId; id++) {
            if (!ancestor[id] || reach[id]) continue;
            Node n = all.get(id);
            for (int i = 0; i < n.arity(); i++) {
                if (reach[n.input(i)]) {
                    throw new GradientException("gradients: the loss " + describe(loss) + " depends on wrt " + describe(all.get(w))
                            + " only through " + describe(n) + " (input " + i + "), which passes no gradient"
                            + " (comparisons, arg-max/arg-min, casts to integer or bool and mask inputs have none)");
                }
            }
        }
        throw new IllegalStateException("gradients: no blocking node found between " + describe(all.get(w)) + " and " + describe(loss));
    }

    private static void checkContribution(Node n, int i, Node target, Tensor c) {
        if (!c.shape().equals(target.shape()) || c.dtype() != target.dtype()) {
            throw new GradientException("gradients: the rule of " + describe(n) + " gave " + c.dtype().label() + c.shape()
                    + " for input " + i + ", " + describe(target) + " of " + target.dtype().label() + target.shape());
        }
    }

    private static Tensor zeros(GraphBuilder b, Node w) {
        Tensor x = b.tensor(w.id());
        if (!w.shape().isConcrete()) return x.mul(0);
        return b.scalar(0, w.dtype()).broadcastTo(w.shape());
    }

    private static HostTensor ones(DType dtype, Shape shape) {
        double[] v = new double[shape.sizeInt()];
        Arrays.fill(v, 1);
        return HostTensor.fromDoubles(dtype, shape, v);
    }

    private static boolean isOneElement(Shape s) {
        for (int i = 0; i < s.rank(); i++) if (!s.isOne(i)) return false;
        return true;
    }

    @SuppressWarnings("try") // a scope is entered for its side effect on the builder
    private static <T> T withScope(GraphBuilder b, String scope, Supplier<T> body) {
        if (scope.isEmpty()) return body.get();
        try (var s = b.scope(scope)) {
            return body.get();
        }
    }

    private static Node node(Graph graph, int id, String role) {
        if (id < 0 || id >= graph.size()) {
            throw new IllegalArgumentException("gradients: " + role + " id " + id + " is not a node of a graph chain of " + graph.size() + " nodes");
        }
        return graph.node(id);
    }

    private static int checkedId(Graph graph, Tensor t) {
        if (t.id() >= graph.size() || graph.node(t.id()) != t.node()) {
            throw new IllegalArgumentException("gradients: tensor " + t + " is not a node of " + graph
                    + " or the graphs it continues; build the graph after adding it");
        }
        return t.id();
    }

    /** {@code %id op 'path'}, how errors name a node. */
    static String describe(Node n) {
        return "%" + n.id() + " " + n.op().label() + " '" + n.path() + "'";
    }
}
