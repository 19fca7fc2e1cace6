package dev.jasg.gpu;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.Shape;
import dev.jasg.core.Strides;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The plan-time fusion rewrite of the Vulkan backend: which nodes one generated kernel computes together.
 *
 * <p>A <b>group</b> is a tree of elementwise nodes (unary, binary, comparison, where, a cast that rounds)
 * of one output shape, ending at its <b>root</b>: every other member has a single consumer, that consumer
 * is a member, and it is neither an output nor an assigned value, so nothing outside the group ever reads
 * it. A group may also hold one <b>anchor</b> at its bottom: a matrix product whose single consumer is a
 * member, so that the product's kernel applies the group on its accumulator before it stores (the matmul
 * epilogue: bias, activation, residual; not a group computing exponentials over a large product's result,
 * {@link #anchors}). A reduction (sum, mean, max, min over some axes) whose operand is such a tree's root with no
 * other reader takes the tree as its <b>prologue</b>: it computes each element it folds instead of reading it
 * (softmax's and layer norm's gradients, a loss {@code mean(x^2)}). A normalisation may be the anchor as a product
 * is (layer norm's scale and shift applied as it stores; at most four externals, as for a prologue). The group's
 * operands from outside (<b>externals</b>, at most {@link #MAX_EXTERNALS})
 * are read at the root's flat index {@code i} as {@code e[(i / a) % b]}: the whole
 * shape ({@code a = 1, b = count}), a scalar ({@code b = 1}) or one contiguous block of its axes, as a
 * bias row ({@code a = 1, b = D}) or a per-row column ({@code a = D}); a node with an operand broadcast
 * any other way is not fused.
 *
 * <p>A <b>row gradient</b> ({@link RowGradient}: layer norm's, softmax's or log-softmax's gradient as asg-autograd writes it
 * from reductions and elementwise ops) is recognised first: its reductions and combine become one workgroup-per-row
 * kernel, whose root may anchor a group above it as a product does (the residual gradient's add, attention's scale), and
 * whose {@code g}, when an elementwise tree read by the pattern alone computes it (layer norm's {@code dy * w}), is
 * computed per element from that tree ({@link RowGradient#gTree}) instead of read.
 *
 * <p>Members other than the root and the anchor compute nothing and take no storage (the plan makes
 * them views of their first operand, which nothing reads through them); the root's step reads the
 * externals and the anchor's operands, so the plan keeps them alive until the root's step ({@link #lastRead}). Permutes
 * swapping the last two axes of a product's operand or result are absorbed the same way where the product can read or write
 * the other layout ({@link #layout}, {@link #transposedResult}); a permute that keeps its last axis, read from a product's
 * result alone, is stored by that product ({@link #permutedResult}); a softmax along the last axis of a product read by it
 * alone is computed by that product's kernel as it stores ({@link #softmaxProduct}). Immutable once made; thread-safe.
 */
final class Fusion {
    /** Most operands from outside a group (storage buffers and two push constants each). */
    static final int MAX_EXTERNALS = 6;

    /**
     * One fused group: its root, its anchor (a matmul node, or -1), its members in schedule order (the root
     * last, the anchor not among them; for a reduction's prologue the root is the reduction, not a member, and the
     * last member is its operand) and its externals in order of first use. {@code siblings}: members other than the root
     * whose values the kernel stores too (assigned values of a plain group merged into the group that
     * reads them), in schedule order; empty for every other group.
     */
    record Group(int root, int anchor, List<Integer> members, List<Integer> externals, RowGradient rows, List<Integer> siblings) {
        Group(int root, int anchor, List<Integer> members, List<Integer> externals, RowGradient rows) {
            this(root, anchor, members, externals, rows, List.of());
        }

        Group(int root, int anchor, List<Integer> members, List<Integer> externals) {
            this(root, anchor, members, externals, null);
        }

        /** A group of elementwise members only: no anchor, row gradient or prologue (one flat kernel, {@code fused.comp}). */
        boolean plain() {
            return anchor < 0 && rows == null && !prologue();
        }

        /** True when the root is a reduction reading the members' value instead of its operand (a prologue). */
        boolean prologue() {
            return rows == null && (members.isEmpty() || members.get(members.size() - 1) != root);
        }

        /** What the anchor's kernel reads: a row gradient's operands ({@link RowGradient#operands}), else the anchor's inputs. */
        List<Integer> anchorOperands(Graph g) {
            if (rows != null) return rows.operands();
            return Arrays.stream(g.node(anchor).inputs()).boxed().toList();
        }
    }

    /** Most operands from outside a reduction's prologue or a normalisation's epilogue (their push constants leave room for four). */
    static final int MAX_PROLOGUE_EXTERNALS = 4;

    private final Map<Integer, Group> byRoot;
    private final Set<Integer> absorbed;
    private final Map<Integer, Integer> readUntil;
    private final Map<Integer, MatMulKernel.Layout> layouts;

    private final Map<Integer, Integer> transposedResults;
    /** Per sibling ({@link Group#siblings}): the root of the group whose kernel computes and stores it. */
    private final Map<Integer, Integer> siblingOf;
    /** Per permute computed by the product under it ({@link #permutedResult}). */
    private final Map<Integer, PermutedResult> permutedResults;
    /** The producers those permutes run ({@link #deferred}). */
    private final Set<Integer> deferred;
    /** Per softmax computed by the product under it ({@link #softmaxProduct}). */
    private final Map<Integer, SoftmaxProduct> softmaxProducts;

    private Fusion(Map<Integer, Group> byRoot, Set<Integer> absorbed, Map<Integer, Integer> readUntil, Map<Integer, MatMulKernel.Layout> layouts,
                   Map<Integer, Integer> transposedResults, Map<Integer, Integer> siblingOf, Map<Integer, PermutedResult> permutedResults,
                   Map<Integer, SoftmaxProduct> softmaxProducts) {
        this.byRoot = byRoot;
        this.absorbed = absorbed;
        this.readUntil = readUntil;
        this.layouts = layouts;
        this.transposedResults = transposedResults;
        this.siblingOf = siblingOf;
        this.permutedResults = permutedResults;
        this.softmaxProducts = softmaxProducts;
        Set<Integer> d = new java.util.HashSet<>();
        for (PermutedResult r : permutedResults.values()) d.add(r.producer());
        this.deferred = Set.copyOf(d);
    }

    /**
     * A permute whose value the computation of its operand stores directly ({@link #permutedResult}): {@code producer} is a
     * product, the root of a group anchored on one, or a permute computing a product's result transposed
     * ({@link #transposedResult}); {@code remap} says where each element of the product's result goes.
     */
    record PermutedResult(int producer, MatMulKernel.Remap remap) {}

    /**
     * What computes permute {@code id}'s value at its step, or null: the product (or group, or transposed result) under it,
     * which stores its result permuted ({@link MatMulKernel.Remap}) instead of the permute copying it. The producer is then
     * {@link #deferred}: it runs no step of its own. Attention's heads: the projections' results split into heads and the
     * per-head products' merged back, forward and backward, with no copies.
     */
    PermutedResult permutedResult(int id) {
        return permutedResults.get(id);
    }

    /** True when {@code id} is computed at a later permute's step instead of its own ({@link #permutedResult}). */
    boolean deferred(int id) {
        return deferred.contains(id);
    }

    /**
     * A softmax computed by the product under it ({@link #softmaxProduct}): {@code product}, its result multiplied by
     * {@code scale} first (1 where no scale stood between them).
     */
    record SoftmaxProduct(int product, float scale) {}

    /**
     * What computes softmax {@code id} as it stores ({@code matmul.comp SOFTMAX}), or null: a product whose only reader is
     * the softmax, along its last axis, or a scalar constant's multiple of it (the group of the product's epilogue that
     * multiplies alone: attention's scale where it is no power of two), where a workgroup holds whole rows ({@link SoftmaxStores}).
     * The product (and the multiple) is absorbed: it runs no step and takes no storage. Attention's {@code softmax(q k^T)}
     * is then one pass whose scores never reach memory, instead of a product storing them and a softmax reading them back.
     */
    SoftmaxProduct softmaxProduct(int id) {
        return softmaxProducts.get(id);
    }

    /**
     * Whether a product can store its result as its rows' softmax ({@link Lowering#storesSoftmax}): its operands' and its
     * result's dtype, and the operands' dims as its kernel reads them and how ({@code layout}).
     */
    interface SoftmaxStores {
        boolean accepts(dev.jasg.core.DType operand, dev.jasg.core.DType result, int[] ad, int[] bd, MatMulKernel.Layout layout);
    }

    /**
     * Whether a product can store its result permuted ({@link Lowering#storesPermuted}): its operands' and its result's dtype,
     * the operands' dims as its kernel reads them and how ({@code layout}), and its epilogue's slots when it has one.
     */
    interface PermutedStores {
        boolean accepts(dev.jasg.core.DType operand, dev.jasg.core.DType result, int[] ad, int[] bd, boolean epilogue, int slots,
                        MatMulKernel.Layout layout);
    }

    /**
     * The root of the group that computes and stores {@code id} as one of its {@link Group#siblings}, or -1: such a node runs
     * no step of its own and has storage of its own (it is no view), written at that root's step.
     */
    int siblingOf(int id) {
        return siblingOf.getOrDefault(id, -1);
    }

    /** The node whose step writes {@code id}'s value: the group root of a sibling, else {@code id}. */
    int writtenAt(int id) {
        return siblingOf.getOrDefault(id, id);
    }

    /**
     * The product whose result permute {@code id} (swapping the last two axes, its only reader) computes as {@code B^T A^T},
     * the operands swapped and each read the other way ({@link MatMulKernel.Layout#swapped}), or -1: the product itself is
     * then absorbed (a weight gradient {@code (x^T g)^T} written as {@code g^T x}, W's layout, instead of a copy after it).
     */
    int transposedResult(int id) {
        return transposedResults.getOrDefault(id, -1);
    }

    /** True when product {@code id} reads its A through an absorbed permute, that is, transposed. */
    boolean transposedA(int id) {
        return layout(id).transA();
    }

    /** True when product {@code id} reads its B through an absorbed permute, that is, transposed. */
    boolean transposedB(int id) {
        return layout(id).transB();
    }

    /** How product {@code id} reads its operands: transposed where they are absorbed permutes ({@link #plan}). */
    MatMulKernel.Layout layout(int id) {
        return layouts.getOrDefault(id, MatMulKernel.Layout.PLAIN);
    }

    /** True when {@code perm} keeps every axis but swaps the last two. */
    static boolean swapsLastTwo(dev.jasg.core.Ints perm) {
        int r = perm.size();
        if (r < 2 || perm.get(r - 1) != r - 2 || perm.get(r - 2) != r - 1) return false;
        for (int i = 0; i < r - 2; i++) if (perm.get(i) != i) return false;
        return true;
    }

    /** No fusion (checked or profiled plans, where every node's value or time is wanted). */
    static Fusion none() {
        return new Fusion(Map.of(), Set.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** The group whose root is {@code id}, or null. */
    Group group(int id) {
        return byRoot.get(id);
    }

    /** Every group, by root. */
    Map<Integer, Group> groups() {
        return byRoot;
    }

    /** True when {@code id} is a member or anchor of a group other than its root: it computes nothing. */
    boolean absorbed(int id) {
        return absorbed.contains(id);
    }

    /** The last step reading {@code id}: later than the graph says for a group's external. */
    int lastRead(int id, int lastUse) {
        Integer r = readUntil.get(id);
        return r == null ? lastUse : Math.max(lastUse, r);
    }

    /** True when {@code n} may be a member: an elementwise op that is not a view. */
    static boolean elementwise(Node n, Program.Binding b, Graph g) {
        if (Lowering.isView(n, b, g)) return false;
        return switch (n.op()) {
            case Op.Unary u -> true;
            case Op.Binary x -> true;
            case Op.Compare c -> true;
            case Op.Where w -> true;
            case Op.Cast c -> true;
            case Op.Input i -> false;
            case Op.Parameter p -> false;
            case Op.Constant c -> false;
            case Op.Count c -> false;
            case Op.Reduce r -> false;
            case Op.ArgReduce a -> false;
            case Op.MatMul m -> false;
            case Op.Reshape r -> false;
            case Op.StopGradient s -> false;
            case Op.Permute p -> false;
            case Op.Expand e -> false;
            case Op.Slice s -> false;
            case Op.SliceScatter s -> false;
            case Op.Concat c -> false;
            case Op.Linalg l -> false;
            case Op.Attention a -> false;
            case Op.AttentionStats a -> false;
            case Op.AttentionGrad a -> false;
            case Op.Softmax s -> false;
            case Op.LogSoftmax s -> false;
            case Op.Gather x -> false;
            case Op.ScatterAdd s -> false;
            case Op.DropoutMask d -> false;
            case Op.Normalize z -> false;
            case Op.Conv2d c -> false;
            case Op.ConvTranspose2d c -> false;
            case Op.Conv2dWeightGrad c -> false;
            case Op.MaxPoolSelect m -> false;
            case Op.MaxPoolScatter m -> false;
            case Op.CumSum c -> false;
            case Op.CumProd c -> false;
            case Op.ArgSort a -> false;
        };
    }

    /**
     * The groups of {@code program} under {@code b}: from the last scheduled node back, each elementwise node
     * not yet taken starts a group and takes the operands it may (see the class comment), depth first.
     */
    static Fusion plan(Program program, Program.Binding b, int maxStorageBuffers) {
        return plan(program, b, maxStorageBuffers, true);
    }

    /** The groups, with row gradients ({@link RowGradient}) recognised or not (timing and plan tests compare both). */
    static Fusion plan(Program program, Program.Binding b, int maxStorageBuffers, boolean rowGradients) {
        return plan(program, b, maxStorageBuffers, rowGradients, n -> false);
    }

    /**
     * The groups, and the permutes swapping the last two axes that need no copy: such a permute computes nothing (a view of its
     * operand, {@link #absorbed}) when every reader reads its operand transposed in place, that is, each is a product taking it
     * as A or as B (both when it is both) that {@code readsTransposed} accepts ({@link #layout}: {@code TRANS_A}, {@code TRANS_B}),
     * or a second such permute, which is then its operand's operand as it is (a view too: a Linear layer's {@code W^T} read by
     * the forward product, and {@code (W^T)^T} by the backward's {@code dy W}; attention's {@code k^T} likewise). A permute
     * anything else reads (an output, an elementwise op) keeps its copy. Then a product whose only reader is such a permute of
     * its result computes the permute's value itself ({@link #transposedResult}).
     */
    static Fusion plan(Program program, Program.Binding b, int maxStorageBuffers, boolean rowGradients, java.util.function.Predicate<Node> readsTransposed) {
        return plan(program, b, maxStorageBuffers, rowGradients, readsTransposed, (o, r, ad, bd, e, sl, l) -> false);
    }

    /**
     * As above, and the permutes that the product computing their operand can store itself ({@link #permutedResult}), where
     * {@code permutedStores} accepts that product: a permute (not a view) whose operand, or the operand of the reshape it reads
     * (read by it alone, neither kept), is read by it alone, is no output or assigned value, and is a product, the root of a
     * group anchored on one, or a transposed result, with a {@link MatMulKernel.Remap} for the permute.
     */
    static Fusion plan(Program program, Program.Binding b, int maxStorageBuffers, boolean rowGradients, java.util.function.Predicate<Node> readsTransposed,
                       PermutedStores permutedStores) {
        return plan(program, b, maxStorageBuffers, rowGradients, readsTransposed, permutedStores, (o, r, ad, bd, l) -> false);
    }

    /**
     * As above, and the softmaxes that the product under them computes as it stores ({@link #softmaxProduct}), where
     * {@code softmaxStores} accepts that product: a softmax (not a view) along its last axis whose operand is a product
     * read by it alone, no output or assigned value, not taken by an earlier rule.
     */
    static Fusion plan(Program program, Program.Binding b, int maxStorageBuffers, boolean rowGradients, java.util.function.Predicate<Node> readsTransposed,
                       PermutedStores permutedStores, SoftmaxStores softmaxStores) {
        // the matmul epilogue binds three buffers of its own
        int maxExternals = Math.min(MAX_EXTERNALS, maxStorageBuffers - 3);
        Graph g = program.graph();
        List<Node> schedule = program.schedule();
        Map<Integer, Integer> step = new HashMap<>();
        Map<Integer, Integer> consumers = new HashMap<>();
        Map<Integer, Integer> consumer = new HashMap<>();
        for (int s = 0; s < schedule.size(); s++) {
            Node n = schedule.get(s);
            step.put(n.id(), s);
            // a count reads only its operand's shape (uploaded when the plan is made), not its values: no consumer (a mean's
            // gradient divides by the count of the mean's operand, which had kept mean(x^2)'s square out of its prologue)
            if (n.op() instanceof Op.Count) continue;
            for (int i : Arrays.stream(n.inputs()).distinct().toArray()) {
                consumers.merge(i, 1, Integer::sum);
                consumer.put(i, n.id());
            }
        }
        Set<Integer> kept = new java.util.HashSet<>(program.outputs().values());
        for (Graph.Assignment a : program.assignments()) kept.add(a.value());

        Map<Integer, Group> byRoot = new HashMap<>();
        Set<Integer> taken = new java.util.HashSet<>();
        Map<Integer, Integer> readUntil = new HashMap<>();
        // row gradients (RowGradient) first: their reductions and combine become one kernel, the anchor of any group above
        Map<Integer, RowGradient> rows = new HashMap<>();
        int rowOperands = 3;  // the layer norm's y, g and x, besides its output
        if (rowGradients && maxStorageBuffers > rowOperands + 1) {
            for (int s = schedule.size() - 1; s >= 0; s--) {
                Node n = schedule.get(s);
                if (taken.contains(n.id())) continue;
                RowGradient m = RowGradient.match(g, b, n, consumers, id -> !taken.contains(id) && !kept.contains(id));
                if (m == null) continue;
                taken.addAll(m.inner());
                Group tree = gTree(m, g, b, consumers, consumer, step, taken, kept, rows, maxStorageBuffers);
                if (tree != null) {
                    m = m.withG(tree);
                    taken.addAll(tree.members());
                }
                rows.put(n.id(), m);
            }
        }
        for (int s = schedule.size() - 1; s >= 0; s--) {
            Node root = schedule.get(s);
            if (taken.contains(root.id())) continue;
            RowGradient own = rows.get(root.id());
            if (own != null) {  // no group above took it as its anchor: the row kernel alone
                Group group = new Group(root.id(), root.id(), List.of(), List.of(), own);
                byRoot.put(root.id(), group);
                taken.add(root.id());
                for (int e : own.operands()) readUntil.merge(e, s, Math::max);
                continue;
            }
            // a reduction's prologue: its operand's tree, read in place of the operand
            boolean prologue = root.op() instanceof Op.Reduce r && r.axes().size() > 0 && !Lowering.isView(root, b, g) && prologueOperand(root, b, g,
                    consumers, taken, kept) && !rows.containsKey(root.input(0));
            if (!prologue && !fusable(root, b, g)) continue;
            int top = prologue ? root.input(0) : root.id();
            int limit = prologue ? Math.min(maxExternals, MAX_PROLOGUE_EXTERNALS) : maxExternals;
            int[] od = b.shape(top).dims();
            Set<Integer> members = new LinkedHashSet<>(List.of(top));
            int anchor = -1;
            List<Integer> work = new ArrayList<>(List.of(top));
            while (!work.isEmpty()) {
                Node m = g.node(work.remove(work.size() - 1));
                for (int x : m.inputs()) {
                    if (members.contains(x) || x == anchor || taken.contains(x) || kept.contains(x)) continue;
                    if (consumers.getOrDefault(x, 0) != 1 || consumer.get(x) != m.id() || !step.containsKey(x)) continue;
                    if (!Arrays.equals(b.shape(x).dims(), od)) continue;
                    Node xn = g.node(x);
                    boolean normalize = xn.op() instanceof Op.Normalize && !Lowering.isView(xn, b, g);
                    boolean row = rows.containsKey(x);
                    boolean asAnchor = !prologue && anchor < 0 && (xn.op() instanceof Op.MatMul || normalize || row);
                    if (!asAnchor && (row || !fusable(xn, b, g))) continue;
                    Set<Integer> trial = new LinkedHashSet<>(members);
                    if (!asAnchor) trial.add(x);
                    int cap = asAnchor && normalize ? Math.min(limit, MAX_PROLOGUE_EXTERNALS)
                            : asAnchor && row ? Math.min(Math.min(limit, rows.get(x).slotsLeft()), maxStorageBuffers - 1 - rows.get(x).operands().size())
                            : limit;
                    if (externals(trial, asAnchor ? x : anchor, g).size() > cap) continue;
                    limit = cap;
                    if (asAnchor) {
                        anchor = x;
                    } else {
                        members.add(x);
                        work.add(x);
                    }
                }
            }
            if (anchor >= 0 && !anchors(g.node(anchor), members, b, g) && externals(members, -1, g).size() <= limit) anchor = -1;
            if (members.size() == 1 && anchor < 0 && !prologue) continue;
            if (prologue && externals(members, -1, g).size() > limit) continue;
            List<Integer> ordered = new ArrayList<>(members);
            ordered.sort((p, q) -> Integer.compare(step.get(p), step.get(q)));
            List<Integer> ext = externals(members, anchor, g);
            Group group = new Group(root.id(), anchor, List.copyOf(ordered), List.copyOf(ext), rows.get(anchor));
            byRoot.put(root.id(), group);
            taken.addAll(members);
            if (anchor >= 0) taken.add(anchor);
            taken.add(root.id());
            for (int e : ext) readUntil.merge(e, s, Math::max);
            // the anchor's operands too: its product runs at the root's step
            if (anchor >= 0) for (int e : group.anchorOperands(g)) readUntil.merge(e, s, Math::max);
        }
        Map<Integer, List<Integer>> readers = new HashMap<>();
        for (Node n : schedule) for (int i : Arrays.stream(n.inputs()).distinct().toArray()) readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n.id());
        Map<Integer, Integer> siblingOf = MERGE ? merge(byRoot, g, b, step, kept, taken, readers, readUntil, maxStorageBuffers) : new HashMap<>();
        // permutes into products: the product runs at its own step, or at its group's root's when it is an anchor
        Map<Integer, Integer> runsAt = new HashMap<>();
        for (Group grp : byRoot.values()) if (grp.anchor() >= 0 && grp.rows() == null) runsAt.put(grp.anchor(), step.get(grp.root()));
        Map<Integer, MatMulKernel.Layout> layouts = new HashMap<>();
        for (Node x : schedule) {
            if (!swapsLastTwo(x, b, g, taken, kept) || !step.containsKey(x.input(0))) continue;
            List<Integer> rs = readers.getOrDefault(x.id(), List.of());
            boolean all = !rs.isEmpty();
            for (int r : rs) {
                Node rn = g.node(r);
                all &= rn.op() instanceof Op.MatMul ? readsTransposed.test(rn) : swapsLastTwo(rn, b, g, taken, kept);
            }
            if (!all) continue;
            taken.add(x.id());
            for (int r : rs) {
                Node rn = g.node(r);
                if (!(rn.op() instanceof Op.MatMul)) {  // (x^T)^T: x as it is, a view
                    taken.add(r);
                    continue;
                }
                MatMulKernel.Layout was = layouts.getOrDefault(r, MatMulKernel.Layout.PLAIN);
                layouts.put(r, new MatMulKernel.Layout(was.transA() || rn.input(0) == x.id(), was.transB() || rn.input(1) == x.id()));
                readUntil.merge(x.input(0), runsAt.getOrDefault(r, step.get(r)), Math::max);
            }
        }
        // a product read only by a permute swapping its result's last two axes computes that permute's value, B^T A^T; it
        // becomes a view of its A (which then lives until the permute's step), so not where its result is the larger
        Map<Integer, Integer> results = new HashMap<>();
        for (Node r : schedule) {
            if (!(r.op() instanceof Op.Permute p) || !swapsLastTwo(p.perm()) || taken.contains(r.id()) || Lowering.isView(r, b, g)) continue;
            Node c = g.node(r.input(0));
            if (!(c.op() instanceof Op.MatMul) || taken.contains(c.id()) || kept.contains(c.id()) || !step.containsKey(c.id())
                    || !List.of(r.id()).equals(readers.get(c.id())) || !readsTransposed.test(c)) continue;
            int[] ad = b.shape(c.input(0)).dims(), bd = b.shape(c.input(1)).dims();
            if (ad.length < 2 || bd.length < 2 || b.shape(c.id()).size() > b.shape(c.input(0)).size()) continue;
            taken.add(c.id());
            results.put(r.id(), c.id());
            for (int i : c.inputs()) readUntil.merge(i, step.get(r.id()), Math::max);
        }
        Map<Integer, PermutedResult> permuted = permutedResults(schedule, g, b, step, kept, taken, readers, byRoot, layouts, results, readUntil,
                permutedStores);
        Map<Integer, SoftmaxProduct> softmaxes = softmaxProducts(schedule, g, b, step, kept, taken, readers, byRoot, layouts, readUntil,
                softmaxStores);
        Set<Integer> absorbed = new java.util.HashSet<>(taken);
        absorbed.removeAll(byRoot.keySet());
        absorbed.removeAll(siblingOf.keySet());
        return new Fusion(Map.copyOf(byRoot), Set.copyOf(absorbed), Map.copyOf(readUntil), Map.copyOf(layouts), Map.copyOf(results),
                Map.copyOf(siblingOf), Map.copyOf(permuted), Map.copyOf(softmaxes));
    }

    /**
     * The permutes whose operand's product stores them ({@link #plan}'s last rule, {@link #permutedResult}); what the producer
     * reads is then read until the permute's step ({@code readUntil}).
     */
    private static Map<Integer, PermutedResult> permutedResults(List<Node> schedule, Graph g, Program.Binding b, Map<Integer, Integer> step,
            Set<Integer> kept, Set<Integer> taken, Map<Integer, List<Integer>> readers, Map<Integer, Group> byRoot,
            Map<Integer, MatMulKernel.Layout> layouts, Map<Integer, Integer> results, Map<Integer, Integer> readUntil, PermutedStores stores) {
        Map<Integer, PermutedResult> permuted = new HashMap<>();
        for (Node r : schedule) {
            if (!(r.op() instanceof Op.Permute p) || taken.contains(r.id()) || results.containsKey(r.id()) || Lowering.isView(r, b, g)) continue;
            int through = r.input(0), producer = through;
            Node v = g.node(through);
            if (v.op() instanceof Op.Reshape) {
                if (!step.containsKey(through) || kept.contains(through) || taken.contains(through)
                        || !List.of(r.id()).equals(readers.get(through))) continue;
                producer = v.input(0);
            }
            // the producer is read by the permute (or its reshape) alone, so no other permute can claim it
            if (!step.containsKey(producer) || kept.contains(producer)
                    || !List.of(producer == through ? r.id() : through).equals(readers.get(producer))) continue;
            Node pn = g.node(producer);
            Group grp = byRoot.get(producer);
            // the product under the producer, and whether it computes its result transposed (B^T A^T: operands swapped)
            Node product;
            boolean swapped = false;
            if (grp != null) {
                if (grp.anchor() < 0 || grp.rows() != null || grp.prologue() || !grp.siblings().isEmpty()
                        || !(g.node(grp.anchor()).op() instanceof Op.MatMul)) continue;
                product = g.node(grp.anchor());
            } else if (results.containsKey(producer)) {
                product = g.node(results.get(producer));
                swapped = true;
            } else if (pn.op() instanceof Op.MatMul && !taken.contains(producer)) {
                product = pn;
            } else {
                continue;
            }
            int[] ad = b.shape(product.input(0)).dims(), bd = b.shape(product.input(1)).dims();
            if (ad.length < 2 || bd.length < 2) continue;
            MatMulKernel.Layout layout = layouts.getOrDefault(product.id(), MatMulKernel.Layout.PLAIN);
            if (swapped) {
                int[] was = ad;
                ad = Lowering.swapLastTwo(bd);
                bd = Lowering.swapLastTwo(was);
                layout = layout.swapped();
            }
            Strides.MatmulGeometry geo = Strides.matmul(ad, bd);
            MatMulKernel.Remap remap = MatMulKernel.Remap.of(geo.batches(), geo.m(), geo.n(), b.shape(through).dims(), p.perm());
            if (remap == null || !stores.accepts(g.node(product.input(0)).dtype(), pn.dtype(), ad, bd, grp != null, grp == null ? 0 : slots(grp), layout)
                    || r.dtype() != pn.dtype()) continue;
            permuted.put(r.id(), new PermutedResult(producer, remap));
            // the product's operands and the group's externals are read at the permute's step now
            for (int x : product.inputs()) readUntil.merge(x, step.get(r.id()), Math::max);
            if (grp != null) for (int x : grp.externals()) readUntil.merge(x, step.get(r.id()), Math::max);
        }
        return permuted;
    }

    /**
     * The softmaxes that the product under them computes as it stores ({@link #plan}'s last rule, {@link #softmaxProduct});
     * the product (and the group of its multiple, which leaves {@code byRoot}) is taken, and its operands are read until the
     * softmax's step ({@code readUntil}).
     */
    private static Map<Integer, SoftmaxProduct> softmaxProducts(List<Node> schedule, Graph g, Program.Binding b, Map<Integer, Integer> step,
            Set<Integer> kept, Set<Integer> taken, Map<Integer, List<Integer>> readers, Map<Integer, Group> byRoot,
            Map<Integer, MatMulKernel.Layout> layouts, Map<Integer, Integer> readUntil, SoftmaxStores stores) {
        Map<Integer, SoftmaxProduct> softmaxes = new HashMap<>();
        for (Node r : schedule) {
            if (!(r.op() instanceof Op.Softmax sm) || taken.contains(r.id()) || Lowering.isView(r, b, g)) continue;
            int rank = b.shape(r.id()).rank();
            int in = r.input(0);
            if (rank < 2 || (sm.axis() + rank) % rank != rank - 1 || kept.contains(in) || !step.containsKey(in)
                    || !List.of(r.id()).equals(readers.get(in))) continue;
            Node c = g.node(in);
            float scale = 1;
            Group scaled = byRoot.get(in);
            if (scaled != null) {   // the product's epilogue only multiplies by a scalar constant (a literal, no external)
                if (scaled.anchor() < 0 || scaled.rows() != null || !scaled.siblings().isEmpty() || !scaled.externals().isEmpty()
                        || !List.of(in).equals(scaled.members()) || !(c.op() instanceof Op.Binary bin) || bin.kind() != dev.jasg.core.BinaryOp.MUL) continue;
                Node k = g.node(c.input(0) == scaled.anchor() ? c.input(1) : c.input(0));
                if (!(k.op() instanceof Op.Constant v) || v.value().floats().length != 1) continue;
                scale = v.value().floats()[0];
                c = g.node(scaled.anchor());
            } else if (taken.contains(in)) {
                continue;
            }
            if (!(c.op() instanceof Op.MatMul)) continue;
            int[] ad = b.shape(c.input(0)).dims(), bd = b.shape(c.input(1)).dims();
            if (ad.length < 2 || bd.length < 2 || !stores.accepts(g.node(c.input(0)).dtype(), c.dtype(), ad, bd,
                    layouts.getOrDefault(c.id(), MatMulKernel.Layout.PLAIN)) || r.dtype() != c.dtype()) continue;
            // absorbed: the product a view of its A, which (with B) is read at the softmax's step; the multiple a member
            if (scaled != null) byRoot.remove(in);
            taken.add(c.id());
            taken.add(in);
            softmaxes.put(r.id(), new SoftmaxProduct(c.id(), scale));
            for (int i : c.inputs()) readUntil.merge(i, step.get(r.id()), Math::max);
        }
        return softmaxes;
    }

    /** Expands as group members ({@link #fusable}) unless {@code -Djasg.vulkan.fuseExpand=false}, to compare. */
    static final boolean EXPAND = !"false".equalsIgnoreCase(System.getProperty("jasg.vulkan.fuseExpand"));

    /** System property: {@code true} lets a large product anchor a group that computes exponentials ({@link #anchors}), to compare. */
    static final String TRANSCENDENTAL_EPILOGUES_PROPERTY = "jasg.vulkan.transcendentalEpilogues";
    /** Results (elements) from which a product keeps a group computing exponentials out of its epilogue: a wave of the large tile on 132 units. */
    static final long TRANSCENDENTAL_APART = 1L << 22;

    /**
     * Whether product {@code anchor} applies group {@code members} as its epilogue. Not where the group computes {@code exp},
     * {@code erf}, {@code tanh} or GELU's derivative ({@link #transcendental}) over a result of at least {@link #TRANSCENDENTAL_APART} elements (GELU's gradient after a
     * feed-forward layer's input gradient): an epilogue keeps the product off the large tile, and its arithmetic runs after
     * each workgroup's products with nothing to overlap it (one workgroup a compute unit), where a pass of its own hides it
     * under the memory traffic. H100, 2026-12-06: {@code [8192,768] x [768,3072]} with GELU's gradient 1.075 ms fused, 0.886
     * alone on the large tile; the GPT-2-sized step 57.54k and 57.52k tokens/s against 57.06k and 57.23k fused (interleaved).
     * {@value #TRANSCENDENTAL_EPILOGUES_PROPERTY}{@code =true} keeps them fused. Every other anchor (a normalisation, a row
     * gradient) and every lighter group (bias, residual, a GELU op) is applied as before.
     */
    static boolean anchors(Node anchor, java.util.Collection<Integer> members, Program.Binding b, Graph g) {
        if (!(anchor.op() instanceof Op.MatMul) || b.shape(anchor.id()).size() < TRANSCENDENTAL_APART
                || Boolean.getBoolean(TRANSCENDENTAL_EPILOGUES_PROPERTY)) {
            return true;
        }
        for (int m : members) {
            if (g.node(m).op() instanceof Op.Unary u && transcendental(u.kind())) return false;
        }
        return true;
    }

    /** The unary functions {@link #anchors} keeps out of a large product's epilogue: exponentials, erf, tanh, and GELU's derivatives built on them. */
    static boolean transcendental(dev.jasg.core.UnaryOp k) {
        return switch (k) {
            case EXP, ERF, TANH, GELU_DERIVATIVE, GELU_TANH_DERIVATIVE -> true;
            default -> false;
        };
    }

    /** Groups with several outputs ({@link #merge}) unless {@code -Djasg.vulkan.mergeGroups=false}, to compare. */
    static final boolean MERGE = !"false".equalsIgnoreCase(System.getProperty("jasg.vulkan.mergeGroups"));

    /** Most externals of a group with siblings: its push constants (n and two per slot) stay within 128 bytes. */
    static final int MAX_MERGED_EXTERNALS = 12;

    /**
     * Groups with several outputs: a plain elementwise group (no anchor, rows or prologue) that reads the root of another
     * plain group of its own shape (the moments of an optimizer's update, read by the parameter's; a step count read by
     * the bias corrections), read by nothing outside it before its step, takes that group in: its members become the
     * reader's, and the value, when it is kept (an output, an assigned value) or read later, one of its
     * {@link Group#siblings}, which its kernel stores beside the root. One kernel then reads the gradient and the state once and writes the parameter and
     * the state, where three kernels read the gradient twice and the moments again. Within {@link #MAX_MERGED_EXTERNALS}
     * externals and the device's storage buffers (outputs and externals). A merged group's operands are read at the
     * reader's step ({@code readUntil}); the value is written there too, so nothing outside reads it (or what the taken
     * group stored) before that. Returns each sibling's group root; {@code byRoot} is rewritten in place.
     */
    private static Map<Integer, Integer> merge(Map<Integer, Group> byRoot, Graph g, Program.Binding b, Map<Integer, Integer> step, Set<Integer> kept,
            Set<Integer> taken, Map<Integer, List<Integer>> readers, Map<Integer, Integer> readUntil, int maxStorageBuffers) {
        Map<Integer, Integer> siblingOf = new HashMap<>();
        List<Integer> roots = new ArrayList<>(byRoot.keySet());
        roots.sort((p, q) -> Integer.compare(step.get(q), step.get(p)));  // the last reader first
        for (int r : roots) {
            Group grp = byRoot.get(r);
            if (grp == null || !grp.plain()) continue;
            for (int x : List.copyOf(grp.externals())) {
                Group h = byRoot.get(x);
                // a lone elementwise node (no group of its own: a step count's t + 1) is a group of one here
                if (h == null && !taken.contains(x) && step.containsKey(x) && fusable(g.node(x), b, g)) {
                    h = new Group(x, -1, List.of(x), externals(Set.of(x), -1, g));
                }
                if (h == null || !h.plain() || !Arrays.equals(b.shape(x).dims(), b.shape(r).dims())) continue;
                Set<Integer> members = new LinkedHashSet<>(grp.members());
                members.addAll(h.members());
                // what the taken group stores is written at the reader's step now: read by nothing outside before it
                List<Integer> moved = new ArrayList<>(h.siblings());
                moved.add(x);
                if (!readAfter(moved, members, readers, g, step, step.get(r))) continue;
                boolean outside = readers.getOrDefault(x, List.of()).stream().anyMatch(rd -> !members.contains(rd) && !(g.node(rd).op() instanceof Op.Count));
                List<Integer> ext = externals(members, -1, g);
                List<Integer> siblings = new ArrayList<>(grp.siblings());
                siblings.addAll(h.siblings());
                // a value kept or read later is stored; one only the merged members read is a member like any other
                if (kept.contains(x) || outside) siblings.add(x);
                if (ext.size() > MAX_MERGED_EXTERNALS || 1 + siblings.size() + ext.size() > maxStorageBuffers) continue;
                List<Integer> ordered = new ArrayList<>(members);
                ordered.sort((p, q) -> Integer.compare(step.get(p), step.get(q)));
                siblings.sort((p, q) -> Integer.compare(step.get(p), step.get(q)));
                grp = new Group(r, -1, List.copyOf(ordered), List.copyOf(ext), null, List.copyOf(siblings));
                byRoot.put(r, grp);
                byRoot.remove(x);
                taken.addAll(h.members());
                for (int s : siblings) siblingOf.put(s, r);
                // the merged operands are read, and the siblings written, at the reader's step
                for (int e : ext) readUntil.merge(e, step.get(r), Math::max);
                for (int s : siblings) readUntil.merge(s, step.get(r), Math::max);
            }
        }
        return siblingOf;
    }

    /** Whether every reader of {@code values} outside {@code members} runs after step {@code at} (a count reads a shape, not values). */
    private static boolean readAfter(List<Integer> values, Set<Integer> members, Map<Integer, List<Integer>> readers, Graph g,
            Map<Integer, Integer> step, int at) {
        for (int v : values) {
            for (int rd : readers.getOrDefault(v, List.of())) {
                if (!members.contains(rd) && !(g.node(rd).op() instanceof Op.Count) && step.get(rd) <= at) return false;
            }
        }
        return true;
    }

    /** True when {@code n} is a permute swapping its last two axes that copies (not a view), not kept and not yet taken. */
    private static boolean swapsLastTwo(Node n, Program.Binding b, Graph g, Set<Integer> taken, Set<Integer> kept) {
        return n.op() instanceof Op.Permute p && swapsLastTwo(p.perm()) && !taken.contains(n.id()) && !kept.contains(n.id()) && !Lowering.isView(n, b, g);
    }

    /**
     * The elementwise tree computing row gradient {@code m}'s {@code g} when only the pattern reads {@code g} (layer norm's
     * {@code dy * w}), grown as a reduction's prologue (single consumers, one shape, at most three externals so that an
     * epilogue keeps a push slot, within the device's storage buffers); null when {@code g} is to be read.
     */
    private static Group gTree(RowGradient m, Graph g, Program.Binding b, Map<Integer, Integer> consumers, Map<Integer, Integer> consumer,
            Map<Integer, Integer> step, Set<Integer> taken, Set<Integer> kept, Map<Integer, RowGradient> rows, int maxStorageBuffers) {
        int top = m.g();
        Node gn = g.node(top);
        if (taken.contains(top) || kept.contains(top) || rows.containsKey(top) || !step.containsKey(top) || !fusable(gn, b, g)) return null;
        Set<Integer> pattern = new java.util.HashSet<>(m.inner());
        pattern.add(m.root());
        int readers = 0;
        for (int p : pattern) if (Arrays.stream(g.node(p).inputs()).anyMatch(i -> i == top)) readers++;
        if (consumers.getOrDefault(top, 0) != readers) return null;
        int own = m.kind() == RowGradient.Kind.LAYER_NORM ? 2 : 1;  // y, x
        int limit = Math.min(RowGradient.SLOTS - 1, maxStorageBuffers - 2 - own);
        int[] od = b.shape(top).dims();
        Set<Integer> members = new LinkedHashSet<>(List.of(top));
        List<Integer> work = new ArrayList<>(List.of(top));
        while (!work.isEmpty()) {
            Node n = g.node(work.remove(work.size() - 1));
            for (int x : n.inputs()) {
                if (members.contains(x) || taken.contains(x) || kept.contains(x) || rows.containsKey(x)) continue;
                if (consumers.getOrDefault(x, 0) != 1 || consumer.get(x) != n.id() || !step.containsKey(x)) continue;
                if (!Arrays.equals(b.shape(x).dims(), od) || !fusable(g.node(x), b, g)) continue;
                Set<Integer> trial = new LinkedHashSet<>(members);
                trial.add(x);
                if (externals(trial, -1, g).size() > limit) continue;
                members.add(x);
                work.add(x);
            }
        }
        if (externals(members, -1, g).size() > limit) return null;
        List<Integer> ordered = new ArrayList<>(members);
        ordered.sort((p, q) -> Integer.compare(step.get(p), step.get(q)));
        return new Group(top, -1, List.copyOf(ordered), List.copyOf(externals(members, -1, g)));
    }

    /** True when reduction {@code r}'s operand may be its prologue's top: fusable, read by {@code r} alone, not kept or taken. */
    private static boolean prologueOperand(Node r, Program.Binding b, Graph g, Map<Integer, Integer> consumers, Set<Integer> taken, Set<Integer> kept) {
        int x = r.input(0);
        return !taken.contains(x) && !kept.contains(x) && consumers.getOrDefault(x, 0) == 1 && fusable(g.node(x), b, g);
    }

    /** An elementwise node each of whose operands its output reads in a form {@link #indexing} describes. */
    private static boolean fusable(Node n, Program.Binding b, Graph g) {
        // an expand is the identity on its operand read broadcast: as a member it copies nothing (a loss's gradient, a
        // scalar or a per-row column expanded to the logits' shape, was a copy kernel of its own)
        if (!elementwise(n, b, g) && !(EXPAND && n.op() instanceof Op.Expand && !Lowering.isView(n, b, g))) return false;
        int[] od = b.shape(n.id()).dims();
        if (Strides.size(od) == 0) return false;
        for (int x : n.inputs()) if (indexing(b.shape(x).dims(), od) == null) return false;
        return true;
    }

    /** Operands of the members read from outside the group, in order of first use (the anchor's own operands are its kernel's). */
    private static List<Integer> externals(Set<Integer> members, int anchor, Graph g) {
        Set<Integer> out = new LinkedHashSet<>();
        List<Integer> sorted = new ArrayList<>(members);
        sorted.sort(Integer::compare);
        for (int m : sorted) for (int x : g.node(m).inputs()) if (!members.contains(x) && x != anchor && literal(g.node(x)) == null) out.add(x);
        return new ArrayList<>(out);
    }

    /**
     * The GLSL literal a group's body writes for operand {@code x} in place of reading it, or null when it is read: a
     * constant of one element, with direct indexing on ({@link #directIndexing}). Such a constant is then no external (it
     * takes no binding and counts against no cap), so an optimizer's update with its {@code eps} fits in one group.
     */
    static String literal(Node x) {
        return directIndexing() && x.op() instanceof Op.Constant c && c.value().floats().length == 1 ? literal(c.value().floats()[0]) : null;
    }

    /**
     * How a kernel over {@code od} reads an operand of {@code id} broadcast to it, as {@code (i / a) % b}:
     * {@code {a, b}}, or null when the operand's kept axes are not one contiguous block.
     */
    static int[] indexing(int[] id, int[] od) {
        if (id.length > od.length) return null;
        Strides.Merged m = Strides.merge(od, Strides.broadcast(id, od));
        int axis = -1;
        for (int k = 0; k < m.rank(); k++) {
            if (m.strides()[0][k] == 0) continue;
            if (axis >= 0 || m.strides()[0][k] != 1) return null;
            axis = k;
        }
        if (axis < 0) return new int[] {1, 1};
        long a = 1;
        for (int k = axis + 1; k < m.rank(); k++) a *= m.dims()[k];
        return new int[] {(int) a, m.dims()[axis]};
    }

    /** Push constants of the externals: every {@code a}, then every {@code b} (each padded to {@code slots}). */
    static int[] indexingPush(Group grp, Program.Binding b, int slots) {
        int[] od = b.shape(grp.members().get(grp.members().size() - 1)).dims();
        int[] push = new int[2 * slots];
        for (int k = 0; k < grp.externals().size(); k++) {
            int[] ab = indexing(b.shape(grp.externals().get(k)).dims(), od);
            push[k] = ab[0];
            push[slots + k] = ab[1];
        }
        return push;
    }

    /**
     * The generated GLSL of {@code grp} ({@code fused_body.glsl} of the kernel): the externals' storage buffers
     * from binding {@code firstBinding} on, and {@code float fused(uint i, float acc)}, the root's value at flat
     * index {@code i} given the anchor's accumulator {@code acc} (ignored without an anchor). The host shader
     * declares {@code pc.ea[]} and {@code pc.eb[]} and includes {@code scalar.glsl} and {@code math.glsl}.
     */
    static String body(Group grp, Graph g, int firstBinding) {
        return body(grp, g, firstBinding, "");
    }

    /**
     * The body with every global name prefixed by {@code prefix} (buffers, functions, {@code <prefix>fused}, push arrays
     * {@code pc.<prefix>ea[]} and {@code pc.<prefix>eb[]}), so that one kernel can hold two groups' bodies (a row gradient's
     * prologue, prefix {@code "p"}, and its epilogue).
     */
    static String body(Group grp, Graph g, int firstBinding, String prefix) {
        StringBuilder s = new StringBuilder();
        List<Integer> ext = grp.externals(), sib = grp.siblings();
        // a group with siblings stores them from binding firstBinding on (fused.comp's), its externals after them
        for (int k = 0; k < sib.size(); k++) {
            s.append("layout(std430, binding = ").append(firstBinding + k).append(") writeonly buffer ").append(prefix).append("S").append(k)
                    .append(" { float ").append(prefix).append("s").append(k).append("[]; };\n");
        }
        firstBinding += sib.size();
        for (int k = 0; k < ext.size(); k++) {
            s.append("layout(std430, binding = ").append(firstBinding + k).append(") readonly buffer ").append(prefix).append("E").append(k)
                    .append(" { float ").append(prefix).append("e").append(k).append("[]; };\n");
        }
        Map<Integer, String> name = new HashMap<>();
        for (int k = 0; k < ext.size(); k++) name.put(ext.get(k), "x" + k);
        if (grp.anchor() >= 0) name.put(grp.anchor(), "v_anchor");
        for (int id : grp.members()) {
            for (int x : g.node(id).inputs()) {
                String lit = x == grp.anchor() ? null : literal(g.node(x));
                if (lit != null) name.put(x, lit);
            }
        }
        for (int j = 0; j < grp.members().size(); j++) {
            Node m = g.node(grp.members().get(j));
            s.append("float ").append(prefix).append("f").append(j).append(switch (m.op()) {
                case Op.Unary u -> "(float x) { float a = " + literal(u.a()) + ", b = " + literal(u.b()) + "; return (" + GlslKernels.unaryExpression(u.kind())
                        + "); }\n";
                case Op.Binary x -> "(float x, float y) { return (" + GlslKernels.binaryExpression(x.kind()) + "); }\n";
                case Op.Compare c -> "(float x, float y) { return (" + GlslKernels.compareExpression(c.kind()) + "); }\n";
                case Op.Where w -> "(float c, float x, float y) { return c != 0.0 ? x : y; }\n";
                case Op.Cast c -> "(float x) { return x; }\n";
                case Op.Expand e -> "(float x) { return x; }\n";
                default -> throw new IllegalStateException("not elementwise: " + m.op().label());
            });
        }
        s.append("float ").append(prefix).append("fused(uint i, float acc) {\n");
        Shape at = grp.members().isEmpty() ? null : g.node(grp.members().get(grp.members().size() - 1)).shape();
        for (int k = 0; k < ext.size(); k++) s.append("    float x").append(k).append(" = ").append(read(g.node(ext.get(k)), k, at, prefix)).append(";\n");
        if (grp.anchor() >= 0) s.append("    float v_anchor = rnd(acc, ").append(Lowering.mode(g.node(grp.anchor()).dtype())).append("u);\n");
        for (int j = 0; j < grp.members().size(); j++) {
            Node m = g.node(grp.members().get(j));
            name.put(m.id(), "v" + j);
            int mode = m.op() instanceof Op.Cast c ? Lowering.mode(c.to()) : Lowering.mode(m.dtype());
            s.append("    float v").append(j).append(" = rnd(").append(prefix).append("f").append(j).append('(');
            int[] in = m.inputs();
            for (int k = 0; k < in.length; k++) s.append(k == 0 ? "" : ", ").append(name.get(in[k]));
            s.append("), ").append(mode).append("u);\n");
            int k = sib.indexOf(m.id());
            if (k >= 0) s.append("    ").append(prefix).append("s").append(k).append("[i] = v").append(j).append(";\n");
        }
        s.append("    return v").append(grp.members().size() - 1).append(";\n}\n");
        return s.toString();
    }

    /**
     * System property: {@code false} reads every external through its push-constant indexing ({@link #read}) and every
     * reduced element through the reduction's run loop ({@code reduce_geometry.glsl}), to compare.
     */
    static final String DIRECT_INDEXING_PROPERTY = "jasg.vulkan.directIndexing";

    /** Whether {@link #DIRECT_INDEXING_PROPERTY} leaves direct indexing on (the default). */
    static boolean directIndexing() {
        return !"false".equalsIgnoreCase(System.getProperty(DIRECT_INDEXING_PROPERTY));
    }

    /**
     * How the body reads external {@code k} (node {@code x}) at flat index {@code i} of the group's shape {@code at} (a
     * constant of one element is no external but a literal, {@link #literal(Node)}): where both shapes are known, {@code e[(i / a) % b]} with {@code a} and
     * {@code b} as literals, or simpler ({@code e[0]}, {@code e[i]}, {@code e[i % b]}, {@code e[i / a]}); with symbolic
     * sizes, an operand of one element as {@code e[0]}, one of the group's own shape as {@code e[i]}, else
     * {@code e[(i / a) % b]} with {@code a} and {@code b} from the push constants. The division
     * and remainder by push constants cost a few dozen instructions each an element (the GPU has no integer divider):
     * GELU's gradient as a product's epilogue reads five scalar constants and the pre-activation, and ran {@code [8192,768]
     * x [768,3072]} at 1.40 ms against 1.01 with a bias on the H200 (2026-12-04). Every external stays bound either way.
     */
    static String read(Node x, int k, Shape at, String prefix) {
        String e = prefix + "e" + k;
        if (directIndexing()) {
            int[] xd = x.shape().dimsOrSymbolic(), od = at == null ? null : at.dimsOrSymbolic();
            if (od != null && concrete(xd) && concrete(od)) {
                // both shapes known: indexingPush's a and b as literals, which the compiler divides by with a multiply and a shift
                int[] ab = indexing(xd, od);
                if (ab != null) {
                    long a = ab[0], b = ab[1], size = Strides.size(od);
                    if (b == 1) return e + "[0u]";
                    if (a == 1 && b == size) return e + "[i]";
                    if (a == 1) return e + "[i % " + b + "u]";
                    if (a * b == size) return e + "[i / " + a + "u]";
                    return e + "[(i / " + a + "u) % " + b + "u]";
                }
            }
            if (Arrays.stream(xd).allMatch(d -> d == 1)) return e + "[0u]";
            if (x.shape().equals(at)) return e + "[i]";
        }
        return e + "[(i / pc." + prefix + "ea[" + k + "]) % pc." + prefix + "eb[" + k + "]]";
    }

    private static boolean concrete(int[] dims) {
        for (int d : dims) if (d < 0) return false;
        return true;
    }

    /** Push-constant slots of a group's externals in its kernel (GLSL arrays need a length of at least 1). */
    static int slots(Group grp) {
        return Math.max(1, grp.externals().size());
    }

    /** The elementwise kernel of a group without an anchor ({@code fused.comp}). Push: n, ea[slots], eb[slots]. */
    static Kernel kernel(Group grp, Graph g) {
        String src = Shaders.source("fused.comp", Shaders.defines("EXTERNALS", slots(grp), "ELEMS", GlslKernels.ELEMENTS + "u"),
                Map.of("fused_body.glsl", body(grp, g, 1)));
        return new Kernel("fused_" + digest(src), src, 1 + grp.siblings().size() + grp.externals().size());
    }

    /** A short digest of a generated source: its kernel's name and pipeline-cache key. */
    static String digest(String source) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(source.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An exact float literal. */
    private static String literal(double v) {
        return String.format(Locale.ROOT, "uintBitsToFloat(0x%08Xu)", Float.floatToRawIntBits((float) v));
    }

    /** A short stable text of a group for tests and logs: {@code root <- members [anchor] (externals)} by op labels. */
    static String describe(Group grp, Graph g) {
        StringBuilder s = new StringBuilder();
        if (grp.rows() != null && grp.rows().gTree() != null) {
            List<Integer> t = grp.rows().gTree().members();
            for (int j = 0; j < t.size(); j++) s.append(j == 0 ? "" : " -> ").append(g.node(t.get(j)).op().label());
            s.append(" => ");
        }
        if (grp.rows() != null) s.append(grp.rows().kind().label).append(grp.members().isEmpty() ? "" : " -> ");
        else if (grp.anchor() >= 0) s.append(g.node(grp.anchor()).op().label()).append(" -> ");
        for (int j = 0; j < grp.members().size(); j++) s.append(j == 0 ? "" : " -> ").append(g.node(grp.members().get(j)).op().label());
        if (grp.prologue()) s.append(" -> ").append(g.node(grp.root()).op().label());
        s.append(" (").append(grp.externals().size()).append(" externals");
        if (!grp.siblings().isEmpty()) s.append(", ").append(1 + grp.siblings().size()).append(" outputs");
        return s.append(")").toString();
    }
}
