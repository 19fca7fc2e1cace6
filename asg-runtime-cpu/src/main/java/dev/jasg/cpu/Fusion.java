package dev.jasg.cpu;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.HalfFloats;
import dev.jasg.core.Indexing;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.ReduceOp;
import java.util.ArrayList;
import java.util.List;

/**
 * The fusion decisions of one plan: which nodes need no kernel of their own because a matrix
 * product does their work, so they share its (or its operand's) buffer instead, as the
 * planner's other aliases do. Three rules, all about the transposes and bias adds that
 * {@code Linear} layers and their gradients put around every product:
 *
 * <ol>
 *   <li><b>Transposed operands.</b> A transpose of the last two axes whose every reader is a
 *       matmul (or another such transpose) is never copied: it shares its input's buffer and
 *       the products read that buffer as transposed, which {@link Gemm} does for free while
 *       packing. {@code x W^T} and the gradients' {@code g W} and {@code x^T g} need no copies.
 *       Any other permute read only by products is read in place too, through a leading dimension and batch
 *       strides ({@link #operandView}), where its matrices keep a unit stride along one of their axes (attention's
 *       heads, {@code [b, l, h, d]} read as {@code [b, h, l, d]}; {@code -Djasg.cpu.permutedOperands=false} to compare);
 *       one without is copied.</li>
 *   <li><b>Transposed results.</b> A product read only by such a transpose (the weight
 *       gradient {@code (x^T g)^T}) is computed transposed, {@code C^T = g^T x}, and the
 *       transpose shares its buffer. A product read only by another permute that keeps the last axis last (the heads
 *       merged back) writes each result where the permute's goes ({@link MatMulKernel#multiplyInto}).</li>
 *   <li><b>Bias epilogue.</b> A product read only by an {@code add} of a row vector or scalar
 *       computed before it or bound before the steps (a parameter, constant or feed: {@code x W^T + b}) starts its result at the bias and accumulates
 *       onto it; the add shares the product's buffer.</li>
 *   <li><b>Summed batches.</b> A batched product read only by a sum over all its batch axes (the
 *       weight gradient of a layer on {@code [batch, seq, features]}: {@code sum_t x_t^T g_t}) is
 *       one product of depth {@code batch k} (or accumulates the products), written straight
 *       into the first {@code m n} elements of its buffer; the sum shares the buffer.</li>
 *   <li><b>Elementwise chains.</b> A tree of f32 elementwise nodes ({@code unary}, {@code binary},
 *       {@code compare}, {@code where}) of one shape, ending at a <b>root</b>, whose other members
 *       are read only by members (and are no output or assigned value), runs as one
 *       {@link ElementwiseChain}: one pass over memory, a piece of the result at a time, the
 *       members' values in per-thread scratch rows instead of buffers (they take no storage).
 *       The operands from outside are read in place, each broadcast along whole axes with a
 *       last-axis stride of 0 or 1 (the whole shape, a scalar, a bias row, a per-row column),
 *       and the plan keeps them alive until the root's step. The AdamW update, GELU's gradient,
 *       layer norm's scale and shift and its gradient's elementwise parts, ReLU's gradient
 *       ({@code where(x > 0, g, 0)}) are such trees.</li>
 *   <li><b>Packed weights</b> ({@link PackedWeights}): a product whose right operand is a parameter no run of the
 *       program writes (inference) reads it packed once for all runs, not packed on every call.</li>
 *   <li><b>Shared attention work</b> ({@link #attention}): the fused attention ops of one set of operands share what
 *       they compute (the statistics, the weights, the three gradients of one pass), through arrays of the plan.</li>
 *   <li><b>Folded convolutions</b> ({@link #convFolds}, {@link ConvFold}): a convolution of fixed weights read only by
 *       an elementwise chain through per-channel affine steps (batch norm at inference) runs at the chain's step, the
 *       steps' scale folded into its weights ({@link FoldedWeights}) and their offset one bias add in the chain.</li>
 * </ol>
 *
 * <p>None of rules 1 to 5 (nor 8) applies to a node that is an output or an assigned value, whose buffer must
 * hold exactly its own value. All rules keep the op table's semantics: they only change which
 * kernel writes a value, not what it is.
 */
final class Fusion {
    /** Per node id: the node whose buffer it shares because of a fusion, or -1. */
    private final int[] aliasOf;
    /** Per node id: the fused matmul step or elementwise chain, or null. */
    private final Step[] steps;
    /** Per node id: the root of the elementwise chain that computes it (rule 5) when it is a member other than the root, else -1. */
    private final int[] memberOf;
    /** Per node id: the root of the merged chain that computes and stores it ({@link #merge}), or -1. */
    private final int[] siblingOf;
    /** Per node id: the last step (schedule position) at which a chain reads it, or -1. */
    private final int[] readUntil;
    private int chains;
    /** Per node id: true for the root of a chain that runs a folded convolution (rule 8): its buffer is its own. */
    private final boolean[] folded;
    private int foldCount;

    private Fusion(int size) {
        aliasOf = new int[size];
        java.util.Arrays.fill(aliasOf, -1);
        steps = new Step[size];
        memberOf = new int[size];
        java.util.Arrays.fill(memberOf, -1);
        readUntil = new int[size];
        java.util.Arrays.fill(readUntil, -1);
        siblingOf = new int[size];
        java.util.Arrays.fill(siblingOf, -1);
        folded = new boolean[size];
    }

    /** True when {@code id} is the root of a chain that runs a folded convolution (rule 8): it may not write over an operand. */
    boolean foldedRoot(int id) {
        return folded[id];
    }

    /**
     * True when {@code id}'s step is an elementwise chain (rule 5, a lone elementwise node included) that runs no folded
     * convolution: it reads element {@code i} of an operand of its own shape only for element {@code i} of its result, so
     * its result may be written over such an operand (an assigned value over its parameter, {@link Plan}).
     */
    boolean elementwiseRoot(int id) {
        return siblingOf[id] >= 0 || steps[id] instanceof ElementwiseChain && !folded[id];
    }

    /**
     * The root of the merged chain whose step computes and stores {@code id} ({@link #merge}), or -1: such a node has a buffer of
     * its own but no step, and its value is there from that root's step on.
     */
    int siblingOf(int id) {
        return siblingOf[id];
    }

    /** The node whose step writes {@code id}'s value: the merged chain's root for a sibling, else {@code id}. */
    int writtenAt(int id) {
        return siblingOf[id] >= 0 ? siblingOf[id] : id;
    }

    /** The nodes merged chain {@code root} computes ({@link #merge}: its root, members and siblings), or empty when it stores one value. */
    java.util.Collection<Integer> mergedGroup(int root) {
        return steps[root] instanceof ElementwiseChain c && c.siblings().length > 0 ? members(this, root) : List.of();
    }

    /** Convolutions folded into their elementwise chains (rule 8) in this plan. */
    int foldCount() {
        return foldCount;
    }

    /** True when {@code id} is a member of an elementwise chain other than its root: it computes nothing and needs no storage. */
    boolean absorbed(int id) {
        return memberOf[id] >= 0;
    }

    /** Elementwise chains (rule 5) of two or more nodes in this plan (a lone elementwise node also runs as a chain of one). */
    int chainCount() {
        return chains;
    }

    /** Values merged chains store besides their roots ({@link #merge}). */
    int siblingCount() {
        int c = 0;
        for (int s : siblingOf) if (s >= 0) c++;
        return c;
    }

    /** Nodes absorbed into elementwise chains (rule 5). */
    int absorbedCount() {
        int c = 0;
        for (int m : memberOf) if (m >= 0) c++;
        return c;
    }

    /** The last step reading {@code id}: a chain reads its operands at its root's step, later than the graph says. */
    int lastRead(int id, int lastUse) {
        return Math.max(lastUse, readUntil[id]);
    }

    /** The node whose buffer {@code n} shares (by a fusion, or as {@link StepCompiler#aliasesInput} says), or -1. */
    int aliasSource(Node n, Program.Binding b, Graph g) {
        int a = aliasOf[n.id()];
        if (a >= 0) return a;
        return StepCompiler.aliasesInput(n, b, g) ? n.input(0) : -1;
    }

    /** The step computing {@code n}. */
    Step step(Node n, Program.Binding b, Graph g) {
        int id = n.id();
        if (aliasOf[id] >= 0) {
            int src = aliasOf[id];
            return v -> v[id] = v[src];
        }
        if (memberOf[id] >= 0) return ABSORBED;
        if (steps[id] != null) return steps[id];
        Step vector = Simd.ENABLED ? vectorStep(n, b) : null;
        Step step = vector != null ? vector : StepCompiler.compile(n, b, g);
        if (!n.dtype().isHalf() || StepCompiler.aliasesInput(n, b, g)) return step;
        // half storage is emulated: the kernels compute in f32 and the value is rounded to the type on store
        DType t = n.dtype();
        int size = b.shape(id).sizeInt();
        return v -> {
            step.run(v);
            HalfFloats.roundInPlace(t, v[id], 0, size);
        };
    }

    /**
     * A Vector API kernel for {@code n} where there is one (softmax over a contiguous last axis, or over another axis through
     * it, {@link #softmaxColumns}), else null.
     */
    private static Step vectorStep(Node n, Program.Binding b) {
        int axis;
        boolean log;
        if (n.op() instanceof Op.Softmax s) {
            axis = s.axis();
            log = false;
        } else if (n.op() instanceof Op.LogSoftmax s) {
            axis = s.axis();
            log = true;
        } else {
            return null;
        }
        int[] d = b.shape(n.id()).dims();
        if (n.dtype() != DType.F32 || d[axis] == 0) return null;
        int id = n.id(), x = n.input(0), len = d[axis], rows = b.shape(id).sizeInt() / len;
        int minRows = Math.max(1, ElementwiseKernels.PARALLEL_MIN / 8 / len);
        if (axis == d.length - 1) return new LoopStep(rows, minRows, (v, r0, r1) -> WarmKernels.softmaxRows(v[x], v[id], len, log, r0, r1));
        int in = StepCompiler.prod(d, axis + 1, d.length), blocks = (in + COLUMNS - 1) / COLUMNS, units = rows / in * blocks;
        return new LoopStep(units, Math.max(1, minRows / COLUMNS), (v, u0, u1) -> softmaxColumns(v[x], v[id], len, in, blocks, log, u0, u1));
    }

    /** Columns of a softmax over an axis other than the last that {@link #softmaxColumns} gathers into rows at a time. */
    static final int COLUMNS = 16;

    /** Per thread: {@link #softmaxColumns}' gathered rows and their results, grown to the largest softmax. */
    private static final ThreadLocal<float[][]> COLUMN_ROWS = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /**
     * Softmax (or log-softmax) of {@code [outer, len, inner]} along {@code len}, units {@code [u0, u1)} of
     * {@code outer x blocks}, a unit up to {@value #COLUMNS} neighbouring columns of one {@code outer} index: gathered into rows
     * (each step of the axis reads the columns side by side), through the last-axis kernel ({@link WarmKernels#softmaxRows}),
     * and scattered back. Each column then has the bits of the same values along a last axis. Before, such an axis ran one
     * column at a time in double with two {@code Math.exp} an element (9.4 ns an element on a Zen 5 against 0.22 along the
     * last axis).
     */
    static void softmaxColumns(float[] x, float[] out, int len, int inner, int blocks, boolean log, int u0, int u1) {
        float[][] t = COLUMN_ROWS.get();
        if (t[0].length < COLUMNS * len) {
            t[0] = new float[COLUMNS * len];
            t[1] = new float[COLUMNS * len];
        }
        float[] rows = t[0], res = t[1];
        for (int u = u0; u < u1; u++) {
            int o = u / blocks, c0 = (u - o * blocks) * COLUMNS, cols = Math.min(COLUMNS, inner - c0), base = o * len * inner + c0;
            for (int j = 0; j < len; j++) {
                int at = base + j * inner;
                for (int c = 0; c < cols; c++) rows[c * len + j] = x[at + c];
            }
            WarmKernels.softmaxRows(rows, res, len, log, 0, cols);
            for (int j = 0; j < len; j++) {
                int at = base + j * inner;
                for (int c = 0; c < cols; c++) out[at + c] = res[c * len + j];
            }
        }
    }

    /** The step of a chain member: its root computes it. */
    private static final Step ABSORBED = v -> { };

    /** No fusion at all: every node gets its own kernel (anomaly mode, where every value must be kept). */
    static Fusion none(int size) {
        return new Fusion(size);
    }

    /** Decides the fusions of {@code program} under binding {@code b}, with no packed weights. */
    static Fusion plan(Program program, Program.Binding b) {
        return plan(program, b, null, null);
    }

    /** {@link #plan(Program, Program.Binding, PackedWeights, FoldedWeights)} with no folded convolutions. */
    static Fusion plan(Program program, Program.Binding b, PackedWeights packs) {
        return plan(program, b, packs, null);
    }

    /**
     * Decides the fusions of {@code program} under binding {@code b}; a product whose right operand is a parameter
     * this program never assigns takes it packed from {@code packs} (null: none), and a convolution whose weights
     * are such a parameter is folded with the batch norm after it into {@code folds} (rule 8; null: none).
     */
    static Fusion plan(Program program, Program.Binding b, PackedWeights packs, FoldedWeights folds) {
        Graph g = program.graph();
        int size = g.size();
        Fusion f = new Fusion(size);
        List<Node> schedule = program.schedule();
        boolean[] pinned = new boolean[size];
        for (int id : program.outputs().values()) pinned[id] = true;
        for (Graph.Assignment a : program.assignments()) {
            pinned[a.value()] = true;
            pinned[a.parameter()] = true;
        }
        List<List<Node>> readers = new ArrayList<>(size);
        for (int i = 0; i < size; i++) readers.add(null);
        for (Node n : schedule) {
            for (int in : n.inputs()) {
                if (readers.get(in) == null) readers.set(in, new ArrayList<>(2));
                readers.get(in).add(n);
            }
        }
        java.util.Set<String> assigned = new java.util.HashSet<>();
        for (Graph.Assignment a : program.assignments()) assigned.add(((Op.Parameter) g.node(a.parameter()).op()).name());
        // rule 1, from the last node back so a transpose's readers are decided before it
        boolean[] virtual = new boolean[size];
        for (int s = schedule.size() - 1; s >= 0; s--) {
            Node n = schedule.get(s);
            if (!absorbablePermute(n, b) || pinned[n.id()] || n.dtype() != DType.F32) continue;
            List<Node> rs = readers.get(n.id());
            boolean all = rs != null;
            if (rs != null) {
                for (Node r : rs) all &= (r.op() instanceof Op.MatMul && rankAtLeast2(r, b)) || virtual[r.id()];
            }
            if (all) {
                virtual[n.id()] = true;
                f.aliasOf[n.id()] = n.input(0);
            }
        }
        // a permute absorbed above must leave every product a leading dimension to read through it (one unit stride in the
        // matrix's axes), and every reader a product or another absorbed permute, after the others' decisions: a permute
        // that fails is copied after all, which may fail the permutes below it, so until nothing changes
        for (boolean changed = true; changed; ) {
            changed = false;
            for (Node n : schedule) {
                if (!virtual[n.id()]) continue;
                boolean ok = true, products = false;
                for (Node r : readers.get(n.id())) {
                    if (virtual[r.id()]) continue;
                    ok &= r.op() instanceof Op.MatMul && rankAtLeast2(r, b);
                    products = true;
                }
                if (!ok || products && operandView(n.id(), b, g, virtual, f.aliasOf) == null) {
                    virtual[n.id()] = false;
                    f.aliasOf[n.id()] = -1;
                    changed = true;
                }
            }
        }
        for (Node n : schedule) {
            if (!(n.op() instanceof Op.MatMul)) continue;
            int id = n.id();
            List<Node> rs = readers.get(id);
            Node only = rs != null && rs.size() == 1 ? rs.get(0) : null;
            boolean free = !pinned[id] && n.dtype() == DType.F32 && rankAtLeast2(n, b) && only != null;
            boolean tc = false, sumBatch = false;
            int bias = -1, biasStride = 0;
            // how the product reads its operands (the check above left every absorbed permute one)
            OperandView va = operandView(n.input(0), b, g, virtual, f.aliasOf), vb = operandView(n.input(1), b, g, virtual, f.aliasOf);
            int[] into = free && only.dtype() == DType.F32 && !virtual[only.id()] && !isSwap(only, b) && absorbablePermute(only, b)
                    ? resultStrides(n, only, b) : null;
            if (free && isSwap(only, b) && !virtual[only.id()] && only.dtype() == DType.F32) {
                // rule 2
                tc = true;
                f.aliasOf[only.id()] = id;
            } else if (into != null) {
                // rule 2 for any other permute (attention's heads merged back): the product writes its results where the
                // permute's would be, rows into[r - 2] apart, and the permute shares its buffer
                f.aliasOf[only.id()] = id;
            } else if (free && only.op() instanceof Op.Binary bin && bin.kind() == BinaryOp.ADD && only.dtype() == DType.F32
                    && only.input(0) != only.input(1) && b.shape(only.id()).equals(b.shape(id))) {
                // rule 3
                int other = only.input(0) == id ? only.input(1) : only.input(0);
                int stride = rowStride(b.shape(other).dims(), b.shape(id).dims());
                // computed before the product, or a leaf bound before any step runs (a Conv1D's bias parameter is
                // made after its product: x.matmul(w).add(b))
                Op bo = g.node(other).op();
                boolean ready = other < id || bo instanceof Op.Parameter || bo instanceof Op.Constant || bo instanceof Op.Input;
                if (ready && stride >= 0 && g.node(other).dtype() == DType.F32 && !virtual[other]) {
                    bias = other;
                    biasStride = stride;
                    f.aliasOf[only.id()] = id;
                }
            } else if (free && only.op() instanceof Op.Reduce red && red.kind() == ReduceOp.SUM && only.dtype() == DType.F32
                    && sumsBatchAxes(n, red, b) && va.plain() && vb.plain()) {
                // rule 4
                sumBatch = true;
                f.aliasOf[only.id()] = id;
            }
            f.steps[id] = into != null ? matmulInto(n, b, va, vb, into) : sumBatch ? sumBatch(n, b, va, vb)
                    : matmul(n, b, va, vb, tc, bias, biasStride, packs, g, assigned);
        }
        if (CHAINS) chains(f, schedule, readers, pinned, b, g);
        if (CHAINS && FOLD && folds != null) convFolds(f, schedule, readers, pinned, b, g, assigned, folds);
        if (CHAINS && MERGE) merge(f, schedule, readers, pinned, b, g);
        attention(f, schedule, b, g);
        return f;
    }

    /** Most floats of attention weights a plan keeps from the forward for the gradients (rule 6): 16 MiB. */
    static final long KEPT_WEIGHTS_MAX = 1 << 22;

    /**
     * Rule 6: the attention ops of one set of operands share their work. An {@code attention} followed in the
     * schedule by the {@code attention_stats} of the same query, key, scale and mask writes the statistics it
     * computes anyway into an array of the plan, which the stats' step copies. Of the {@code attention_grad}
     * nodes of the same six operands, the first in the schedule computes all of their gradients at once
     * ({@link AttentionKernels.Backward}: the weights and their gradient once, not once per result), its own into
     * its buffer and the others' into arrays of the plan, which their steps copy. When their output operand is
     * that {@code attention}'s, their statistics the {@code attention_stats} of its query and key, and its weights
     * {@code [B, Lq, Lk]} are at most {@link #KEPT_WEIGHTS_MAX} floats, the forward keeps them in an array of the
     * plan and the gradients read them instead of recomputing the scores and their exponentials (what the
     * composite's softmax stores too; the gradients then differ from an unshared plan's by rounding: {@code e / sum}
     * against {@code exp(s - lse)}). All of this is valid because the
     * steps run in schedule order, every one in every run, and the operands are not written in between (they
     * are read by the later steps too, so their buffers stay theirs). The arrays are the plan's own, outside
     * the buffer planner's accounting; the gradients' are shared by groups whose spans in the schedule do not overlap.
     */
    private static void attention(Fusion f, List<Node> schedule, Program.Binding b, Graph g) {
        java.util.Map<List<Object>, float[]> stats = new java.util.HashMap<>();
        java.util.Map<List<Object>, List<Node>> groups = new java.util.LinkedHashMap<>();
        java.util.Map<List<Object>, Node> forwards = new java.util.HashMap<>();
        java.util.Map<Node, float[]> lseOf = new java.util.HashMap<>(), weightsOf = new java.util.HashMap<>();
        for (Node n : schedule) {
            if (n.op() instanceof Op.Attention a) {
                forwards.putIfAbsent(List.of(n.input(0), n.input(1), a.scale(), a.causal()), n);
            } else if (n.op() instanceof Op.AttentionStats a) {
                List<Object> key = List.of(n.input(0), n.input(1), a.scale(), a.causal());
                Node fw = forwards.get(key);
                if (fw == null) continue;
                float[] lse = stats.computeIfAbsent(key, x -> new float[b.shape(n.id()).sizeInt()]);
                lseOf.put(fw, lse);
                f.steps[n.id()] = copy(lse, n.id(), lse.length);
            } else if (n.op() instanceof Op.AttentionGrad a) {
                List<Object> key = new ArrayList<>();
                for (int in : n.inputs()) key.add(in);
                key.add(a.scale());
                key.add(a.causal());
                groups.computeIfAbsent(key, x -> new ArrayList<>()).add(n);
            }
        }
        // the arrays holding a group's gradients from its first step to its last: groups whose spans do not overlap
        // (one layer's backward, then the next's) share them, as the buffer planner shares buffers
        int[] pos = new int[g.size()];
        for (int s = 0; s < schedule.size(); s++) pos[schedule.get(s).id()] = s;
        List<int[]> slots = new ArrayList<>(); // {floats, last step using it}
        List<int[]> uses = new ArrayList<>();  // {group, wrt, slot, size}
        List<List<Node>> groupList = new ArrayList<>(groups.values());
        for (int gi = 0; gi < groupList.size(); gi++) {
            List<Node> group = groupList.get(gi);
            int start = pos[group.get(0).id()], end = pos[group.get(group.size() - 1).id()];
            boolean[] taken = new boolean[3];
            taken[((Op.AttentionGrad) group.get(0).op()).wrt()] = true;
            for (Node n : group.subList(1, group.size())) {
                int w = ((Op.AttentionGrad) n.op()).wrt(), size = b.shape(n.id()).sizeInt();
                if (taken[w]) continue; // the same gradient twice: computed alone
                taken[w] = true;
                int slot = -1;
                for (int k = 0; k < slots.size() && slot < 0; k++) if (slots.get(k)[1] < start) slot = k;
                if (slot < 0) {
                    slot = slots.size();
                    slots.add(new int[] {0, 0});
                }
                slots.get(slot)[0] = Math.max(slots.get(slot)[0], size);
                slots.get(slot)[1] = end;
                uses.add(new int[] {gi, w, slot, size});
            }
        }
        float[][] slotArrays = new float[slots.size()][];
        for (int k = 0; k < slotArrays.length; k++) slotArrays[k] = new float[slots.get(k)[0]];
        for (int gi = 0; gi < groupList.size(); gi++) {
            List<Node> group = groupList.get(gi);
            Node first = group.get(0);
            Op.AttentionGrad a = (Op.AttentionGrad) first.op();
            int[] ids = {-1, -1, -1};
            float[][] arrays = new float[3][];
            ids[a.wrt()] = first.id();
            for (int[] u : uses) if (u[0] == gi) arrays[u[1]] = slotArrays[u[2]];
            for (Node n : group.subList(1, group.size())) {
                int w = ((Op.AttentionGrad) n.op()).wrt();
                if (arrays[w] != null && f.steps[n.id()] == null) f.steps[n.id()] = copy(arrays[w], n.id(), b.shape(n.id()).sizeInt());
            }
            // the forward whose output the gradients read, when it is the attention of the same operands
            Node fw = forwards.get(List.of(first.input(0), first.input(1), a.scale(), a.causal()));
            float[] weights = null;
            // and the statistics they read are those of the same query, key, scale and mask (the weights are exp(s - lse))
            Node st = g.node(first.input(5));
            boolean ownStats = st.op() instanceof Op.AttentionStats sa && sa.scale() == a.scale() && sa.causal() == a.causal()
                    && st.input(0) == first.input(0) && st.input(1) == first.input(1);
            if (fw != null && fw.id() == first.input(3) && fw.input(2) == first.input(2) && ownStats) {
                int[] qd = b.shape(first.input(0)).dims(), kd = b.shape(first.input(1)).dims();
                long size = kd[kd.length - 2];
                for (int i = 0; i < qd.length - 1; i++) size *= qd[i];
                if (size <= KEPT_WEIGHTS_MAX) {
                    int floats = (int) size;
                    weights = weightsOf.computeIfAbsent(fw, x -> new float[floats]);
                }
            }
            if (group.size() < 2 && weights == null) continue;
            f.steps[first.id()] = new AttentionKernels.Backward(AttentionKernels.geometry(first, b, a.scale(), a.causal()),
                    first.input(0), first.input(1), first.input(2), first.input(3), first.input(4), first.input(5), ids, arrays, weights);
        }
        java.util.Set<Node> shared = new java.util.HashSet<>(lseOf.keySet());
        shared.addAll(weightsOf.keySet());
        for (Node fw : shared) {
            Op.Attention a = (Op.Attention) fw.op();
            f.steps[fw.id()] = new AttentionKernels.Forward(AttentionKernels.geometry(fw, b, a.scale(), a.causal()),
                    fw.input(0), fw.input(1), fw.input(2), fw.id(), -1, lseOf.get(fw), weightsOf.get(fw));
        }
    }

    /** A step copying the first {@code size} floats of a plan's array into node {@code id}'s buffer. */
    private static Step copy(float[] from, int id, int size) {
        return v -> System.arraycopy(from, 0, v[id], 0, size);
    }

    /** Rule 5 on or off: {@code -Djasg.cpu.fuseElementwise=false} runs every elementwise node on its own (to measure what the chains bring). */
    static final boolean CHAINS = Boolean.parseBoolean(System.getProperty("jasg.cpu.fuseElementwise", "true"));

    /** True when {@code n} may be a chain member or root: an f32 elementwise node (a comparison's 0/1 mask too) no other rule took. */
    private static boolean elementwise(Node n, Fusion f) {
        if (f.aliasOf[n.id()] >= 0 || f.steps[n.id()] != null) return false;
        return switch (n.op()) {
            case Op.Unary u -> n.dtype() == DType.F32;
            case Op.Binary x -> n.dtype() == DType.F32;
            case Op.Compare c -> true;
            case Op.Where w -> n.dtype() == DType.F32;
            default -> false;
        };
    }

    /** Rule 5: groups elementwise trees into chains, from the last node back so each root takes the largest tree it can. */
    private static void chains(Fusion f, List<Node> schedule, List<List<Node>> readers, boolean[] pinned, Program.Binding b, Graph g) {
        int size = g.size();
        int[] pos = new int[size];
        for (int s = 0; s < schedule.size(); s++) pos[schedule.get(s).id()] = s;
        int[] groupOf = new int[size];
        java.util.Arrays.fill(groupOf, -1);
        for (int s = schedule.size() - 1; s >= 0; s--) {
            Node root = schedule.get(s);
            int r = root.id();
            if (groupOf[r] >= 0 || !elementwise(root, f) || b.shape(r).size() == 0) continue;
            groupOf[r] = r;
            List<Node> members = new ArrayList<>();
            members.add(root);
            for (boolean grew = true; grew; ) {
                grew = false;
                for (int i = 0; i < members.size(); i++) {
                    for (int in : members.get(i).inputs()) {
                        Node m = g.node(in);
                        if (groupOf[in] >= 0 || pinned[in] || !elementwise(m, f) || !b.shape(in).equals(b.shape(r))) continue;
                        boolean inside = true;
                        for (Node reader : readers.get(in)) inside &= groupOf[reader.id()] == r;
                        if (!inside) continue;
                        groupOf[in] = r;
                        members.add(m);
                        grew = true;
                    }
                }
            }
            // a lone node runs as a chain of one instruction too: the same row kernels, and no closure allocated a run
            List<Member> ms = new ArrayList<>(members.size());
            for (Node m : members) ms.add(new Member(m.id(), m.op(), m.inputs()));
            ElementwiseChain chain = chain(ms, pos, b, groupOf, r, java.util.Map.of(), new float[0][]);
            if (chain == null) {
                for (Node m : members) groupOf[m.id()] = -1;
                continue;
            }
            f.steps[r] = chain;
            if (members.size() > 1) f.chains++;
            for (Node m : members) {
                if (m.id() != r) f.memberOf[m.id()] = r;
                for (int in : m.inputs()) if (groupOf[in] != r) f.readUntil[in] = Math.max(f.readUntil[in], s);
            }
        }
    }

    /** Merged chains on or off: {@code -Djasg.cpu.mergeChains=false} keeps an optimizer's three chains apart (to compare). */
    static final boolean MERGE = Boolean.parseBoolean(System.getProperty("jasg.cpu.mergeChains", "true"));

    /**
     * Chains with several outputs: a chain that reads the root of another chain of its own shape, read by nothing outside
     * it before its step (an optimizer's moments, read by the parameter's update), takes that chain in; the value, when it
     * is kept (an output, an assigned value) or read later, becomes a <b>sibling</b>, stored by the merged chain's code
     * piece by piece beside its root ({@link ElementwiseChain.Instr#store}) and computing nothing at its own step, else a
     * member like any other. AdamW's
     * three passes over memory (the two moments, then the parameter reading them) become one, which reads the gradient and
     * the state once. The merged chain reads the taken chain's operands at its root's step, later, and writes the sibling
     * there, so the sibling is read by nothing before it (every reader is a member). Folded convolutions (rule 8) are left
     * as they are.
     */
    private static void merge(Fusion f, List<Node> schedule, List<List<Node>> readers, boolean[] pinned, Program.Binding b, Graph g) {
        int size = g.size();
        int[] pos = new int[size];
        java.util.Arrays.fill(pos, -1);
        for (int s = 0; s < schedule.size(); s++) pos[schedule.get(s).id()] = s;
        for (int s = schedule.size() - 1; s >= 0; s--) {
            int r = schedule.get(s).id();
            if (f.folded[r] || !(f.steps[r] instanceof ElementwiseChain)) continue;
            for (boolean grew = true; grew; ) {
                grew = false;
                java.util.Set<Integer> group = members(f, r);
                for (int m : group) {
                    for (int x : g.node(m).inputs()) {
                        if (group.contains(x) || f.folded[x] || !(f.steps[x] instanceof ElementwiseChain ec) || ec.out() != x
                                || !b.shape(x).equals(b.shape(r)) || f.siblingOf[x] >= 0) continue;
                        java.util.Set<Integer> takenIn = members(f, x), merged = new java.util.LinkedHashSet<>(group);
                        merged.addAll(takenIn);
                        int[] stored = ec.siblings();
                        int[] moved = java.util.Arrays.copyOf(stored, stored.length + 1);
                        moved[stored.length] = x;
                        // what the taken chain stores is written at this chain's step now: read by nothing outside before it
                        boolean early = false, outside = false;
                        for (int y : moved) {
                            for (Node reader : readers.get(y) == null ? List.<Node>of() : readers.get(y)) {
                                if (merged.contains(reader.id())) continue;
                                early |= pos[reader.id()] <= s;
                                outside |= y == x;
                            }
                        }
                        if (early) continue;
                        java.util.Set<Integer> siblings = new java.util.HashSet<>();
                        for (int y : merged) if (f.siblingOf[y] == r) siblings.add(y);
                        for (int y : stored) siblings.add(y);
                        // a value kept or read later is stored; one only the merged chain reads is a member like any other
                        if (pinned[x] || outside) siblings.add(x);
                        int[] groupOf = new int[size];
                        java.util.Arrays.fill(groupOf, -1);
                        List<Member> ms = new ArrayList<>();
                        for (int y : merged) {
                            groupOf[y] = r;
                            ms.add(new Member(y, g.node(y).op(), g.node(y).inputs()));
                        }
                        ElementwiseChain chain = chain(ms, pos, b, groupOf, r, java.util.Map.of(), new float[0][], siblings);
                        if (chain == null) continue;
                        // chains of two or more nodes are counted: the merged one is, the two it replaces were where long enough
                        f.chains += 1 - (takenIn.size() > 1 ? 1 : 0) - (group.size() > 1 ? 1 : 0);
                        f.steps[r] = chain;
                        for (int y : merged) {
                            if (y == r) continue;
                            if (siblings.contains(y)) {
                                f.siblingOf[y] = r;
                                f.memberOf[y] = -1;
                                f.steps[y] = ABSORBED;
                            } else {
                                f.memberOf[y] = r;
                                f.steps[y] = null;  // a taken chain's root computes nothing now
                            }
                            // the merged chain reads its operands, and writes its siblings, at its root's step
                            for (int in : g.node(y).inputs()) if (!merged.contains(in)) f.readUntil[in] = Math.max(f.readUntil[in], s);
                        }
                        for (int y : siblings) f.readUntil[y] = Math.max(f.readUntil[y], s);
                        grew = true;
                        break;
                    }
                    if (grew) break;
                }
            }
        }
    }

    /** The nodes chain {@code r} computes: its root, its members and its siblings. */
    private static java.util.Set<Integer> members(Fusion f, int r) {
        java.util.Set<Integer> out = new java.util.LinkedHashSet<>();
        out.add(r);
        for (int id = 0; id < f.memberOf.length; id++) if (f.memberOf[id] == r || f.siblingOf[id] == r) out.add(id);
        return out;
    }

    /** A chain member as the chain's code sees it: its id (or a pseudo id), op and operands (a negative operand is an array of the plan). */
    private record Member(int id, Op op, int[] inputs) {}

    /**
     * The chain computing {@code members} (root {@code r}), or null when an operand's broadcast is not one it reads. An
     * operand {@code -1 - j} is the plan's array {@code own[j]}, of dimensions {@code ownDims.get(-1 - j)}.
     */
    private static ElementwiseChain chain(List<Member> members, int[] pos, Program.Binding b, int[] groupOf, int r,
                                          java.util.Map<Integer, int[]> ownDims, float[][] own) {
        return chain(members, pos, b, groupOf, r, ownDims, own, java.util.Set.of());
    }

    /** {@link #chain}, storing each member of {@code siblings} into its own buffer too ({@link #merge}). */
    private static ElementwiseChain chain(List<Member> members, int[] pos, Program.Binding b, int[] groupOf, int r,
                                          java.util.Map<Integer, int[]> ownDims, float[][] own, java.util.Set<Integer> siblings) {
        List<Member> code = new ArrayList<>(members);
        code.sort(java.util.Comparator.comparingInt(m -> pos[m.id()]));
        int[] out = b.shape(r).dims();
        List<Integer> externals = new ArrayList<>();
        for (Member m : code) {
            for (int in : m.inputs()) if ((in < 0 || groupOf[in] != r) && !externals.contains(in)) externals.add(in);
        }
        int[][] strides = new int[1 + externals.size()][];
        strides[0] = Indexing.strides(out);
        for (int k = 0; k < externals.size(); k++) {
            int e = externals.get(k);
            strides[1 + k] = Indexing.broadcastStrides(e < 0 ? ownDims.get(e) : b.shape(e).dims(), out);
        }
        Strided geo = Strided.of(out, strides);
        for (int k = 0; k < externals.size(); k++) {
            int st = geo.innerStride(1 + k);
            if (st != 0 && st != 1) return null;
        }
        // rows this short would make every piece a handful of elements
        if (geo.rowLength() < 16 && geo.rows() > 1) return null;
        // the last member reading each member's value, for reusing scratch rows
        java.util.Map<Integer, Integer> lastRead = new java.util.HashMap<>();
        for (int i = 0; i < code.size(); i++) for (int in : code.get(i).inputs()) lastRead.put(in, i);
        java.util.Map<Integer, Integer> slotOf = new java.util.HashMap<>();
        java.util.ArrayDeque<Integer> free = new java.util.ArrayDeque<>();
        int slots = 0;
        ElementwiseChain.Instr[] instrs = new ElementwiseChain.Instr[code.size()];
        for (int i = 0; i < code.size(); i++) {
            Member m = code.get(i);
            int[] ins = m.inputs();
            int[] args = new int[ins.length];
            for (int j = 0; j < ins.length; j++) args[j] = ins[j] >= 0 && groupOf[ins[j]] == r ? slotOf.get(ins[j]) : -1 - externals.indexOf(ins[j]);
            // operands read for the last time here free their rows first: the row kernels may write over what they read
            for (int in : ins) {
                if (in >= 0 && groupOf[in] == r && lastRead.get(in) == i && slotOf.containsKey(in)) free.push(slotOf.remove(in));
            }
            int dst = -1;
            if (m.id() != r) {
                dst = free.isEmpty() ? slots++ : free.pop();
                slotOf.put(m.id(), dst);
            }
            int store = siblings.contains(m.id()) ? m.id() : -1;
            instrs[i] = switch (m.op()) {
                case Op.Unary u -> new ElementwiseChain.Instr(ElementwiseChain.Kind.UNARY, u.kind(), u.a(), u.b(), null, null, args, dst, store);
                case Op.Binary x -> new ElementwiseChain.Instr(ElementwiseChain.Kind.BINARY, null, 0, 0, x.kind(), null, args, dst, store);
                case Op.Compare c -> new ElementwiseChain.Instr(ElementwiseChain.Kind.COMPARE, null, 0, 0, null, c.kind(), args, dst, store);
                case Op.Where w -> new ElementwiseChain.Instr(ElementwiseChain.Kind.WHERE, null, 0, 0, null, null, args, dst, store);
                default -> throw new IllegalStateException("not elementwise: " + m.op().label());
            };
        }
        return new ElementwiseChain(r, externals.stream().mapToInt(Integer::intValue).toArray(), geo, instrs, slots, own);
    }

    /** Rule 8 on or off: {@code -Djasg.cpu.foldConv=false} keeps every convolution apart from its batch norm (to measure what folding brings). */
    static final boolean FOLD = Boolean.parseBoolean(System.getProperty("jasg.cpu.foldConv", "true"));

    /**
     * Rule 8: a convolution whose value only an elementwise chain reads, through a run of per-output-channel affine
     * steps ({@code + - * /} by an operand that varies along the channel axis only, or a scalar: batch norm at inference)
     * runs at the chain's step as a {@link ConvFold}: the steps' scale folded into the weights, their offset one bias add
     * at the head of the rest of the chain. Only for an f32 convolution that is no output or assigned value, whose weights
     * are a parameter no run of the program writes (inference; the folded copy is then made once), and whose value has
     * the chain's shape. The convolution takes no storage (it writes into the chain's result), and its operands are
     * kept alive until the chain's step.
     */
    private static void convFolds(Fusion f, List<Node> schedule, List<List<Node>> readers, boolean[] pinned, Program.Binding b, Graph g,
                                  java.util.Set<String> assigned, FoldedWeights folds) {
        int size = g.size();
        int[] pos = new int[size];
        for (int s = 0; s < schedule.size(); s++) pos[schedule.get(s).id()] = s;
        int[] groupOf = new int[size];
        java.util.Arrays.fill(groupOf, -1);
        for (int id = 0; id < size; id++) {
            if (f.memberOf[id] >= 0) groupOf[id] = f.memberOf[id];
            else if (f.steps[id] instanceof ElementwiseChain ec && ec.out() == id) groupOf[id] = id;
        }
        java.util.Map<Integer, List<Node>> groups = new java.util.HashMap<>();
        for (Node n : schedule) if (groupOf[n.id()] >= 0) groups.computeIfAbsent(groupOf[n.id()], x -> new ArrayList<>()).add(n);
        for (Node rootNode : schedule) {
            int r = rootNode.id();
            if (!(f.steps[r] instanceof ElementwiseChain whole) || whole.out() != r) continue;
            int[] out = b.shape(r).dims();
            if (out.length != 4) continue;
            List<Node> members = groups.get(r);
            for (Node m : members) {
                int c = convOperand(m, f, groupOf, r, readers, pinned, b, g, assigned);
                if (c < 0) continue;
                List<ConvFold.Affine> steps = new ArrayList<>();
                List<Integer> prefix = new ArrayList<>();
                int prev = c;
                Node cur = m;
                while (true) {
                    ConvFold.Affine a = affine(cur, prev, groupOf, r, b, out);
                    if (a == null) break;
                    steps.add(a);
                    prefix.add(cur.id());
                    if (cur.id() == r) break;
                    List<Node> next = readers.get(cur.id());
                    if (next == null || next.size() != 1 || groupOf[next.get(0).id()] != r) break;
                    prev = cur.id();
                    cur = next.get(0);
                }
                if (steps.isEmpty()) continue;
                Node conv = g.node(c);
                int[] wd = b.shape(conv.input(1)).dims();
                int channels = wd[0], rowLength = wd[1] * wd[2] * wd[3];
                if (channels != out[1] || !folds.reserve(r, channels, rowLength)) continue;
                // the rest of the chain: the affine steps but the last gone, the last one computing conv + bias
                int last = prefix.get(prefix.size() - 1);
                List<Member> rest = new ArrayList<>();
                for (Node n : members) {
                    if (n.id() == last) rest.add(new Member(last, new Op.Binary(BinaryOp.ADD), new int[] {c, -1}));
                    else if (!prefix.contains(n.id())) rest.add(new Member(n.id(), n.op(), n.inputs()));
                }
                float[] bias = new float[channels];
                ElementwiseChain restChain = chain(rest, pos, b, groupOf, r, java.util.Map.of(-1, new int[] {1, channels, 1, 1}), new float[][] {bias});
                if (restChain == null) continue;
                Op.Conv2d op = (Op.Conv2d) conv.op();
                ConvKernels.Run kernel = StepCompiler.conv2d(conv, op, b);
                f.steps[r] = new ConvFold(c, conv.input(0), conv.input(1), r, kernel, steps.toArray(ConvFold.Affine[]::new), whole, restChain, bias, folds);
                f.memberOf[c] = r;
                f.folded[r] = true;
                f.foldCount++;
                for (int in : conv.inputs()) f.readUntil[in] = Math.max(f.readUntil[in], pos[r]);
                break;
            }
        }
    }

    /**
     * The convolution that member {@code m} of chain {@code r} reads, when rule 8 may fold it: f32, rank 4, the chain's
     * shape, no output or assigned value, read by {@code m} alone (once), weights a parameter no run writes; else -1.
     */
    private static int convOperand(Node m, Fusion f, int[] groupOf, int r, List<List<Node>> readers, boolean[] pinned, Program.Binding b,
                                   Graph g, java.util.Set<String> assigned) {
        if (!(m.op() instanceof Op.Binary) || m.arity() != 2 || m.input(0) == m.input(1)) return -1;
        for (int in : m.inputs()) {
            Node c = g.node(in);
            if (!(c.op() instanceof Op.Conv2d) || c.dtype() != DType.F32 || pinned[in] || groupOf[in] >= 0) continue;
            if (f.aliasOf[in] >= 0 || f.steps[in] != null || !b.shape(in).equals(b.shape(r))) continue;
            List<Node> rs = readers.get(in);
            if (rs == null || rs.size() != 1 || rs.get(0) != m) continue;
            Node w = g.node(c.input(1));
            if (!(w.op() instanceof Op.Parameter p) || w.dtype() != DType.F32 || assigned.contains(p.name())) continue;
            if (g.node(c.input(0)).dtype() != DType.F32) continue;
            return in;
        }
        return -1;
    }

    /**
     * Member {@code n} of chain {@code r} as an affine step of the running value {@code prev}: an f32 {@code + - * /} of
     * {@code prev} and an operand from outside the chain that varies along axis 1 of {@code out} only (or not at all);
     * {@code c / prev} is not affine. Null otherwise.
     */
    private static ConvFold.Affine affine(Node n, int prev, int[] groupOf, int r, Program.Binding b, int[] out) {
        if (!(n.op() instanceof Op.Binary bin) || n.dtype() != DType.F32 || groupOf[n.id()] != r || n.input(0) == n.input(1)) return null;
        BinaryOp k = bin.kind();
        if (k != BinaryOp.ADD && k != BinaryOp.SUB && k != BinaryOp.MUL && k != BinaryOp.DIV) return null;
        boolean left = n.input(0) == prev;
        if (!left && n.input(1) != prev) return null;
        if (k == BinaryOp.DIV && !left) return null;
        int other = left ? n.input(1) : n.input(0);
        if (groupOf[other] == r) return null;
        int[] od = b.shape(other).dims();
        if (od.length > out.length) return null;
        int[] st = Indexing.broadcastStrides(od, out);
        for (int i = 0; i < st.length; i++) if (i != 1 && st[i] != 0) return null;
        return new ConvFold.Affine(k, other, left, st[1]);
    }

    /**
     * The product step, reading transposed operands through their sources; when the right operand is a parameter
     * that {@code assigned} does not name (no run of this program writes it), of one product with more than one
     * row and column, it is read packed from {@code packs} (rule 7) where the budget allows.
     */
    private static Step matmul(Node n, Program.Binding b, OperandView va, OperandView vb, boolean tc, int bias, int biasStride,
                               PackedWeights packs, Graph g, java.util.Set<String> assigned) {
        int id = n.id();
        // a chain of absorbed permutes reads its first materialised source: transposed when the chain's length is odd, for
        // a chain of transposes; through its leading dimension and batch strides for any other
        int x = va.root(), y = vb.root();
        boolean ta = va.trans(), tb = vb.trans();
        var dt0 = n.dtype();
        if (!va.plain() || !vb.plain()) {
            MatMulKernel.Geometry geo = MatMulKernel.planStrided(b.shape(n.input(0)).dims(), va.batchStrides(), b.shape(n.input(1)).dims(),
                    vb.batchStrides());
            int xs = x, ys = y, lda = va.ld(), ldb = vb.ld();
            boolean fa = ta, fb = tb;
            if (bias < 0) return v -> MatMulKernel.multiply(geo, dt0, v[xs], fa, lda, v[ys], fb, ldb, v[id], tc, null, 0);
            return v -> MatMulKernel.multiply(geo, dt0, v[xs], fa, lda, v[ys], fb, ldb, v[id], false, v[bias], biasStride);
        }
        boolean fold = !ta && !tc;
        MatMulKernel.Geometry geo = MatMulKernel.plan(b.shape(n.input(0)).dims(), b.shape(n.input(1)).dims(), fold);
        int xs = x, ys = y;
        boolean fa = ta, fb = tb;
        var dt = n.dtype();
        if (packs != null && !tc && dt == DType.F32 && geo.batch() == 1 && geo.m() > 1 && geo.n() > 1
                && g.node(ys).op() instanceof Op.Parameter p && g.node(ys).dtype() == DType.F32 && !assigned.contains(p.name())) {
            PackedWeights.Panel panel = packs.panel(p.name(), geo.k(), geo.n(), fb);
            if (panel != null) {
                if (bias < 0) return v -> MatMulKernel.multiplyPacked(geo, v[xs], fa, panel.of(v[ys]), v[id], null, 0);
                return v -> MatMulKernel.multiplyPacked(geo, v[xs], fa, panel.of(v[ys]), v[id], v[bias], biasStride);
            }
        }
        if (bias < 0) return v -> MatMulKernel.multiply(geo, dt, v[xs], fa, v[ys], fb, v[id], tc, null, 0);
        return v -> MatMulKernel.multiply(geo, dt, v[xs], fa, v[ys], fb, v[id], false, v[bias], biasStride);
    }

    /**
     * The strides at which product {@code n}'s result lies when written as {@code perm}'s result (its only reader, a
     * permute), per axis of the product's result, or null unless its last axis is the permute's last (unit stride).
     */
    private static int[] resultStrides(Node n, Node perm, Program.Binding b) {
        int[] p = ((Op.Permute) perm.op()).perm().toArray();
        int[] out = b.shape(perm.id()).dims();
        int r = out.length;
        if (r < 2 || b.shape(n.id()).rank() != r || p[r - 1] != r - 1) return null;
        int[] os = Indexing.strides(out);  // every value of a CPU plan is one float array: its size is an int
        int[] cs = new int[r];
        for (int j = 0; j < r; j++) cs[p[j]] = os[j];
        return cs;
    }

    /** Product {@code n} written through the strides {@code cs} of its only reader, a permute ({@link #resultStrides}). */
    private static Step matmulInto(Node n, Program.Binding b, OperandView va, OperandView vb, int[] cs) {
        int id = n.id(), r = cs.length;
        MatMulKernel.Geometry geo = MatMulKernel.planStrided(b.shape(n.input(0)).dims(), va.batchStrides(), b.shape(n.input(1)).dims(),
                vb.batchStrides());
        int[] offsets = MatMulKernel.matrixOffsets(java.util.Arrays.copyOf(b.shape(id).dims(), r - 2), java.util.Arrays.copyOf(cs, r - 2));
        int xs = va.root(), ys = vb.root(), lda = va.ld(), ldb = vb.ld(), ldc = cs[r - 2];
        boolean fa = va.trans(), fb = vb.trans();
        return v -> MatMulKernel.multiplyInto(geo, v[xs], fa, lda, v[ys], fb, ldb, v[id], offsets, ldc);
    }

    /** The product summed over its batch (rule 4). */
    private static Step sumBatch(Node n, Program.Binding b, OperandView va, OperandView vb) {
        int id = n.id();
        // plain operands only (rule 4's condition): dense, or transposed through a chain of transposes
        int x = va.root(), y = vb.root();
        boolean ta = va.trans(), tb = vb.trans();
        MatMulKernel.Geometry geo = MatMulKernel.plan(b.shape(n.input(0)).dims(), b.shape(n.input(1)).dims(), false);
        int xs = x, ys = y;
        boolean fa = ta, fb = tb;
        return v -> MatMulKernel.multiplySumBatch(geo, v[xs], fa, v[ys], fb, v[id]);
    }

    /**
     * True when {@code red} sums exactly the batch axes of product {@code n}, whose operands have the
     * same batch dimensions (rank 3 or more, nothing broadcast): the sum is then {@code sum_t A_t B_t}.
     */
    private static boolean sumsBatchAxes(Node n, Op.Reduce red, Program.Binding b) {
        int[] ad = b.shape(n.input(0)).dims(), bd = b.shape(n.input(1)).dims();
        int r = ad.length;
        if (r < 3 || bd.length != r || red.axes().size() != r - 2) return false;
        for (int i = 0; i < r - 2; i++) {
            if (red.axes().get(i) != i || ad[i] != bd[i]) return false;
        }
        return true;
    }

    /**
     * System property: {@code false} lets rule 1 absorb only transposes of the last two axes, not other permutes (attention's
     * heads split, {@code [b, l, h, d]} read as {@code [b, h, l, d]}), to compare.
     */
    static final String PERMUTED_OPERANDS_PROPERTY = "jasg.cpu.permutedOperands";

    /** True for a permute rule 1 may absorb: a transpose of the last two axes, or any other that moves an axis (unless switched off). */
    private static boolean absorbablePermute(Node n, Program.Binding b) {
        if (isSwap(n, b)) return true;
        if (!(n.op() instanceof Op.Permute p) || "false".equals(System.getProperty(PERMUTED_OPERANDS_PROPERTY))) return false;
        int[] perm = p.perm().toArray();
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return perm.length >= 2;
        return false;
    }

    /**
     * How a product reads an operand: the buffer of {@code root} (dense, row-major), each matrix there with rows {@code ld}
     * apart (columns, when {@code trans}) and the batch axes' matrices {@code batchStrides} apart; {@code plain} when that is
     * the layout {@link MatMulKernel#plan} assumes (the operand itself, or the operand transposed), so the usual product runs.
     */
    record OperandView(int root, boolean trans, int ld, int[] batchStrides, boolean plain) {}

    /**
     * The view through which a product reads operand {@code x}: through the chain of absorbed permutes above its first
     * materialised source, or null when the matrices that chain makes have no unit stride along either of their axes.
     */
    static OperandView operandView(int x, Program.Binding b, Graph g, boolean[] virtual, int[] aliasOf) {
        int[] dims = b.shape(x).dims();
        int r = dims.length;
        // axis i of x is axis map[i] of the source
        int[] map = new int[r];
        for (int i = 0; i < r; i++) map[i] = i;
        int node = x;
        while (virtual[node]) {
            int[] p = ((Op.Permute) g.node(node).op()).perm().toArray();
            for (int i = 0; i < r; i++) map[i] = p[map[i]];
            node = aliasOf[node];
        }
        if (r < 2) return new OperandView(node, false, 0, null, true);  // a vector, never behind a permute (rule 1's readers)
        int[] src = b.shape(node).dims();
        int[] rs = Indexing.strides(src);
        int[] st = new int[r];
        for (int i = 0; i < r; i++) st[i] = rs[map[i]];
        int[] batch = java.util.Arrays.copyOf(st, r - 2);
        boolean batchKept = true;
        for (int i = 0; i < r - 2; i++) batchKept &= map[i] == i;
        // the source itself, or the source transposed: the layouts the usual product reads
        if (batchKept && map[r - 2] == r - 2) return new OperandView(node, false, src[r - 1], batch, true);
        if (batchKept && map[r - 2] == r - 1) return new OperandView(node, true, src[r - 1], batch, true);
        if (st[r - 1] == 1) return new OperandView(node, false, st[r - 2], batch, false);
        if (st[r - 2] == 1) return new OperandView(node, true, st[r - 1], batch, false);
        return null;
    }

    /** True for a permute that swaps the last two axes and keeps the others. */
    private static boolean isSwap(Node n, Program.Binding b) {
        if (!(n.op() instanceof Op.Permute p)) return false;
        int[] perm = p.perm().toArray();
        int r = perm.length;
        if (r < 2 || perm[r - 1] != r - 2 || perm[r - 2] != r - 1) return false;
        for (int i = 0; i < r - 2; i++) if (perm[i] != i) return false;
        return true;
    }

    /** Both operands of matmul {@code n} have rank 2 or more (no promoted vectors, whose squeezed axis a transpose would mix up). */
    private static boolean rankAtLeast2(Node n, Program.Binding b) {
        return b.shape(n.input(0)).rank() >= 2 && b.shape(n.input(1)).rank() >= 2;
    }

    /** 1 when {@code bias} broadcast to {@code out} varies along the last axis only (a row), 0 when it is a scalar, else -1. */
    private static int rowStride(int[] bias, int[] out) {
        if (bias.length > out.length) return -1;
        int[] s = Indexing.broadcastStrides(bias, out);
        for (int i = 0; i < s.length - 1; i++) if (s[i] != 0) return -1;
        int last = s.length == 0 ? 0 : s[s.length - 1];
        return last == 0 || last == 1 ? last : -1;
    }
}
