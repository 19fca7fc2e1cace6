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
 *       packing. {@code x W^T} and the gradients' {@code g W} and {@code x^T g} need no copies.</li>
 *   <li><b>Transposed results.</b> A product read only by such a transpose (the weight
 *       gradient {@code (x^T g)^T}) is computed transposed, {@code C^T = g^T x}, and the
 *       transpose shares its buffer.</li>
 *   <li><b>Bias epilogue.</b> A product read only by an {@code add} of a row vector or scalar
 *       computed before it ({@code x W^T + b}) starts its result at the bias and accumulates
 *       onto it; the add shares the product's buffer.</li>
 *   <li><b>Summed batches.</b> A batched product read only by a sum over all its batch axes (the
 *       weight gradient of a layer on {@code [batch, seq, features]}: {@code sum_t x_t^T g_t}) is
 *       one product of depth {@code batch k} (or accumulates the products), written straight
 *       into the first {@code m n} elements of its buffer; the sum shares the buffer.</li>
 * </ol>
 *
 * <p>None of this applies to a node that is an output or an assigned value, whose buffer must
 * hold exactly its own value. All rules keep the op table's semantics: they only change which
 * kernel writes a value, not what it is.
 */
final class Fusion {
    /** Per node id: the node whose buffer it shares because of a fusion, or -1. */
    private final int[] aliasOf;
    /** Per node id: the fused matmul step, or null. */
    private final Step[] steps;

    private Fusion(int size) {
        aliasOf = new int[size];
        java.util.Arrays.fill(aliasOf, -1);
        steps = new Step[size];
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

    /** A Vector API kernel for {@code n} where there is one (softmax over a contiguous last axis), else null. */
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
        if (n.dtype() != DType.F32 || axis != d.length - 1 || d[axis] == 0) return null;
        int id = n.id(), x = n.input(0), len = d[axis], rows = b.shape(id).sizeInt() / len;
        int minRows = Math.max(1, ElementwiseKernels.PARALLEL_MIN / 8 / len);
        return v -> CpuThreads.parallelFor(rows, minRows, (r0, r1) -> WarmKernels.softmaxRows(v[x], v[id], len, log, r0, r1));
    }

    /** No fusion at all: every node gets its own kernel (anomaly mode, where every value must be kept). */
    static Fusion none(int size) {
        return new Fusion(size);
    }

    /** Decides the fusions of {@code program} under binding {@code b}. */
    static Fusion plan(Program program, Program.Binding b) {
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
        // rule 1, from the last node back so a transpose's readers are decided before it
        boolean[] virtual = new boolean[size];
        for (int s = schedule.size() - 1; s >= 0; s--) {
            Node n = schedule.get(s);
            if (!isSwap(n, b) || pinned[n.id()] || n.dtype() != DType.F32) continue;
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
        for (Node n : schedule) {
            if (!(n.op() instanceof Op.MatMul)) continue;
            int id = n.id();
            List<Node> rs = readers.get(id);
            Node only = rs != null && rs.size() == 1 ? rs.get(0) : null;
            boolean free = !pinned[id] && n.dtype() == DType.F32 && rankAtLeast2(n, b) && only != null;
            boolean tc = false, sumBatch = false;
            int bias = -1, biasStride = 0;
            if (free && isSwap(only, b) && !virtual[only.id()] && only.dtype() == DType.F32) {
                // rule 2
                tc = true;
                f.aliasOf[only.id()] = id;
            } else if (free && only.op() instanceof Op.Binary bin && bin.kind() == BinaryOp.ADD && only.dtype() == DType.F32
                    && only.input(0) != only.input(1) && b.shape(only.id()).equals(b.shape(id))) {
                // rule 3
                int other = only.input(0) == id ? only.input(1) : only.input(0);
                int stride = rowStride(b.shape(other).dims(), b.shape(id).dims());
                if (other < id && stride >= 0 && g.node(other).dtype() == DType.F32 && !virtual[other]) {
                    bias = other;
                    biasStride = stride;
                    f.aliasOf[only.id()] = id;
                }
            } else if (free && only.op() instanceof Op.Reduce red && red.kind() == ReduceOp.SUM && only.dtype() == DType.F32
                    && sumsBatchAxes(n, red, b)) {
                // rule 4
                sumBatch = true;
                f.aliasOf[only.id()] = id;
            }
            f.steps[id] = sumBatch ? sumBatch(n, b, virtual, f.aliasOf) : matmul(n, b, virtual, f.aliasOf, tc, bias, biasStride);
        }
        return f;
    }

    /** The product step, reading transposed operands through their sources. */
    private static Step matmul(Node n, Program.Binding b, boolean[] virtual, int[] aliasOf, boolean tc, int bias, int biasStride) {
        int id = n.id();
        int x = n.input(0), y = n.input(1);
        boolean ta = false, tb = false;
        // a chain of transposes reads its first non-transposed source, transposed when the chain's length is odd
        while (virtual[x]) {
            ta = !ta;
            x = aliasOf[x];
        }
        while (virtual[y]) {
            tb = !tb;
            y = aliasOf[y];
        }
        boolean fold = !ta && !tc;
        MatMulKernel.Geometry geo = MatMulKernel.plan(b.shape(n.input(0)).dims(), b.shape(n.input(1)).dims(), fold);
        int xs = x, ys = y;
        boolean fa = ta, fb = tb;
        var dt = n.dtype();
        if (bias < 0) return v -> MatMulKernel.multiply(geo, dt, v[xs], fa, v[ys], fb, v[id], tc, null, 0);
        return v -> MatMulKernel.multiply(geo, dt, v[xs], fa, v[ys], fb, v[id], false, v[bias], biasStride);
    }

    /** The product summed over its batch (rule 4). */
    private static Step sumBatch(Node n, Program.Binding b, boolean[] virtual, int[] aliasOf) {
        int id = n.id();
        int x = n.input(0), y = n.input(1);
        boolean ta = false, tb = false;
        while (virtual[x]) {
            ta = !ta;
            x = aliasOf[x];
        }
        while (virtual[y]) {
            tb = !tb;
            y = aliasOf[y];
        }
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
