package dev.jasg.opencl;

import dev.jasg.core.Strides;
import static org.jocl.CL.clSetKernelArg;

import dev.jasg.core.BackendException;
import dev.jasg.core.DType;
import dev.jasg.core.Ints;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Program;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * Turns one scheduled node into the commands that compute it, given where its inputs and output live: one
 * exhaustive switch over {@link Op}, so an op without an OpenCL kernel does not compile. Leaves (inputs,
 * parameters, constants, counts) produce no commands: their values are uploaded or already resident. Each
 * launch gets a kernel object of its own with its arguments set here, once, so a run only enqueues.
 * Kernel arguments: each tensor as its buffer and its element offset (a {@code ulong}; see common.h), then one
 * struct whose fields the int array mirrors field by field (ints and floats, 4 bytes each).
 * Used under the backend's lock.
 */
final class Lowering {
    /** Work-items per work-group of every kernel. */
    static final int GROUP = 256;
    /** Highest rank a strided kernel takes after merging (MAX_RANK in common.h). */
    static final int MAX_RANK = 6;
    /** Highest number of merged kept or reduced axis groups of a reduction (MAX_GROUPS in common.h). */
    static final int MAX_GROUPS = 4;
    /** Highest batch rank of a matrix product after merging (MAX_BATCH_RANK in matmul.cl). */
    static final int MAX_BATCH_RANK = 4;
    /** Reductions shorter than this run serially in one work-item (the weight gradient). */
    static final long SERIAL_REDUCTION = 1024;
    /** System property overriding the large matmul tile as {@code BMxBNxBK}, e.g. {@code 128x128x16} (for tuning on a device). */
    static final String TILES_PROPERTY = "jasg.opencl.matmul.tiles";

    /** System property overriding whether the matmul loops are unrolled ({@code true} on GPUs, {@code false} on CPU devices). */
    static final String UNROLL_PROPERTY = "jasg.opencl.matmul.unroll";

    /** Matmul tile configuration: {@code bm x bn} outputs per work-group of 16 x 16, {@code bk} deep. */
    record Tiles(int bm, int bn, int bk) {
        Tiles {
            if (bm % 64 != 0 || bn % 64 != 0 || bk % 4 != 0 || bm * bk % 1024 != 0 || bn * bk % 1024 != 0) {
                throw new IllegalArgumentException("matmul tiles " + bm + "x" + bn + "x" + bk + ": BM and BN must be multiples of 64, BK of 4, BM*BK and BN*BK of 1024");
            }
        }

        String defines(boolean aligned, boolean unroll) {
            return "-DBM=" + bm + " -DBN=" + bn + " -DBK=" + bk + " -DALIGNED=" + (aligned ? 1 : 0) + " -DUNROLL=" + (unroll ? 1 : 0);
        }

        static Tiles parse(String s) {
            String[] p = s.trim().toLowerCase(java.util.Locale.ROOT).split("x");
            if (p.length != 3) throw new IllegalArgumentException(TILES_PROPERTY + " must be BMxBNxBK, got '" + s + "'");
            return new Tiles(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
        }
    }

    /** Allocates the plan's side tables (the pooling windows): an int buffer the plan owns and frees. */
    interface Tables {
        cl_mem ints(int[] values, String what);
    }

    private final ClDevice dev;
    private final Programs programs;
    private final Tiles large, small;
    /** Unrolled matmul loops: on GPUs; a CPU runtime (pocl) would take tens of seconds to compile them at first launch. */
    private final boolean unroll;

    Lowering(ClDevice dev, Programs programs) {
        this.dev = dev;
        this.programs = programs;
        String t = System.getProperty(TILES_PROPERTY);
        boolean cpu = DeviceChoice.rank(dev.type) == 2;
        String u = System.getProperty(UNROLL_PROPERTY);
        this.unroll = u == null || u.isBlank() ? !cpu : Boolean.parseBoolean(u.trim());
        // a CPU device gains nothing from the large tile and pays its compile time: one small tile for every product
        Tiles l = t != null && !t.isBlank() ? Tiles.parse(t) : cpu ? new Tiles(64, 64, 16) : new Tiles(128, 128, 16);
        // double-buffered tiles must fit the device's local memory
        if (2L * 4 * l.bk() * (l.bm() + l.bn()) > dev.localMemory) l = new Tiles(64, 64, 16);
        this.large = l;
        this.small = new Tiles(64, 64, 16);
    }

    /**
     * How a kernel rounds what it stores for a node of {@code t}: 0 float, 1 truncate to integer, 2 to 0/1,
     * 3 to the nearest F16 value, 4 to the nearest BF16 value (half storage is emulated in f32 words).
     */
    static int mode(DType t) {
        return switch (t) {
            case F32, F64 -> 0;
            case I32, I64 -> 1;
            case BOOL -> 2;
            case F16 -> 3;
            case BF16 -> 4;
        };
    }

    /** How errors name a node: id, path, op and shape. */
    static String describe(Node n, Program.Binding b) {
        return "node " + n.id() + " '" + n.path() + "' (" + n.op().label() + ", " + n.dtype().label() + (b == null ? n.shape() : b.shape(n.id())) + ")";
    }

    /** The commands computing {@code n} into {@code out} from {@code in}; kernels made here belong to the caller. */
    List<Step> lower(Node n, Program.Binding b, View out, View[] in, Tables tables) {
        int[] od = b.shape(n.id()).dims();
        long count = Strides.size(od);
        if (count > Integer.MAX_VALUE) throw new BackendException(describe(n, b) + " has " + count + " elements; the OpenCL kernels index with 32 bits");
        int mode = mode(n.dtype());
        String what = describe(n, b);
        List<Step> steps = new ArrayList<>();
        if (count == 0) return steps;
        try {
            switch (n.op()) {
                case Op.Input i -> { }
                case Op.Parameter p -> { }
                case Op.Constant c -> { }
                case Op.Count c -> { }
                case Op.Unary u -> steps.add(flat("elementwise.cl", "unary", what, count, views(out, in),
                        new int[] {(int) count, mode, OpCodes.unary(u.kind()), bits(u.a()), bits(u.b())}));
                case Op.Binary bin -> steps.add(broadcast("binary", OpCodes.binary(bin.kind()), n, b, od, mode, out, in));
                case Op.Compare c -> steps.add(broadcast("binary", OpCodes.compare(c.kind()), n, b, od, mode, out, in));
                case Op.Where w -> steps.add(broadcast("where_select", -1, n, b, od, mode, out, in));
                case Op.Reduce r -> {
                    if (r.axes().size() == 0) steps.add(new Step.Copy(in[0], out, out.bytes(), what));
                    else steps.add(reduce("reduce", n, r.axes(), dims(n, 0, b), mode, OpCodes.reduce(r.kind()), 0, out, in[0]));
                }
                case Op.ArgReduce a -> steps.add(lanes("arg_reduce", OpCodes.argReduce(a.kind()), what, dims(n, 0, b), a.axis(), out, in[0]));
                case Op.MatMul m -> steps.add(matmul(n, what, dims(n, 0, b), dims(n, 1, b), mode, out, in[0], in[1]));
                case Op.Reshape r -> steps.add(new Step.Copy(in[0], out, out.bytes(), what));
                case Op.StopGradient s -> steps.add(new Step.Copy(in[0], out, out.bytes(), what));
                case Op.Permute p -> {
                    int[] inStrides = Strides.contiguous(dims(n, 0, b));
                    int[] ss = new int[od.length];
                    for (int i = 0; i < od.length; i++) ss[i] = inStrides[p.perm().get(i)];
                    steps.add(copy(what, od, 0, ss, out, 0, Strides.contiguous(od), in[0], mode));
                }
                case Op.Expand e -> steps.add(copy(what, od, 0, Strides.broadcast(dims(n, 0, b), od), out, 0, Strides.contiguous(od), in[0], mode));
                case Op.Slice s -> {
                    int[] ss = Strides.contiguous(dims(n, 0, b));
                    int start = s.start() * ss[s.axis()];
                    ss[s.axis()] *= s.step();
                    steps.add(copy(what, od, start, ss, out, 0, Strides.contiguous(od), in[0], mode));
                }
                case Op.SliceScatter s -> {
                    steps.add(new Step.Fill(out, what));
                    int[] id = dims(n, 0, b);
                    int[] ds = Strides.contiguous(od);
                    int start = s.start() * ds[s.axis()];
                    ds[s.axis()] *= s.step();
                    if (Strides.size(id) > 0) steps.add(copy(what, id, 0, Strides.contiguous(id), out, start, ds, in[0], mode));
                }
                case Op.Concat c -> {
                    int[] ds = Strides.contiguous(od);
                    int at = 0;
                    for (int k = 0; k < n.arity(); k++) {
                        int[] id = dims(n, k, b);
                        if (Strides.size(id) > 0) steps.add(copy(what, id, 0, Strides.contiguous(id), out, at * ds[c.axis()], ds, in[k], mode));
                        at += id[c.axis()];
                    }
                }
                case Op.CumSum c -> steps.add(lanes("scan", c.reverse() ? 2 : 0, what, od, c.axis(), out, in[0]));
                case Op.CumProd c -> steps.add(lanes("scan", 1, what, od, c.axis(), out, in[0]));
                case Op.ArgSort a -> steps.add(lanes("argsort", a.descending() ? 1 : 0, what, od, a.axis(), out, in[0]));
                case Op.Attention a -> steps.add(attention("attention_forward", a.scale(), a.causal(), 0, true, n, b, mode, what, views(out, in)));
                case Op.AttentionStats a -> steps.add(attention("attention_stats", a.scale(), a.causal(), 0, true, n, b, mode, what, views(out, in)));
                case Op.AttentionGrad a -> steps.add(attention(a.wrt() == 0 ? "attention_grad_q" : "attention_grad_kv", a.scale(), a.causal(), a.wrt(),
                        a.wrt() == 0, n, b, mode, what, views(out, in)));
                case Op.Linalg l -> {
                    // no OpenCL kernels yet: computed on the host between the commands before and after (logged once per compile)
                    int[][] inDims = new int[n.arity()][];
                    int[] inCounts = new int[n.arity()];
                    for (int k = 0; k < inDims.length; k++) {
                        inDims[k] = dims(n, k, b);
                        inCounts[k] = (int) Strides.size(inDims[k]);
                    }
                    steps.add(new Step.Host(n, l.kind(), in.clone(), inDims, inCounts, out, what));
                }
                case Op.Softmax s -> steps.add(lanes("softmax", 0, what, od, s.axis(), out, in[0]));
                case Op.LogSoftmax s -> steps.add(lanes("softmax", 1, what, od, s.axis(), out, in[0]));
                case Op.Cast c -> steps.add(copy(what, od, 0, Strides.contiguous(od), out, 0, Strides.contiguous(od), in[0], mode(c.to())));
                case Op.Gather g -> {
                    int[] td = dims(n, 0, b);
                    int rows = td[0];
                    int d = (int) Strides.size(Arrays.copyOfRange(td, 1, td.length));
                    steps.add(flat("layers.cl", "gather", what, count, views(out, in), new int[] {(int) count, d, rows, mode}));
                }
                case Op.ScatterAdd s -> {
                    int d = (int) (count / s.size());
                    long indices = Strides.size(dims(n, 1, b));
                    steps.add(flat("layers.cl", "scatter_add", what, count, views(out, in), new int[] {(int) count, d, (int) indices, mode}));
                }
                case Op.DropoutMask d -> steps.add(flat("layers.cl", "dropout_mask", what, count, new View[] {out, in[1]},
                        new int[] {(int) count, Op.DropoutMask.saltMix(d.salt()), d.threshold(), bits(d.scale())}));
                case Op.Normalize z -> steps.add(reduce("normalize_axes", n, z.axes(), od, mode, 0, bits(z.eps()), out, in[0]));
                case Op.Conv2d c -> {
                    int[] x = dims(n, 0, b), w = dims(n, 1, b);
                    int og = w[0] / c.geometry().groups();
                    steps.add(flat("layers.cl", "conv2d", what, count, views(out, in),
                            conv((int) count, mode, x, od[1], od[2], od[3], w[1], og, w[2], w[3], c.geometry())));
                }
                case Op.ConvTranspose2d c -> {
                    int[] x = dims(n, 0, b), w = dims(n, 1, b);
                    int cg = x[1] / c.geometry().groups();
                    steps.add(flat("layers.cl", "conv_transpose2d", what, count, views(out, in),
                            conv((int) count, mode, x, od[1], od[2], od[3], cg, w[1], w[2], w[3], c.geometry())));
                }
                case Op.Conv2dWeightGrad c -> {
                    int[] x = dims(n, 0, b), g = dims(n, 1, b);
                    int og = od[0] / c.geometry().groups();
                    int[] args = conv((int) count, mode, x, g[1], g[2], g[3], od[1], og, od[2], od[3], c.geometry());
                    // a work-group per element of dw for long reductions, a work-item per element for short ones
                    if ((long) x[0] * g[2] * g[3] >= SERIAL_REDUCTION) {
                        steps.add(launch("layers.cl", "", "conv2d_weight_grad", what, views(out, in), args, new long[] {count * GROUP}, new long[] {GROUP}));
                    } else {
                        steps.add(flat("layers.cl", "conv2d_weight_grad_serial", what, count, views(out, in), args));
                    }
                }
                case Op.MaxPoolSelect m -> steps.add(pool("max_pool_select", what, m.window(), dims(n, 0, b), od, count, mode, out, in, tables));
                case Op.MaxPoolScatter m -> steps.add(pool("max_pool_scatter", what, m.window(), od, dims(n, 1, b), count, mode, out, in, tables));
            }
        } catch (RuntimeException e) {
            // a node of several launches failed part way: its kernels made so far belong to nobody yet
            for (Step s : steps) if (s instanceof Step.Launch l) Programs.release(l.kernel());
            throw e;
        }
        if (n.dtype().isHalf() && (n.op() instanceof Op.Softmax || n.op() instanceof Op.LogSoftmax || n.op() instanceof Op.CumSum
                || n.op() instanceof Op.CumProd)) {
            // these kernels store f32 as it is: round the value to its half type in place
            steps.add(copy(what, new int[] {(int) count}, 0, new int[] {1}, out, 0, new int[] {1}, out, mode));
        }
        return steps;
    }

    private static int[] dims(Node n, int i, Program.Binding b) {
        return b.shape(n.input(i)).dims();
    }

    private static int bits(double v) {
        return Float.floatToRawIntBits((float) v);
    }

    private static View[] views(View out, View[] in) {
        View[] v = new View[in.length + 1];
        v[0] = out;
        System.arraycopy(in, 0, v, 1, in.length);
        return v;
    }

    /** binary (op code {@code op}) or where over broadcast operands. */
    private Step broadcast(String kernel, int op, Node n, Program.Binding b, int[] od, int mode, View out, View[] in) {
        int[][] strides = new int[in.length][];
        for (int i = 0; i < in.length; i++) strides[i] = Strides.broadcast(dims(n, i, b), od);
        Strides.Merged m = Strides.merge(od, strides);
        if (m.rank() > MAX_RANK) throw tooManyAxes(n, b, m.rank(), MAX_RANK);
        int head = op >= 0 ? 4 : 3;
        int[] args = new int[head + MAX_RANK * (1 + in.length)];
        long count = Strides.size(od);
        args[0] = (int) count;
        args[1] = mode;
        if (op >= 0) args[2] = op;
        args[head - 1] = m.rank();
        Strides.pack(m, args, head, MAX_RANK);
        return flat("elementwise.cl", kernel, describe(n, b), count, views(out, in), args);
    }

    private Step copy(String what, int[] dims, int srcOff, int[] ss, View out, int dstOff, int[] ds, View in, int mode) {
        Strides.Merged m = Strides.merge(dims, ss, ds);
        if (m.rank() > MAX_RANK) throw new BackendException("the OpenCL kernels take at most " + MAX_RANK + " non-mergeable axes, but " + what + " needs " + m.rank());
        long count = Strides.size(dims);
        int[] args = new int[5 + 3 * MAX_RANK];
        args[0] = (int) count;
        args[1] = mode;
        args[2] = m.rank();
        args[3] = srcOff;
        args[4] = dstOff;
        Strides.pack(m, args, 5, MAX_RANK);
        return flat("elementwise.cl", "strided_copy", what, count, new View[] {out, in}, args);
    }

    /**
     * A reduction or normalisation: one work-group per kept index. Args: nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4],
     * mode, op, eps — the kept and reduced axes merged into runs separately.
     */
    private Step reduce(String kernel, Node n, Ints axes, int[] id, int mode, int op, int epsBits, View out, View in) {
        Strides.ReduceRuns runs = Strides.reduceRuns(id, axes);
        int g = MAX_GROUPS;
        if (runs.width() > g) throw tooManyAxes(n, null, runs.width(), g);
        long nOut = runs.nOut();
        int[] args = java.util.Arrays.copyOf(runs.pack(g), 4 + 4 * g + 3);
        args[4 + 4 * g] = mode;
        args[5 + 4 * g] = op;
        args[6 + 4 * g] = epsBits;
        return launch("reduce.cl", "", kernel, describe(n, null), new View[] {out, in}, args, new long[] {nOut * GROUP}, new long[] {GROUP});
    }

    /** One work-item per lane of {@code [outer, len, inner]} along {@code axis}. Args: lanes, len, inner, flag. */
    private Step lanes(String kernel, int flag, String what, int[] dims, int axis, View out, View in) {
        Strides.Lanes l = Strides.lanes(dims, axis);
        return flat("reduce.cl", kernel, what, l.lanes(), new View[] {out, in}, new int[] {(int) l.lanes(), l.len(), l.inner(), flag});
    }

    private Step matmul(Node n, String what, int[] ad, int[] bd, int mode, View out, View a, View b) {
        Strides.MatmulGeometry geo = Strides.matmul(ad, bd);
        int m = geo.m(), k = geo.k(), nn = geo.n();
        Strides.Merged mb = geo.batch();
        if (mb.rank() > MAX_BATCH_RANK) throw tooManyAxes(n, null, mb.rank(), MAX_BATCH_RANK);
        long batches = geo.batches();
        int gl = MAX_BATCH_RANK;
        int[] args = new int[7 + 3 * gl];
        args[0] = m;
        args[1] = nn;
        args[2] = k;
        args[3] = mode;
        args[4] = mb.rank();
        Strides.pack(mb, args, 5, gl);
        // large tiles leave most of a big GPU idle on small products
        long largeGroups = ceil(m, large.bm()) * ceil(nn, large.bn()) * batches;
        Tiles t = largeGroups >= 128 ? large : small;
        // the aligned variant reads and writes float4s: every operand must start on 16 bytes (the planner aligns ranges to
        // at least that, so this only guards against a policy change)
        boolean aligned = m % t.bm() == 0 && nn % t.bn() == 0 && k % t.bk() == 0 && out.offset() % 16 == 0 && a.offset() % 16 == 0
                && b.offset() % 16 == 0;
        long tilesN = ceil(nn, t.bn()), tilesM = ceil(m, t.bm()), groups = tilesN * tilesM * batches;
        if (groups > Integer.MAX_VALUE) throw new BackendException(groups + " work-groups exceed 32-bit indexing at " + what);
        args[5 + 3 * gl] = (int) tilesN;
        args[6 + 3 * gl] = (int) tilesM;
        return launch("matmul.cl", t.defines(aligned, unroll), "matmul", what, new View[] {out, a, b}, args,
                new long[] {groups * GROUP}, new long[] {GROUP});
    }

    /**
     * One of the attention kernels (attention.cl): a work-item per query row ({@code perQuery}) or per key row.
     * Args (AttnArgs): rows, Lq, Lk, E, Ev, causal, scale, wrt, mode.
     */
    private Step attention(String kernel, double scale, boolean causal, int wrt, boolean perQuery, Node n, Program.Binding b, int mode, String what,
                           View[] bindings) {
        int[] qd = dims(n, 0, b), kd = dims(n, 1, b);
        int r = qd.length, lq = qd[r - 2], e = qd[r - 1], lk = kd[r - 2];
        int ev = n.arity() > 2 ? dims(n, 2, b)[r - 1] : 0;
        long batch = Strides.size(Arrays.copyOf(qd, r - 2));
        long rows = batch * (perQuery ? lq : lk);
        if (rows > Integer.MAX_VALUE) throw new BackendException(what + ": " + rows + " rows exceed 32-bit indexing");
        int[] args = {(int) rows, lq, lk, e, ev, causal ? 1 : 0, bits(scale), wrt, mode};
        return flat("attention.cl", kernel, what, rows, bindings, args);
    }

    /** Args of the convolution kernels (ConvArgs in layers.cl). */
    private static int[] conv(int count, int mode, int[] x, int o, int ho, int wo, int cg, int og, int kh, int kw, dev.jasg.core.ConvGeometry geo) {
        return new int[] {count, mode, x[0], x[1], x[2], x[3], o, ho, wo, cg, og, kh, kw, geo.strideH(), geo.strideW(), geo.padTop(), geo.padLeft(),
                geo.dilationH(), geo.dilationW()};
    }

    /**
     * Max pooling over planes {@code xd} pooled to {@code pd}, the windows as host tables (see layers.cl): output
     * rows' first taps and tap counts, the same for columns, and each input row's and column's range of windows.
     */
    private Step pool(String kernel, String what, PoolWindow win, int[] xd, int[] pd, long count, int mode, View out, View[] in, Tables tables) {
        int h = xd[2], w = xd[3], ho = pd[2], wo = pd[3];
        int[][] rows = windowTables(win, 0, h, ho), cols = windowTables(win, 1, w, wo);
        int[] t = new int[2 * ho + 2 * wo + 2 * h + 2 * w];
        int at = 0;
        int[] offsets = new int[8];
        int[][] parts = {rows[0], rows[1], cols[0], cols[1], rows[2], rows[3], cols[2], cols[3]};
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = at;
            System.arraycopy(parts[i], 0, t, at, parts[i].length);
            at += parts[i].length;
        }
        cl_mem table = tables.ints(t, "the pooling windows of " + what);
        int[] args = {(int) count, mode, h, w, ho, wo, win.step(0), win.step(1), offsets[0], offsets[1], offsets[2], offsets[3], offsets[4],
                offsets[5], offsets[6], offsets[7]};
        return flat("layers.cl", kernel, what, count, new View[] {out, in[0], in[1], new View(table, 0, 4L * t.length)}, args);
    }

    /** Per output position along {@code axis}: first tap, tap count; per input position: first and last window whose extent covers it. */
    static int[][] windowTables(PoolWindow win, int axis, int n, int out) {
        int[] start = new int[out], taps = new int[out], lo = new int[n], hi = new int[n];
        Arrays.fill(lo, Integer.MAX_VALUE);
        Arrays.fill(hi, -1);
        int step = win.step(axis);
        for (int o = 0; o < out; o++) {
            start[o] = win.start(axis, o, n);
            taps[o] = win.taps(axis, o, n);
            long end = start[o] + (long) (taps[o] - 1) * step;
            for (long r = Math.max(0, start[o]); r <= Math.min(n - 1L, end); r++) {
                lo[(int) r] = Math.min(lo[(int) r], o);
                hi[(int) r] = Math.max(hi[(int) r], o);
            }
        }
        for (int r = 0; r < n; r++) if (hi[r] < 0) lo[r] = 0;
        return new int[][] {start, taps, lo, hi};
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    private Step flat(String file, String kernel, String what, long count, View[] bindings, int[] args) {
        return launch(file, "", kernel, what, bindings, args, new long[] {ceil(count, GROUP) * GROUP}, new long[] {GROUP});
    }

    private Step launch(String file, String defines, String kernel, String what, View[] bindings, int[] args, long[] global, long[] local) {
        cl_kernel k = programs.kernel(file, defines, kernel);
        try {
            setBuffers(k, bindings);
            clSetKernelArg(k, 2 * bindings.length, 4L * args.length, Pointer.to(args));
        } catch (CLException e) {
            Programs.release(k);
            throw new BackendException("cannot set the arguments of OpenCL kernel " + kernel + " (" + file + ") for " + what + ": " + e.getMessage(), e);
        }
        return new Step.Launch(k, global, local, what);
    }

    /** Arguments 2i and 2i + 1: tensor i's buffer and its offset in elements. */
    private static void setBuffers(cl_kernel k, View[] bindings) {
        for (int i = 0; i < bindings.length; i++) {
            clSetKernelArg(k, 2 * i, Sizeof.cl_mem, Pointer.to(bindings[i].buffer()));
            clSetKernelArg(k, 2 * i + 1, Sizeof.cl_ulong, Pointer.to(new long[] {bindings[i].elements()}));
        }
    }

    private static BackendException tooManyAxes(Node n, Program.Binding b, int rank, int max) {
        return new BackendException("the OpenCL kernels take at most " + max + " non-mergeable axes, but " + describe(n, b) + " needs " + rank);
    }
}
