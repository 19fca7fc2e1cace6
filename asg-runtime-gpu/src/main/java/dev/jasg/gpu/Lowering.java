package dev.jasg.gpu;

import dev.jasg.core.Strides;
import dev.jasg.core.BackendException;
import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.Ints;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one scheduled node into the device commands that compute it, given where its
 * inputs and output live: one exhaustive switch over {@link Op}, so an op without a GPU
 * kernel does not compile. Leaves (inputs, parameters, constants, counts) produce no
 * commands: their values are uploaded or already resident.
 */
final class Lowering {
    private final VulkanDevice dev;
    private final Pipelines pipelines;
    private final MatMulKernel.Tiles large, small;
    /** The f32 product's tiles, largest first ({@link MatMulKernel#choose}). */
    private final List<MatMulKernel.Tiles> tiles;
    /** The tensor-core tiles, largest first; empty when the device has no cooperative matrices (or a subgroup size the kernel does not assume). */
    private final List<CoopMatMulKernel.Tiles> coop;

    Lowering(VulkanDevice dev, Pipelines pipelines) {
        this.dev = dev;
        this.pipelines = pipelines;
        this.large = MatMulKernel.large(dev.maxSharedMemory);
        this.small = MatMulKernel.small(dev.maxSharedMemory);
        MatMulKernel.Tiles middle = MatMulKernel.middle(dev.maxSharedMemory);
        MatMulKernel.Tiles narrow = MatMulKernel.narrow(dev.maxSharedMemory);
        this.tiles = large.equals(middle) ? List.of(large, small) : List.of(large, middle, narrow, small);
        boolean any = dev.coopMatrix.f16() || dev.coopMatrix.bf16();
        this.coop = any && dev.subgroupSize == CoopMatMulKernel.SUBGROUP ? CoopMatMulKernel.tiles(dev.maxSharedMemory) : List.of();
    }

    /**
     * How a kernel rounds what it stores for a node of {@code t}: 0 float, 1 truncate to integer, 2 to 0/1,
     * 3 to the nearest F16 value, 4 to the nearest BF16 value (half storage is emulated: every value is
     * an f32 word holding a float rounded to the type, {@code rnd} in {@code common.glsl}).
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

    /**
     * True when {@code n}'s value is its operand's bytes unchanged, so that it can be a view of its
     * operand's range instead of a copy: reshapes, stop-gradient, a reduction over no axes, an
     * identity permute, an expand or a slice that changes nothing, a one-part concat, and a cast
     * that stores its values as they are (to a float type, or within integers or within booleans:
     * the kernels keep every dtype's values as f32). {@link #lower} still lowers these to copies,
     * for a plan that does not make them views.
     */
    static boolean isView(Node n, Program.Binding b, dev.jasg.core.Graph g) {
        return switch (n.op()) {
            case Op.Input i -> false;
            case Op.Parameter p -> false;
            case Op.Constant c -> false;
            case Op.Count c -> false;
            case Op.Unary u -> false;
            case Op.Binary x -> false;
            case Op.Compare c -> false;
            case Op.Where w -> false;
            case Op.Reduce r -> r.axes().size() == 0;
            case Op.ArgReduce a -> false;
            case Op.MatMul m -> false;
            case Op.Reshape r -> true;
            case Op.StopGradient s -> true;
            case Op.Permute p -> {
                boolean identity = true;
                for (int i = 0; i < p.perm().size(); i++) identity &= p.perm().get(i) == i;
                yield identity;
            }
            case Op.Expand e -> b.shape(n.input(0)).equals(b.shape(n.id()));
            case Op.Slice s -> s.step() == 1 && s.start() == 0 && s.end() == b.shape(n.input(0)).dim(s.axis());
            case Op.SliceScatter s -> false;
            case Op.Concat c -> n.arity() == 1;
            case Op.Linalg l -> false;
            case Op.Attention a -> false;
            case Op.AttentionStats a -> false;
            case Op.AttentionGrad a -> false;
            case Op.Softmax s -> false;
            case Op.LogSoftmax s -> false;
            case Op.Cast c -> mode(c.to()) == 0 || mode(c.to()) == mode(g.node(n.input(0)).dtype());
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

    /** The commands computing {@code n} into {@code out} from {@code in}, with no workspace and without the kernels that need the operands' dtypes. */
    List<Step> lower(Node n, Program.Binding b, View out, View[] in) {
        return lower(n, b, out, in, null, null);
    }

    /**
     * Bytes of workspace {@code n}'s commands need ({@link #lower} with a workspace): a weight gradient whose
     * reduction is split over workgroups keeps its partial tiles there, a product on the tensor-core kernel its
     * operands packed to 16-bit storage ({@link CoopMatMulKernel#PACKED_PROPERTY}), a long reduction over few
     * outputs its partial results ({@link #reduceSplits}), an attention gradient of q or k its {@code delta = rowsum(g o)}
     * (4 bytes a query row); 0 for every other node.
     */
    long workspaceBytes(Node n, Program.Binding b, dev.jasg.core.Graph graph) {
        if (n.op() instanceof Op.MatMul) return graph == null ? 0 : Math.max(packedBytes(n, b, graph.node(n.input(0)).dtype()), splitBytes(n, b, operand(graph, n)));
        if (n.op() instanceof Op.Reduce r) {
            if (r.axes().size() == 0) return 0;
            long outputs = b.shape(n.id()).size();
            int splits = reduceSplits(n, r, b.shape(n.input(0)).dims());
            return splits > 1 ? 4L * outputs * splits : 0;
        }
        if (n.op() instanceof Op.Attention || n.op() instanceof Op.AttentionStats || n.op() instanceof Op.AttentionGrad) {
            long wg = workgroupAttentionBytes(n, b, operand(graph, n));
            if (wg > 0) return wg;
        }
        if (n.op() instanceof Op.AttentionGrad a) return a.wrt() == 2 ? 0 : 4L * attentionRows(dims(n, 0, b));
        if (n.op() instanceof Op.Conv2d c) {
            int[] od = b.shape(n.id()).dims(), w = dims(n, 1, b);
            if (pointwise(n, c.geometry(), dims(n, 0, b), w, od, graph)) return 0;
            Winograd wg = winograd(n, c.geometry(), dims(n, 0, b), w, od, graph, false);
            if (wg != null) return wg.bytes(this::align);
            return tapMajorBytes(ConvKernels.Conv.FORWARD, w[0] / c.geometry().groups(), od[0] * od[2] * od[3], w[1] * w[2] * w[3],
                    c.geometry().groups(), w[1], w);
        }
        if (n.op() instanceof Op.ConvTranspose2d c) {
            int[] od = b.shape(n.id()).dims(), x = dims(n, 0, b), w = dims(n, 1, b);
            if (pointwise(n, c.geometry(), x, w, od, graph)) return 0;
            Winograd wg = winograd(n, c.geometry(), x, w, od, graph, true);
            if (wg != null) return wg.bytes(this::align);
            int cig = x[1] / c.geometry().groups();
            return tapMajorBytes(ConvKernels.Conv.TRANSPOSED, w[1], od[0] * od[2] * od[3], cig * w[2] * w[3], c.geometry().groups(), cig, w);
        }
        if (!(n.op() instanceof Op.Conv2dWeightGrad c)) return 0;
        int[] od = b.shape(n.id()).dims(), x = dims(n, 0, b), g = dims(n, 1, b);
        long count = Strides.size(od);
        if (count == 0) return 0;
        Winograd wg = winogradGradient(n, c.geometry(), x, g, od, graph);
        if (wg != null) return wg.bytes(this::align);
        int groups = c.geometry().groups();
        int[] geo = ConvKernels.geometry(x[1], x[2], x[3], g[1], g[2], g[3], od[1], od[2], od[3], c.geometry());
        int splits = weightGradSplits(od[0] / groups, od[1] * od[2] * od[3], g[0] * g[2] * g[3], groups, x[0], geo, count);
        return splits > 1 ? 4L * splits * count : 0;
    }

    /** The splits of a weight gradient's tiled reduction ({@link ConvKernels#splits}); 1 for the direct kernel. */
    private int weightGradSplits(int m, int cols, int k, int groups, int batch, int[] geo, long count) {
        if (m < ConvKernels.MIN_GEMM || k < ConvKernels.MIN_GEMM) return 1;
        ConvKernels.Tiles t = convTiles(ConvKernels.Conv.WEIGHT_GRAD, m, cols, k, groups);
        long workgroups = ceil(cols, t.bn()) * ceil(m, t.bm()) * groups;
        long steps = (long) batch * geo[4] * ceil(geo[5], t.bk());
        return ConvKernels.splits(workgroups, steps, t.slices(), count, dev.maxStorageBufferRange);
    }

    /**
     * The commands computing {@code n} into {@code out} from {@code in}; {@code workspace} (at least
     * {@link #workspaceBytes} long, or null when that is 0) holds what a split reduction keeps between its passes;
     * {@code graph} (null: unknown) gives the operands' dtypes, so a product of half operands may run on the
     * tensor-core kernel.
     */
    List<Step> lower(Node n, Program.Binding b, View out, View[] in, View workspace, dev.jasg.core.Graph graph) {
        return lower(n, b, out, in, workspace, graph, MatMulKernel.Layout.PLAIN);
    }

    /**
     * As {@link #lower(Node, Program.Binding, View, View[], View, dev.jasg.core.Graph)}; {@code layout}: how product {@code n}
     * reads its operands, {@code in[0]} holding A transposed and {@code in[1]} B where they are absorbed permutes
     * ({@link Fusion#layout}).
     */
    List<Step> lower(Node n, Program.Binding b, View out, View[] in, View workspace, dev.jasg.core.Graph graph, MatMulKernel.Layout layout) {
        int[] od = b.shape(n.id()).dims();
        long count = Strides.size(od);
        int mode = mode(n.dtype());
        List<Step> steps = new ArrayList<>();
        if (count == 0) return steps;
        switch (n.op()) {
            case Op.Input i -> { }
            case Op.Parameter p -> { }
            case Op.Constant c -> { }
            case Op.Count c -> { }
            case Op.Unary u -> steps.add(flat(GlslKernels.unary(u.kind()), n, count, new View[] {out, in[0]},
                    new int[] {(int) count, mode, Float.floatToRawIntBits((float) u.a()), Float.floatToRawIntBits((float) u.b())}, GlslKernels.ELEMENTS));
            case Op.Binary bin -> steps.add(broadcast(GlslKernels.binary("binary_" + bin.kind().label(),
                    GlslKernels.binaryExpression(bin.kind())), n, b, od, mode, out, in, GlslKernels.ELEMENTS));
            case Op.Compare c -> steps.add(broadcast(GlslKernels.binary("compare_" + c.kind().label(),
                    GlslKernels.compareExpression(c.kind())), n, b, od, mode, out, in, GlslKernels.ELEMENTS));
            case Op.Where w -> steps.add(broadcast(GlslKernels.where(), n, b, od, mode, out, in, 1));
            case Op.Reduce r -> {
                if (r.axes().size() == 0) steps.add(new Step.Copy(in[0], out));
                else steps.addAll(reduce(n, r, dims(n, 0, b), mode, out, in[0], workspace, null, null, null, null));
            }
            case Op.ArgReduce a -> steps.add(lanes(GlslKernels.argReduce(a.kind()), n, dims(n, 0, b), a.axis(), out, in[0]));
            case Op.MatMul m -> steps.addAll(matmul(n, dims(n, 0, b), dims(n, 1, b), mode, out, in[0], in[1], null, null, null, null,
                    graph == null ? null : graph.node(n.input(0)).dtype(), workspace, layout));
            case Op.Reshape r -> steps.add(new Step.Copy(in[0], out));
            case Op.StopGradient s -> steps.add(new Step.Copy(in[0], out));
            case Op.Permute p -> {
                int[] inStrides = Strides.contiguous(dims(n, 0, b));
                int[] ss = new int[od.length];
                for (int i = 0; i < od.length; i++) ss[i] = inStrides[p.perm().get(i)];
                steps.add(copy(n, od, 0, ss, out, 0, Strides.contiguous(od), in[0], mode));
            }
            case Op.Expand e -> steps.add(copy(n, od, 0, Strides.broadcast(dims(n, 0, b), od), out, 0, Strides.contiguous(od), in[0], mode));
            case Op.Slice s -> {
                int[] ss = Strides.contiguous(dims(n, 0, b));
                int start = s.start() * ss[s.axis()];
                ss[s.axis()] *= s.step();
                steps.add(copy(n, od, start, ss, out, 0, Strides.contiguous(od), in[0], mode));
            }
            case Op.SliceScatter s -> {
                steps.add(new Step.Fill(out));
                int[] id = dims(n, 0, b);
                int[] ds = Strides.contiguous(od);
                int start = s.start() * ds[s.axis()];
                ds[s.axis()] *= s.step();
                if (Strides.size(id) > 0) steps.add(copy(n, id, 0, Strides.contiguous(id), out, start, ds, in[0], mode));
            }
            case Op.Concat c -> {
                int[] ds = Strides.contiguous(od);
                int at = 0;
                for (int k = 0; k < n.arity(); k++) {
                    int[] id = dims(n, k, b);
                    if (Strides.size(id) > 0) steps.add(copy(n, id, 0, Strides.contiguous(id), out, at * ds[c.axis()], ds, in[k], mode));
                    at += id[c.axis()];
                }
            }
            case Op.CumSum c -> steps.add(lanes(ScanKernels.scan(false, c.reverse()), n, od, c.axis(), out, in[0]));
            case Op.CumProd c -> steps.add(lanes(ScanKernels.scan(true, false), n, od, c.axis(), out, in[0]));
            case Op.ArgSort a -> steps.add(lanes(ScanKernels.argsort(a.descending()), n, od, a.axis(), out, in[0]));
            case Op.Attention a -> {
                List<Step> wg = workgroupAttention(AttentionKernels.Kind.FORWARD, n, b, a.scale(), a.causal(), out, in, workspace, operand(graph, n));
                steps.addAll(wg != null ? wg : List.of(attention(AttentionKernels.Kind.FORWARD, n, b, a.scale(), a.causal(), new View[] {out, in[0], in[1], in[2]})));
            }
            case Op.AttentionStats a -> {
                List<Step> wg = workgroupAttention(AttentionKernels.Kind.STATS, n, b, a.scale(), a.causal(), out, in, workspace, operand(graph, n));
                steps.addAll(wg != null ? wg : List.of(attention(AttentionKernels.Kind.STATS, n, b, a.scale(), a.causal(), new View[] {out, in[0], in[1]})));
            }
            case Op.AttentionGrad a -> {
                AttentionKernels.Kind kind = a.wrt() == 0 ? AttentionKernels.Kind.GRAD_Q : a.wrt() == 1 ? AttentionKernels.Kind.GRAD_K : AttentionKernels.Kind.GRAD_V;
                List<Step> wg = workgroupAttention(kind, n, b, a.scale(), a.causal(), out, in, workspace, operand(graph, n));
                steps.addAll(wg != null ? wg : attentionGrad(a, n, b, out, in, workspace));
            }
            case Op.Linalg l -> {
                // no Vulkan kernels yet: the plan runs it on the host between two submissions (logged once per compile)
                int[][] inDims = new int[n.arity()][];
                int[] inCounts = new int[n.arity()];
                for (int k = 0; k < inDims.length; k++) {
                    inDims[k] = dims(n, k, b);
                    inCounts[k] = (int) Strides.size(inDims[k]);
                }
                steps.add(new Step.Host(n, l.kind(), inDims, inCounts, out, in.clone()));
            }
            case Op.Softmax s -> steps.add(softmax(false, n, od, s.axis(), out, in[0]));
            case Op.LogSoftmax s -> steps.add(softmax(true, n, od, s.axis(), out, in[0]));
            case Op.Cast c -> steps.add(copy(n, od, 0, Strides.contiguous(od), out, 0, Strides.contiguous(od), in[0], mode(c.to())));
            case Op.Gather g -> {
                int[] td = dims(n, 0, b);
                int rows = td[0], d = (int) (Strides.size(td) / Math.max(1, rows));
                if (rows == 0) d = (int) Strides.size(Arrays.copyOfRange(td, 1, td.length));
                steps.add(flat(LayerKernels.gather(), n, count, new View[] {out, in[0], in[1]}, new int[] {(int) count, d, rows, mode}));
            }
            case Op.ScatterAdd s -> {
                int d = (int) (count / s.size());
                long indices = Strides.size(dims(n, 1, b));
                steps.add(flat(LayerKernels.scatterAdd(), n, count, new View[] {out, in[0], in[1]}, new int[] {(int) count, d, (int) indices, mode}));
            }
            case Op.DropoutMask d -> steps.add(flat(LayerKernels.dropoutMask(), n, count, new View[] {out, in[1]},
                    new int[] {(int) count, Op.DropoutMask.saltMix(d.salt()), d.threshold(), Float.floatToRawIntBits((float) d.scale())}));
            case Op.Normalize z -> steps.add(normalize(n, z, od, mode, out, in[0]));
            case Op.Conv2d c when pointwise(n, c.geometry(), dims(n, 0, b), dims(n, 1, b), od, graph) ->
                    steps.addAll(pointwiseProduct(n, b, false, mode, out, in));
            case Op.ConvTranspose2d c when pointwise(n, c.geometry(), dims(n, 0, b), dims(n, 1, b), od, graph) ->
                    steps.addAll(pointwiseProduct(n, b, true, mode, out, in));
            case Op.Conv2d c -> {
                int[] x = dims(n, 0, b), w = dims(n, 1, b);
                Winograd wg = workspace == null ? null : winograd(n, c.geometry(), x, w, od, graph, false);
                if (wg != null) {
                    steps.addAll(winogradConv(n, wg, mode, out, in, workspace));
                } else {
                    int groups = c.geometry().groups(), og = w[0] / groups;
                    int[] geo = ConvKernels.geometry(x[1], x[2], x[3], w[0], od[2], od[3], w[1], w[2], w[3], c.geometry());
                    steps.addAll(conv(ConvKernels.Conv.FORWARD, n, count, og, od[0] * od[2] * od[3], w[1] * w[2] * w[3], groups, x[0], geo, mode,
                            out, in, workspace, w));
                }
            }
            case Op.ConvTranspose2d c -> {
                int[] x = dims(n, 0, b), w = dims(n, 1, b);
                Winograd wg = workspace == null ? null : winograd(n, c.geometry(), x, w, od, graph, true);
                if (wg != null) {
                    steps.addAll(winogradConv(n, wg, mode, out, in, workspace));
                } else {
                    int groups = c.geometry().groups(), cig = x[1] / groups;
                    int[] geo = ConvKernels.geometry(x[1], x[2], x[3], od[1], od[2], od[3], cig, w[2], w[3], c.geometry());
                    steps.addAll(conv(ConvKernels.Conv.TRANSPOSED, n, count, w[1], od[0] * od[2] * od[3], cig * w[2] * w[3], groups, x[0], geo, mode,
                            out, in, workspace, w));
                }
            }
            case Op.Conv2dWeightGrad c -> {
                int[] x = dims(n, 0, b), g = dims(n, 1, b);
                Winograd wg = workspace == null ? null : winogradGradient(n, c.geometry(), x, g, od, graph);
                if (wg != null) {
                    steps.addAll(winogradKernelGradient(n, wg, mode, out, in, workspace));
                } else {
                    int groups = c.geometry().groups();
                    int[] geo = ConvKernels.geometry(x[1], x[2], x[3], g[1], g[2], g[3], od[1], od[2], od[3], c.geometry());
                    steps.addAll(conv(ConvKernels.Conv.WEIGHT_GRAD, n, count, od[0] / groups, od[1] * od[2] * od[3], g[0] * g[2] * g[3], groups,
                            x[0], geo, mode, out, in, workspace, null));
                }
            }
            case Op.MaxPoolSelect m -> steps.add(pool(false, n, b, m.window(), dims(n, 0, b), od, count, mode, out, in));
            case Op.MaxPoolScatter m -> steps.add(pool(true, n, b, m.window(), od, dims(n, 1, b), count, mode, out, in));
        }
        if (n.dtype().isHalf() && (n.op() instanceof Op.Softmax || n.op() instanceof Op.LogSoftmax || n.op() instanceof Op.CumSum
                || n.op() instanceof Op.CumProd)) {
            // these kernels store f32 as it is: round the value to its half type in place
            int[] flat = {(int) count};
            steps.add(copy(n, flat, 0, new int[] {1}, out, 0, new int[] {1}, out, mode));
        }
        return steps;
    }

    /**
     * The commands computing product {@code c}'s result transposed into {@code out} (a permute swapping its last two axes,
     * {@link Fusion#transposedResult}): {@code B^T A^T}, with {@code a} and {@code b} the views of {@code c}'s operands,
     * read as {@code layout} (c's own, {@link Fusion#layout}) says, each the other way round; {@code remap} not null: the
     * transposed result stored permuted too ({@link Fusion#permutedResult}).
     */
    List<Step> lowerTransposedResult(Node c, Program.Binding b, View out, View a, View bView, View workspace, dev.jasg.core.Graph graph,
                                     MatMulKernel.Layout layout, MatMulKernel.Remap remap) {
        if (b.shape(c.id()).size() == 0) return new ArrayList<>();
        return matmul(c, swapLastTwo(dims(c, 1, b)), swapLastTwo(dims(c, 0, b)), mode(c.dtype()), out, bView, a, null, null, null, null,
                graph == null ? null : graph.node(c.input(1)).dtype(), workspace, layout.swapped(), remap);
    }

    /**
     * The commands of product {@code c} (operands {@code a}, {@code bView}, read as {@code layout} says) storing its result
     * into {@code out} where {@code remap} says: the value of the permute that reads it ({@link Fusion#permutedResult}).
     */
    List<Step> lowerPermutedProduct(Node c, Program.Binding b, View out, View a, View bView, View workspace, dev.jasg.core.Graph graph,
                                    MatMulKernel.Layout layout, MatMulKernel.Remap remap) {
        if (b.shape(c.id()).size() == 0) return new ArrayList<>();
        return matmul(c, dims(c, 0, b), dims(c, 1, b), mode(c.dtype()), out, a, bView, null, null, null, null, graph.node(c.input(0)).dtype(),
                workspace, layout, remap);
    }

    /** The workspace {@link #lowerTransposedResult} needs for product {@code c} (as {@link #workspaceBytes} for {@code c} itself). */
    long transposedResultWorkspaceBytes(Node c, Program.Binding b, dev.jasg.core.Graph graph) {
        if (graph == null) return 0;
        int[] ad = swapLastTwo(dims(c, 1, b)), bd = swapLastTwo(dims(c, 0, b));
        DType operand = graph.node(c.input(1)).dtype();
        return Math.max(packedBytes(ad, bd, operand), splitBytes(ad, bd, operand));
    }

    /** {@code d} with its last two dims swapped (a transposed product's operands, {@link Fusion#transposedResult}). */
    static int[] swapLastTwo(int[] d) {
        int[] r = d.clone();
        int k = r.length;
        r[k - 2] = d[k - 1];
        r[k - 1] = d[k - 2];
        return r;
    }

    /**
     * The commands computing fused group {@code grp} ({@link Fusion}) into {@code out}: {@code siblings} the ranges of its
     * {@link Fusion.Group#siblings}, {@code ext} its externals' ranges, {@code anchorIn} the anchor's operands (a matmul's A
     * and B) or null; {@code workspace} as for {@link #lower}; {@code layout}: how the anchor, a product, reads its operands
     * ({@link Fusion#layout}); {@code remap} not null (a group anchored on a product only): its result stored permuted
     * ({@link Fusion#permutedResult}).
     */
    List<Step> lowerFused(Fusion.Group grp, dev.jasg.core.Graph g, Program.Binding b, View out, View[] siblings, View[] ext, View[] anchorIn,
                          View workspace, MatMulKernel.Layout layout, MatMulKernel.Remap remap) {
        Node root = g.node(grp.root());
        if (remap != null && (grp.anchor() < 0 || !(g.node(grp.anchor()).op() instanceof Op.MatMul) || grp.rows() != null || grp.prologue())) {
            throw new IllegalArgumentException("only a group anchored on a product stores its result permuted, not " + describe(root, b));
        }
        if (grp.rows() != null) return List.of(rowGradient(grp, g, b, out, ext, anchorIn));
        if (grp.prologue()) {
            Op.Reduce r = (Op.Reduce) root.op();
            int[] id = b.shape(root.input(0)).dims();
            return reduce(root, r, id, mode(root.dtype()), out, null, workspace, grp, g, ext, Fusion.indexingPush(grp, b, Fusion.slots(grp)));
        }
        if (grp.anchor() >= 0 && g.node(grp.anchor()).op() instanceof Op.Normalize z) {
            Node nz = g.node(grp.anchor());
            int gr = GlslKernels.MAX_REDUCE_GROUPS, slots = Fusion.slots(grp);
            int[] push = Arrays.copyOf(groups(nz, z.axes(), dims(nz, 0, b)), 8 + 4 * gr + 2 * slots);
            push[4 + 4 * gr] = Float.floatToRawIntBits((float) z.eps());
            push[5 + 4 * gr] = 0;  // the group rounds what it stores
            Cooperation c = cooperation(push);
            push[6 + 4 * gr] = c.tpoBits();
            push[7 + 4 * gr] = c.lo();
            System.arraycopy(Fusion.indexingPush(grp, b, slots), 0, push, 8 + 4 * gr, 2 * slots);
            View[] bind = new View[2 + ext.length];
            bind[0] = out;
            bind[1] = anchorIn[0];
            System.arraycopy(ext, 0, bind, 2, ext.length);
            int[] grid = grid(c.groups(push[0]), nz);
            return List.of(dispatch(LayerKernels.normalize(dev.subgroupShuffle, grp, g), nz, bind, push, grid[0], grid[1], 1));
        }
        if (grp.anchor() >= 0) {
            Node mm = g.node(grp.anchor());
            return matmul(mm, dims(mm, 0, b), dims(mm, 1, b), 0, out, anchorIn[0], anchorIn[1], grp, g, ext,
                    Fusion.indexingPush(grp, b, Fusion.slots(grp)), g.node(mm.input(0)).dtype(), workspace, layout, remap);
        }
        long count = b.shape(root.id()).size();
        int slots = Fusion.slots(grp);
        int[] push = new int[1 + 2 * slots];
        push[0] = (int) count;
        System.arraycopy(Fusion.indexingPush(grp, b, slots), 0, push, 1, 2 * slots);
        // a group with siblings (Fusion's merged groups) stores them too: outputs first, then the externals
        if (siblings.length != grp.siblings().size()) throw new IllegalArgumentException(siblings.length + " sibling views for " + grp.siblings().size() + " siblings");
        View[] bind = new View[1 + siblings.length + ext.length];
        bind[0] = out;
        System.arraycopy(siblings, 0, bind, 1, siblings.length);
        System.arraycopy(ext, 0, bind, 1 + siblings.length, ext.length);
        int[] grid = grid(GlslKernels.flatGroups(count, GlslKernels.ELEMENTS), root);
        return List.of(dispatch(Fusion.kernel(grp, g), root, bind, 1 + siblings.length, push, grid[0], grid[1], 1));
    }

    /**
     * A row gradient ({@link RowGradient}) in one kernel, with the group's elementwise epilogue when it has members:
     * the invocations of a row cooperate on the reduction geometry of the pattern's reductions.
     */
    private Step rowGradient(Fusion.Group grp, dev.jasg.core.Graph g, Program.Binding b, View out, View[] ext, View[] operands) {
        RowGradient rg = grp.rows();
        Node red = g.node(rg.reduction());
        Fusion.Group epilogue = grp.members().isEmpty() ? null : grp;
        int gr = GlslKernels.MAX_REDUCE_GROUPS, base = 8 + 4 * gr;
        int pSlots = rg.gTree() == null ? 0 : Fusion.slots(rg.gTree()), eSlots = epilogue == null ? 0 : Fusion.slots(epilogue);
        int[] push = Arrays.copyOf(groups(red, rg.axes(), b.shape(rg.root()).dims()), base + 2 * pSlots + 2 * eSlots);
        push[4 + 4 * gr] = Float.floatToRawIntBits(rg.eps());
        push[5 + 4 * gr] = mode(g.node(rg.root()).dtype());
        Cooperation c = cooperation(push);
        push[6 + 4 * gr] = c.tpoBits();
        push[7 + 4 * gr] = c.lo();
        if (pSlots > 0) System.arraycopy(Fusion.indexingPush(rg.gTree(), b, pSlots), 0, push, base, 2 * pSlots);
        if (eSlots > 0) System.arraycopy(Fusion.indexingPush(epilogue, b, eSlots), 0, push, base + 2 * pSlots, 2 * eSlots);
        View[] bind = new View[1 + operands.length + (epilogue == null ? 0 : ext.length)];
        bind[0] = out;
        System.arraycopy(operands, 0, bind, 1, operands.length);
        if (epilogue != null) System.arraycopy(ext, 0, bind, 1 + operands.length, ext.length);
        int[] grid = grid(c.groups(push[0]), red);
        return dispatch(LayerKernels.rowGradient(rg, dev.subgroupShuffle, epilogue, g), g.node(rg.root()), bind, push, grid[0], grid[1], 1);
    }

    private static int[] dims(Node n, int i, Program.Binding b) {
        return b.shape(n.input(i)).dims();
    }

    /** How errors name a node: id, path, op and shape. */
    static String describe(Node n, Program.Binding b) {
        return "node " + n.id() + " '" + n.path() + "' (" + n.op().label() + ", " + n.dtype().label() + (b == null ? n.shape() : b.shape(n.id())) + ")";
    }

    /** Kernel {@code k} over {@code od} with its operands read through broadcast strides, {@code elements} an invocation. */
    private Step broadcast(Kernel k, Node n, Program.Binding b, int[] od, int mode, View out, View[] in, int elements) {
        int[][] strides = new int[in.length][];
        for (int i = 0; i < in.length; i++) strides[i] = Strides.broadcast(dims(n, i, b), od);
        Strides.Merged m = Strides.merge(od, strides);
        if (m.rank() > GlslKernels.MAX_RANK) throw tooManyAxes(n, b, m.rank(), GlslKernels.MAX_RANK);
        int[] push = new int[3 + GlslKernels.MAX_RANK * (1 + in.length)];
        long count = Strides.size(od);
        push[0] = (int) count;
        push[1] = mode;
        push[2] = m.rank();
        Strides.pack(m, push, 3, GlslKernels.MAX_RANK);
        View[] bind = new View[in.length + 1];
        bind[0] = out;
        System.arraycopy(in, 0, bind, 1, in.length);
        return flat(k, n, count, bind, push, elements);
    }

    private Step copy(Node n, int[] dims, int srcOff, int[] ss, View out, int dstOff, int[] ds, View in, int mode) {
        Strides.Merged m = Strides.merge(dims, ss, ds);
        if (m.rank() > GlslKernels.MAX_RANK) throw tooManyAxes(n, null, m.rank(), GlslKernels.MAX_RANK);
        long count = Strides.size(dims);
        if (quads(m, srcOff, dstOff, in, out)) {
            // the same copy in units of four floats: the innermost axis a quarter as long, every stride and offset a quarter
            int r = m.rank();
            int[] qd = m.dims().clone();
            qd[r - 1] /= 4;
            int[][] qs = {m.strides()[0].clone(), m.strides()[1].clone()};
            for (int[] st : qs) for (int i = 0; i < r - 1; i++) st[i] /= 4;
            int[] push = new int[5 + 3 * GlslKernels.MAX_RANK];
            push[0] = (int) (count / 4);
            push[1] = mode;
            push[2] = r;
            push[3] = srcOff / 4;
            push[4] = dstOff / 4;
            Strides.pack(new Strides.Merged(qd, qs), push, 5, GlslKernels.MAX_RANK);
            return flat(GlslKernels.copy4(), n, count / 4, new View[] {out, in}, push);
        }
        int[] push = new int[5 + 3 * GlslKernels.MAX_RANK];
        push[0] = (int) count;
        push[1] = mode;
        push[2] = m.rank();
        push[3] = srcOff;
        push[4] = dstOff;
        Strides.pack(m, push, 5, GlslKernels.MAX_RANK);
        return flat(GlslKernels.copy(), n, count, new View[] {out, in}, push);
    }

    /**
     * Whether a merged strided copy may move four floats at a time: its innermost axis contiguous on both sides and a
     * multiple of four long, every other stride and both offsets multiples of four, both views starting on 16 bytes.
     */
    private static boolean quads(Strides.Merged m, int srcOff, int dstOff, View in, View out) {
        int r = m.rank();
        if (r == 0 || m.dims()[r - 1] % 4 != 0 || m.strides()[0][r - 1] != 1 || m.strides()[1][r - 1] != 1) return false;
        if (srcOff % 4 != 0 || dstOff % 4 != 0 || in.offset() % 16 != 0 || out.offset() % 16 != 0) return false;
        for (int i = 0; i < r - 1; i++) if (m.strides()[0][i] % 4 != 0 || m.strides()[1][i] % 4 != 0) return false;
        return true;
    }

    /**
     * A reduction of {@code id}-shaped {@code in} (or, with fused group {@code prologue}, of the values it computes from
     * its externals {@code ext}) into {@code out}. Split in {@link #reduceSplits} parts when that is more than one and
     * {@code workspace} holds the partials: a first pass folds each part of every output into the workspace (a mean
     * over each part: the parts are equal, so the mean of their means is the mean), a second folds the partials of
     * each output in order. Deterministic either way.
     */
    private List<Step> reduce(Node n, Op.Reduce r, int[] id, int mode, View out, View in, View workspace, Fusion.Group prologue,
                              dev.jasg.core.Graph g, View[] ext, int[] prologuePush) {
        int gr = GlslKernels.MAX_REDUCE_GROUPS, slots = prologue == null ? 0 : Fusion.slots(prologue);
        int[] push = Arrays.copyOf(groups(n, r.axes(), id), 7 + 4 * gr + 2 * slots);
        long outputs = Integer.toUnsignedLong(push[0]);
        int splits = splits(push);
        boolean split = splits > 1 && workspace != null && workspace.bytes() >= 4L * outputs * splits;
        if (split) push[1] = (int) (Integer.toUnsignedLong(push[1]) / splits);
        push[4 + 4 * gr] = split ? 0 : mode;
        Cooperation c = cooperation(push);
        push[5 + 4 * gr] = c.tpoBits();
        push[6 + 4 * gr] = c.lo();
        View target = split ? new View(workspace.buffer(), workspace.offset(), 4L * outputs * splits) : out;
        View[] bind;
        Kernel k;
        if (prologue != null) {
            System.arraycopy(prologuePush, 0, push, 7 + 4 * gr, 2 * slots);
            bind = new View[1 + ext.length];
            bind[0] = target;
            System.arraycopy(ext, 0, bind, 1, ext.length);
            k = GlslKernels.reduce(r.kind(), dev.subgroupShuffle, prologue, g);
        } else {
            bind = new View[] {target, in};
            k = GlslKernels.reduce(r.kind(), dev.subgroupShuffle);
        }
        int[] grid = grid(c.groups(outputs), n);
        Step first = dispatch(k, n, bind, push, grid[0], grid[1], split ? splits : 1);
        if (!split) return List.of(first);
        // the partials as [outputs, splits], folded along the last axis
        int[] p2 = Arrays.copyOf(groups(n, Ints.of(1), new int[] {(int) outputs, splits}), 7 + 4 * gr);
        p2[4 + 4 * gr] = mode;
        Cooperation c2 = cooperation(p2);
        p2[5 + 4 * gr] = c2.tpoBits();
        p2[6 + 4 * gr] = c2.lo();
        int[] grid2 = grid(c2.groups(outputs), n);
        return List.of(first, dispatch(GlslKernels.reduce(r.kind(), dev.subgroupShuffle), n, new View[] {out, target}, p2, grid2[0], grid2[1], 1));
    }

    /** Workgroups a reduction should make before it is worth splitting no further (a few per SM of a large GPU). */
    static final long SPLIT_WORKGROUPS = 512;
    /** The shortest part of a split reduction. */
    static final long SPLIT_MIN_LENGTH = 512;

    /**
     * Parts of a reduction over few outputs with many elements each (a loss's mean over every element, a bias gradient's
     * sum over batch and sequence), so that it fills the device: the largest power of two that divides the reduced
     * length into parts of at least {@link #SPLIT_MIN_LENGTH} while the first pass stays under
     * {@link #SPLIT_WORKGROUPS} workgroups; 1 for no split. Measured on the H200 before the split: a GPT-2-sized loss
     * mean over [8, 1024, 768] took 25 ms in one workgroup, a bias gradient over [8, 1024, 3072] 0.5 ms in 96.
     */
    int reduceSplits(Node n, Op.Reduce r, int[] id) {
        return r.axes().size() == 0 ? 1 : splits(groups(n, r.axes(), id));
    }

    /** {@link #reduceSplits} of a reduction already packed by {@link #groups}. */
    private int splits(int[] push) {
        if (!SPLIT_REDUCTIONS) return 1;
        long outputs = Integer.toUnsignedLong(push[0]), length = Integer.toUnsignedLong(push[1]);
        long groups = cooperation(push).groups(outputs);
        int splits = 1;
        while (groups * splits < SPLIT_WORKGROUPS && length % (2L * splits) == 0 && length / (2L * splits) >= SPLIT_MIN_LENGTH
                && splits < dev.maxGroupCount[2]) {
            splits *= 2;
        }
        return splits;
    }

    /** System property {@code jasg.vulkan.splitReductions}: {@code false} runs every reduction in one pass. */
    static final boolean SPLIT_REDUCTIONS = !"false".equalsIgnoreCase(System.getProperty("jasg.vulkan.splitReductions", "true"));

    /** Normalisation: the invocations of a kept group cooperate on the reduction's geometry. */
    private Step normalize(Node n, Op.Normalize z, int[] id, int mode, View out, View in) {
        int g = GlslKernels.MAX_REDUCE_GROUPS;
        int[] push = Arrays.copyOf(groups(n, z.axes(), id), 8 + 4 * g);
        push[4 + 4 * g] = Float.floatToRawIntBits((float) z.eps());
        push[5 + 4 * g] = mode;
        Cooperation c = cooperation(push);
        push[6 + 4 * g] = c.tpoBits();
        push[7 + 4 * g] = c.lo();
        int[] grid = grid(c.groups(push[0]), n);
        return dispatch(LayerKernels.normalize(dev.subgroupShuffle), n, new View[] {out, in}, push, grid[0], grid[1], 1);
    }

    /** The sharing of a reduction packed by {@link #groups}: contiguous when its innermost reduced run has stride 1. */
    private static Cooperation cooperation(int[] packed) {
        int g = GlslKernels.MAX_REDUCE_GROUPS, rr = packed[3];
        boolean contiguous = rr == 0 || packed[4 + 3 * g + rr - 1] == 1;
        return Cooperation.of(Integer.toUnsignedLong(packed[0]), Integer.toUnsignedLong(packed[1]), contiguous);
    }

    /** Softmax along {@code axis}: the invocations of a lane cooperate (contiguous when the axis is the innermost). */
    private Step softmax(boolean log, Node n, int[] dims, int axis, View out, View in) {
        Strides.Lanes l = Strides.lanes(dims, axis);
        // contiguous rows whose length is a multiple of 4 (every row then starts on a vec4): four elements a load, len in vec4
        boolean vec4 = GlslKernels.softmaxVec4() && l.inner() == 1 && l.len() % 4 == 0;
        int len = vec4 ? l.len() / 4 : l.len();
        Cooperation c = Cooperation.of(l.lanes(), len, l.inner() == 1);
        int[] grid = grid(c.groups(l.lanes()), n);
        return dispatch(GlslKernels.softmax(log, dev.subgroupShuffle, vec4), n, new View[] {out, in},
                new int[] {(int) l.lanes(), len, l.inner(), c.tpoBits(), c.lo()}, grid[0], grid[1], 1);
    }

    /**
     * The reduction geometry of {@code id} over {@code axes}: nOut, R, kr, rr, kd[4], ks[4],
     * rd[4], rs[4], with runs of kept axes and runs of reduced axes merged separately.
     */
    private static int[] groups(Node n, dev.jasg.core.Ints axes, int[] id) {
        Strides.ReduceRuns runs = Strides.reduceRuns(id, axes);
        int g = GlslKernels.MAX_REDUCE_GROUPS;
        if (runs.width() > g) throw tooManyAxes(n, null, runs.width(), g);
        return runs.pack(g);
    }

    private Step lanes(Kernel k, Node n, int[] dims, int axis, View out, View in) {
        Strides.Lanes l = Strides.lanes(dims, axis);
        return flat(k, n, l.lanes(), new View[] {out, in}, new int[] {(int) l.lanes(), l.len(), l.inner()});
    }

    /**
     * A matrix product, with fused group {@code epi} applied before the store when not null ({@code ext}: its externals'
     * ranges); {@code operand} (the operands' dtype, null when unknown) F16 or BF16 runs on the cooperative-matrix kernel
     * where the device has it and the shape fits its tiles, its operands first packed to 16-bit storage in
     * {@code workspace} when that holds {@link #packedBytes} (else read as f32 words).
     */
    private List<Step> matmul(Node n, int[] ad, int[] bd, int mode, View out, View a, View b, Fusion.Group epi, dev.jasg.core.Graph g, View[] ext,
                              int[] epiPush, DType operand, View workspace, MatMulKernel.Layout layout) {
        return matmul(n, ad, bd, mode, out, a, b, epi, g, ext, epiPush, operand, workspace, layout, null);
    }

    /**
     * As above; {@code remap} not null: the result stored permuted ({@link MatMulKernel.Remap}), on the f32 kernel, unsplit
     * ({@link #storesPermuted} said it runs there).
     */
    private List<Step> matmul(Node n, int[] ad, int[] bd, int mode, View out, View a, View b, Fusion.Group epi, dev.jasg.core.Graph g, View[] ext,
                              int[] epiPush, DType operand, View workspace, MatMulKernel.Layout layout, MatMulKernel.Remap remap) {
        Strides.MatmulGeometry geo = Strides.matmul(ad, bd);
        int m = geo.m(), k = geo.k(), nn = geo.n();
        Strides.Merged mb = geo.batch();
        if (mb.rank() > MatMulKernel.MAX_BATCH_RANK) throw tooManyAxes(n, null, mb.rank(), MatMulKernel.MAX_BATCH_RANK);
        long batches = geo.batches();
        if (batches > dev.maxGroupCount[2]) {
            throw new BackendException("matmul batch of " + batches + " exceeds the device's " + dev.maxGroupCount[2] + " workgroups along z at "
                    + describe(n, null));
        }
        int[] push = productPush(geo, mode, remap, epi == null ? null : epiPush);
        View[] bind = new View[3 + (ext == null ? 0 : ext.length)];
        bind[0] = out;
        bind[1] = a;
        bind[2] = b;
        if (ext != null) System.arraycopy(ext, 0, bind, 3, ext.length);
        // a permuted store runs on the f32 kernel, unsplit (storesPermuted said so), whatever the device has for half operands
        if (remap != null) {
            return List.of(f32Dispatch(n, schedule(m, nn, k, batches, epi != null, layout.transA()).tiles(), geo, bind, push, epi, g, layout, remap));
        }
        // a transposed operand (an absorbed permute's input) is read by the packing steps or, failing those, by the f32 kernel
        if (WorkgroupMatMulKernel.first()) {
            List<Step> wg = workgroupMatmul(n, m, nn, k, batches, push, a, b, bind, epi, g, operand, workspace, layout);
            if (wg != null) return wg;
        }
        int castMode = epi == null ? 0 : castsOnly(epi, g);
        if (castMode >= 0) {
            List<Step> split = coopSplit(n, m, nn, k, batches, push, a, b, out, workspace, operand, layout, castMode);
            if (split != null) return split;
        }
        CoopMatMulKernel.Tiles ct = coopTiles(operand, m, nn, k, batches, epi != null);
        boolean packs = ct != null && CoopMatMulKernel.packed() && holdsPacked(workspace, a, b);
        if (ct != null && (packs || layout.equals(MatMulKernel.Layout.PLAIN))) {
            List<Step> steps = new ArrayList<>();
            CoopMatMulKernel.Variant v = CoopMatMulKernel.Variant.WORDS;
            if (packs) {
                v = coopVariant(ct, epi != null);
                steps.addAll(packOperands(operand, n, a, b, workspace, bind, layout, m, nn, k));
            }
            Kernel kernel = epi == null ? CoopMatMulKernel.kernel(ct, operand, v) : CoopMatMulKernel.kernel(ct, operand, v, epi, g);
            steps.add(dispatch(kernel, n, bind, push, nn / ct.bn(), m / ct.bm(), (int) batches));
            return steps;
        }
        // half products the subgroup-scope tiles do not divide: the workgroup-scope kernel, which clamps at the edges
        List<Step> wg = workgroupMatmul(n, m, nn, k, batches, push, a, b, bind, epi, g, operand, workspace, layout);
        if (wg != null) return wg;
        // the tile and split that fill the device's waves best (MatMulKernel.schedule): a product with too few tiles and a long
        // K (a weight gradient) has its K split over workgroups, each split's partial result into the workspace, then their sum
        // in a fixed order (deterministic)
        MatMulKernel.Schedule sch = schedule(m, nn, k, batches, epi != null, layout.transA());
        long outputs = (long) m * nn;
        if (sch.splits() > 1 && !(workspace != null && workspace.bytes() >= 4L * outputs * sch.splits())) {
            sch = new MatMulKernel.Schedule(MatMulKernel.choose(tiles, m, nn, batches), 1);
        }
        // in stream-K runs (stream) where the workspace holds a tile's most runs
        Stream stream = stream(sch, m, nn, k);
        if (stream != null && workspace.bytes() >= 4L * outputs * stream.runs()) {
            MatMulKernel.Tiles st = sch.tiles();
            int[] sp = Arrays.copyOf(push, push.length + 1);
            sp[3] = 0;                                   // the partials unrounded; the sum rounds
            sp[push.length] = stream.steps();
            View partials = new View(workspace.buffer(), workspace.offset(), 4L * outputs * stream.runs());
            bind[0] = partials;
            Step first = dispatch(MatMulKernel.streamKernel(st, MatMulKernel.aligned(st, m, nn, k), layout), n, bind, sp, stream.groups(), 1, 1);
            Step second = flat(MatMulKernel.streamSum(), n, outputs, new View[] {out, partials},
                    new int[] {(int) outputs, nn, st.bm(), st.bn(), (int) stream.kSteps(), stream.steps(), mode});
            return List.of(first, second);
        }
        if (sch.splits() > 1) {
            MatMulKernel.Tiles mid = sch.tiles();
            int[] sp = Arrays.copyOf(push, push.length + 1);
            sp[3] = 0;                                   // the partials unrounded; the sum rounds
            sp[push.length] = MatMulKernel.stepsPerSplit(mid, k, sch.splits());
            View partials = new View(workspace.buffer(), workspace.offset(), 4L * outputs * sch.splits());
            bind[0] = partials;
            Step first = dispatch(MatMulKernel.splitKernel(mid, MatMulKernel.aligned(mid, m, nn, k), layout), n, bind, sp, (int) ceil(nn, mid.bn()),
                    (int) ceil(m, mid.bm()), sch.splits());
            Step second = flat(ConvKernels.splitSum(), n, outputs, new View[] {out, partials}, new int[] {(int) outputs, sch.splits(), mode});
            return List.of(first, second);
        }
        // Large tiles leave most of a big GPU idle on small products, and pad thin ones. The 128x256 tile holds 128
        // accumulators an invocation: with an epilogue on top it ran a GPT-2 feed-forward product ([8192, 3072] x
        // [3072, 768], bias and residual) at 7.6 TFLOPS on the H200, so epilogues take the smaller tiles.
        return List.of(f32Dispatch(n, sch.tiles(), geo, bind, push, epi, g, layout, null));
    }

    /**
     * The f32 product's push constants ({@code matmul.comp}): M, N, K, {@code mode}, the batch's rank, dims and both operands'
     * strides, then {@code remap}'s words and the epilogue's {@code epiPush} where not null.
     */
    private static int[] productPush(Strides.MatmulGeometry geo, int mode, MatMulKernel.Remap remap, int[] epiPush) {
        int gl = MatMulKernel.MAX_BATCH_RANK;
        int remapWords = remap == null ? 0 : MatMulKernel.Remap.WORDS;
        int[] push = new int[5 + 3 * gl + remapWords + (epiPush == null ? 0 : epiPush.length)];
        push[0] = geo.m();
        push[1] = geo.n();
        push[2] = geo.k();
        push[3] = mode;
        push[4] = geo.batch().rank();
        Strides.pack(geo.batch(), push, 5, gl);
        if (remap != null) System.arraycopy(remap.words(), 0, push, 5 + 3 * gl, remapWords);
        if (epiPush != null) System.arraycopy(epiPush, 0, push, 5 + 3 * gl + remapWords, epiPush.length);
        return push;
    }

    /**
     * The commands of product {@code c} (operands {@code a}, {@code bView}, read as {@code layout} says) storing the softmax
     * of its result's rows times {@code scale} into {@code out}, the value of the softmax reading it ({@link Fusion#softmaxProduct};
     * {@link #storesSoftmax} said it runs).
     */
    List<Step> lowerSoftmaxProduct(Node c, Program.Binding b, View out, View a, View bView, MatMulKernel.Layout layout, float scale) {
        if (b.shape(c.id()).size() == 0) return new ArrayList<>();
        Strides.MatmulGeometry geo = Strides.matmul(dims(c, 0, b), dims(c, 1, b));
        MatMulKernel.Tiles t = MatMulKernel.softmaxRows(geo.n(), dev.maxSharedMemory);
        int[] push = productPush(geo, 0, null, new int[] {Float.floatToRawIntBits(scale)});
        return List.of(dispatch(MatMulKernel.softmaxKernel(t, layout), c, new View[] {out, a, bView}, push, 1, geo.m() / t.bm(), (int) geo.batches()));
    }

    /**
     * Whether a product of operands {@code ad} and {@code bd} read as {@code layout} says can store its rows' softmax
     * ({@link Fusion#softmaxProduct}): f32 operands and result, a {@link MatMulKernel#softmaxRows} tile for its rows that
     * divides M and K, and its batch within the device's workgroups, at least one a compute unit where the device says how
     * many it has (on an H100, 256 keys x32 heads made 64 workgroups: 0.033 ms against 0.026 apart).
     * {@value #SOFTMAX_PRODUCTS_PROPERTY}{@code =false} says no.
     */
    boolean storesSoftmax(DType operand, DType result, int[] ad, int[] bd, MatMulKernel.Layout layout) {
        if ("false".equalsIgnoreCase(System.getProperty(SOFTMAX_PRODUCTS_PROPERTY))) return false;
        if (operand != DType.F32 || result != DType.F32) return false;
        Strides.MatmulGeometry geo = Strides.matmul(ad, bd);
        if (geo.batch().rank() > MatMulKernel.MAX_BATCH_RANK || geo.batches() > dev.maxGroupCount[2]) return false;
        MatMulKernel.Tiles t = MatMulKernel.softmaxRows(geo.n(), dev.maxSharedMemory);
        return t != null && MatMulKernel.aligned(t, geo.m(), geo.n(), geo.k()) && geo.m() / t.bm() <= dev.maxGroupCount[1]
                && (long) geo.m() / t.bm() * geo.batches() >= dev.computeUnits;
    }

    /** System property: {@code false} keeps a softmax of a product as a pass of its own ({@link #storesSoftmax}), to compare. */
    static final String SOFTMAX_PRODUCTS_PROPERTY = "jasg.vulkan.softmaxProducts";

    /**
     * Product {@code n} of geometry {@code geo} on the f32 kernel with tile {@code t}, unsplit, its epilogue {@code epi} when
     * not null, storing where {@code remap} says when not null ({@code bind}, {@code push}: as {@link #matmul} made them).
     */
    private Step f32Dispatch(Node n, MatMulKernel.Tiles t, Strides.MatmulGeometry geo, View[] bind, int[] push, Fusion.Group epi,
                             dev.jasg.core.Graph g, MatMulKernel.Layout layout, MatMulKernel.Remap remap) {
        if (epi == null && remap == null) t = MatMulKernel.deep(t, layout, geo.k(), dev.maxSharedMemory);
        boolean aligned = MatMulKernel.aligned(t, geo.m(), geo.n(), geo.k()), permuted = remap != null;
        Kernel kernel = epi == null ? MatMulKernel.kernel(t, aligned, layout, permuted) : MatMulKernel.kernel(t, aligned, layout, permuted, epi, g);
        return dispatch(kernel, n, bind, push, (int) ceil(geo.n(), t.bn()), (int) ceil(geo.m(), t.bm()), (int) geo.batches());
    }

    /**
     * The product on the packed tensor-core kernel with its K split over workgroups ({@link CoopMatMulKernel#splits}: a
     * product whose workgroups leave the device's last wave nearly empty, a weight gradient), or null where it does not
     * split: the operands packed, each part's partial result after them in the workspace, then their sum in a fixed order
     * (deterministic), rounded by {@code sumMode} (an epilogue of casts only: their rounding, {@link #castsOnly}).
     */
    private List<Step> coopSplit(Node n, int m, int nn, int k, long batches, int[] push, View a, View b, View out, View workspace, DType operand,
                                 MatMulKernel.Layout layout, int sumMode) {
        CoopMatMulKernel.Tiles ct = coopTiles(operand, m, nn, k, batches, false);
        if (ct == null || !CoopMatMulKernel.packed() || !holdsPacked(workspace, a, b)) return null;
        int splits = CoopMatMulKernel.splits(ct, m, nn, k, batches, dev.computeUnits);
        long partialsAt = align(packedOffsetOfB(a.bytes() / 2) + b.bytes() / 2), outputs = (long) m * nn;
        if (splits < 2 || workspace.bytes() < partialsAt + 4L * outputs * splits) return null;
        View[] bind = {new View(workspace.buffer(), workspace.offset() + partialsAt, 4L * outputs * splits), a, b};
        List<Step> steps = new ArrayList<>(packOperands(operand, n, a, b, workspace, bind, layout, m, nn, k));
        int[] sp = Arrays.copyOf(push, 5 + 3 * MatMulKernel.MAX_BATCH_RANK + 1);   // without an epilogue's push, then the steps
        sp[sp.length - 1] = MatMulKernel.stepsPerSplit(k / ct.bk(), splits);
        steps.add(dispatch(CoopMatMulKernel.splitKernel(ct, operand, coopVariant(ct, false)), n, bind, sp, nn / ct.bn(), m / ct.bm(), splits));
        steps.add(flat(ConvKernels.splitSum(), n, outputs, new View[] {out, bind[0]}, new int[] {(int) outputs, splits, sumMode}));
        return steps;
    }

    /**
     * The rounding of fused group {@code epi} when it only casts its anchor's result between float types (a half weight
     * gradient: the f32 product stored as BF16), else -1: its value is then the product rounded once to the one half type
     * on the chain ({@link #mode}; 0 when none), what a split product's second pass applies as it writes the root's storage.
     * A chain through both F16 and BF16 rounds twice and does not qualify.
     */
    private static int castsOnly(Fusion.Group epi, dev.jasg.core.Graph g) {
        if (epi.anchor() < 0 || epi.rows() != null || !epi.externals().isEmpty()) return -1;
        DType half = null;
        List<DType> chain = new ArrayList<>(List.of(g.node(epi.anchor()).dtype()));
        for (int id : epi.members()) {
            if (!(g.node(id).op() instanceof Op.Cast c)) return -1;
            chain.add(c.to());
        }
        for (DType t : chain) {
            if (!(t.isHalf() || t == DType.F32 || t == DType.F64)) return -1;
            if (t.isHalf()) {
                if (half != null && half != t) return -1;
                half = t;
            }
        }
        return half == null ? 0 : mode(half);
    }

    /** The product on the workgroup-scope tensor-core kernel (operands packed first), or null where it cannot run. */
    private List<Step> workgroupMatmul(Node n, int m, int nn, int k, long batches, int[] push, View a, View b, View[] bind, Fusion.Group epi,
                                       dev.jasg.core.Graph g, DType operand, View workspace, MatMulKernel.Layout layout) {
        WorkgroupMatMulKernel.Tiles wt = workgroupTiles(operand, m, nn, k, batches);
        if (wt == null || !holdsPacked(workspace, a, b)) return null;
        List<Step> steps = new ArrayList<>(packOperands(operand, n, a, b, workspace, bind, layout, m, nn, k));
        int threads = dev.coopMatrix.workgroup().invocations();
        Kernel kernel = epi == null ? WorkgroupMatMulKernel.kernel(wt, operand, threads) : WorkgroupMatMulKernel.kernel(wt, operand, threads, epi, g);
        steps.add(dispatch(kernel, n, bind, push, (int) ceil(nn, wt.bn()), (int) ceil(m, wt.bm()), (int) batches));
        return steps;
    }

    /**
     * Whether product {@code n} reads a transposed operand (A or B): on the f32 kernel (its operands are not half, or the device
     * has no tensor-core kernel for their sizes), which reads it in place ({@code matmul.comp TRANS_A}, {@code TRANS_B}), or on
     * a tensor-core kernel whose operands are packed to 16-bit storage first, where the packing transposes it
     * ({@code pack_half_t.comp}); not on the tensor-core kernel reading f32 words ({@link CoopMatMulKernel#PACKED_PROPERTY}{@code =false}).
     * Then a permute swapping an operand's last two axes that only such readers read needs no copy ({@link Fusion#plan}).
     * {@value #TRANSPOSED_PROPERTY}{@code =false} says no.
     */
    boolean readsTransposed(Node n, Program.Binding b, dev.jasg.core.Graph graph) {
        if (!(n.op() instanceof Op.MatMul) || "false".equalsIgnoreCase(System.getProperty(TRANSPOSED_PROPERTY))) return false;
        Strides.MatmulGeometry geo = Strides.matmul(b.shape(n.input(0)).dims(), b.shape(n.input(1)).dims());
        if (geo.batch().rank() > MatMulKernel.MAX_BATCH_RANK || geo.batches() > dev.maxGroupCount[2]) return false;
        return readsTransposed(operand(graph, n), geo.m(), geo.n(), geo.k(), geo.batches());
    }

    private boolean readsTransposed(DType operand, int m, int nn, int k, long batches) {
        if (operand == null || !operand.isHalf()) return true;
        boolean coop = coopTiles(operand, m, nn, k, batches, false) != null || coopTiles(operand, m, nn, k, batches, true) != null;
        return !coop || CoopMatMulKernel.packed();
    }

    /**
     * Whether a product whose kernel reads operands of {@code ad} and {@code bd} as {@code layout} says, with a fused group of
     * {@code slots} slots when {@code epilogue}, can store its result permuted ({@link MatMulKernel.Remap}, {@link Fusion#permutedResult}):
     * f32 operands and result (the f32 kernel), not split over K, and the remap's push constants within the pipelines'
     * {@link Pipelines#PUSH_BYTES}. {@value #PERMUTED_RESULTS_PROPERTY}{@code =false} says no.
     */
    boolean storesPermuted(DType operand, DType result, int[] ad, int[] bd, boolean epilogue, int slots, MatMulKernel.Layout layout) {
        if ("false".equalsIgnoreCase(System.getProperty(PERMUTED_RESULTS_PROPERTY))) return false;
        if (operand != DType.F32 || result != DType.F32) return false;
        if (4 * (5 + 3 * MatMulKernel.MAX_BATCH_RANK + MatMulKernel.Remap.WORDS + 2 * slots) > Pipelines.PUSH_BYTES) return false;
        Strides.MatmulGeometry geo = Strides.matmul(ad, bd);
        if (geo.batch().rank() > MatMulKernel.MAX_BATCH_RANK || geo.batches() > dev.maxGroupCount[2]) return false;
        return schedule(geo.m(), geo.n(), geo.k(), geo.batches(), epilogue, layout.transA()).splits() == 1;
    }

    /** System property: {@code false} keeps the copies of permuted product results ({@link #storesPermuted}), to compare. */
    static final String PERMUTED_RESULTS_PROPERTY = "jasg.vulkan.permutedResults";

    /** System property: {@code false} keeps permuted copies for the products' operands (to compare). */
    static final String TRANSPOSED_PROPERTY = "jasg.vulkan.transposedOperands";

    /** Whether {@code workspace} holds both operands (f32 words holding halves) packed to 16-bit storage. */
    private boolean holdsPacked(View workspace, View a, View b) {
        return workspace != null && workspace.bytes() >= packedOffsetOfB(a.bytes() / 2) + b.bytes() / 2;
    }

    /**
     * The two steps packing operands {@code a} and {@code b} (f32 words holding {@code operand} halves) to 16-bit storage in
     * {@code workspace}, A first, B at the next aligned offset; {@code bind[1]} and {@code bind[2]} become the packed views.
     * Where {@code layout} says an operand is stored transposed (an absorbed permute's input: A's batch matrices {@code [K, M]},
     * B's {@code [N, K]}), its packing transposes it ({@code pack_half_t.comp}), so the kernels read {@code [M, K]} and
     * {@code [K, N]} as ever.
     */
    private List<Step> packOperands(DType operand, Node n, View a, View b, View workspace, View[] bind, MatMulKernel.Layout layout, int m, int nn,
                                    int k) {
        long aBytes = a.bytes() / 2;
        View pa = new View(workspace.buffer(), workspace.offset(), aBytes);
        View pb = new View(workspace.buffer(), workspace.offset() + packedOffsetOfB(aBytes), b.bytes() / 2);
        bind[1] = pa;
        bind[2] = pb;
        return List.of(pack(operand, n, pa, a, layout.transA() ? new int[] {m, k} : null), pack(operand, n, pb, b, layout.transB() ? new int[] {k, nn} : null));
    }

    /**
     * The step packing {@code from} into {@code to}: as it is, or, with {@code rowsCols} ({@code {R, C}}), batch matrices stored
     * {@code [C, R]} packed as {@code [R, C]}.
     */
    private Step pack(DType operand, Node n, View to, View from, int[] rowsCols) {
        if (rowsCols == null) return flat(CoopMatMulKernel.pack(operand), n, from.bytes() / 16, new View[] {to, from}, new int[] {(int) (from.bytes() / 16)});
        int r = rowsCols[0], c = rowsCols[1];
        long matrices = from.bytes() / 4 / ((long) r * c);
        if (matrices > dev.maxGroupCount[2]) throw new BackendException(matrices + " transposed matrices exceed the device's workgroups along z at " + describe(n, null));
        return dispatch(CoopMatMulKernel.packTransposed(operand), n, new View[] {to, from}, new int[] {r, c, (int) matrices}, (int) ceil(r, 32), (int) ceil(c, 64),
                (int) matrices);
    }

    /** Query rows of all batch matrices of attention query {@code q [.., Lq, E]}: the product of all but the last axis. */
    private static long attentionRows(int[] q) {
        long rows = 1;
        for (int i = 0; i < q.length - 1; i++) rows *= q[i];
        return rows;
    }

    /**
     * One blocked attention kernel ({@link AttentionKernels}) for node {@code n} (operands q, k, v, ...): {@code bind} are the
     * kernel's bindings, the output first. A workgroup per own block of every batch matrix (the x, y grid) and column
     * chunk of the output (z).
     */
    private Step attention(AttentionKernels.Kind kind, Node n, Program.Binding b, double scale, boolean causal, View[] bind) {
        int[] q = dims(n, 0, b), k = dims(n, 1, b);
        int r = q.length, lq = q[r - 2], e = q[r - 1], lk = k[r - 2], ev = n.arity() > 2 ? dims(n, 2, b)[r - 1] : e;
        long batch = attentionRows(q) / Math.max(1, lq); // (a node with no query rows stores nothing and is not dispatched)
        AttentionKernels.Tiles t = AttentionKernels.tiles(kind, e, ev, dev.maxSharedMemory);
        boolean keysOwn = kind == AttentionKernels.Kind.GRAD_K || kind == AttentionKernels.Kind.GRAD_V;
        long own = ceil(keysOwn ? lk : lq, t.br());
        int width = switch (kind) {
            case FORWARD, GRAD_V -> ev;
            case STATS -> 1;
            case GRAD_Q, GRAD_K -> e;
        };
        long chunks = kind == AttentionKernels.Kind.STATS ? 1 : ceil(width, t.d());
        if (chunks > dev.maxGroupCount[2]) throw new BackendException(chunks + " column chunks exceed the device's workgroups along z at " + describe(n, b));
        long groups = own * batch;
        if (groups > Integer.MAX_VALUE || attentionRows(q) * Math.max(e, ev) > Integer.MAX_VALUE
                || batch * lk * Math.max(e, ev) > Integer.MAX_VALUE) {
            throw new BackendException("the attention kernels index with 32 bits, too few for " + describe(n, b));
        }
        int[] push = {(int) batch, lq, lk, e, ev, (int) own, causal ? 1 : 0, Float.floatToRawIntBits((float) scale)};
        int[] grid = grid(groups, n);
        return dispatch(AttentionKernels.kernel(kind, t), n, bind, push, grid[0], grid[1], (int) chunks);
    }

    /** The dtype of {@code n}'s first operand, or null when the graph is unknown. */
    private static DType operand(dev.jasg.core.Graph graph, Node n) {
        return graph == null ? null : graph.node(n.input(0)).dtype();
    }

    /**
     * Where an attention node of {@code operand}s runs on the workgroup-scope tensor-core kernels
     * ({@link WorkgroupAttentionKernels}): its workspace, {@code delta} first (gradients of q and k), then q, k, v and g
     * packed to 16-bit storage, each aligned; 0 where it takes the f32 blocked kernels.
     */
    private long workgroupAttentionBytes(Node n, Program.Binding b, DType operand) {
        long[] at = workgroupAttentionLayout(n, b, operand);
        return at == null ? 0 : at[at.length - 1];
    }

    /** Offsets in the workspace of delta, q, k, v, g and the end (see {@link #workgroupAttentionBytes}), or null. */
    private long[] workgroupAttentionLayout(Node n, Program.Binding b, DType operand) {
        if (!WorkgroupAttentionKernels.enabled() || operand == null) return null;
        int[] q = dims(n, 0, b), k = dims(n, 1, b);
        int r = q.length, lq = q[r - 2], lk = k[r - 2], e = q[r - 1];
        boolean hasV = !(n.op() instanceof Op.AttentionStats);
        int ev = hasV ? dims(n, 2, b)[r - 1] : e;
        long rows = attentionRows(q);
        if (rows == 0 || lq == 0 || !WorkgroupAttentionKernels.fits(dev.coopMatrix.workgroup(), operand, e, ev)) return null;
        long batch = rows / lq;
        if (batch > dev.maxGroupCount[1] || ceil(Math.max(lq, lk), WorkgroupAttentionKernels.tile().br()) > dev.maxGroupCount[0]
                || batch * Math.max(lq, lk) * Math.max(e, ev) > Integer.MAX_VALUE) {
            return null;
        }
        boolean grad = n.op() instanceof Op.AttentionGrad;
        boolean delta = n.op() instanceof Op.AttentionGrad a && a.wrt() != 2;
        long[] at = new long[6];
        long end = delta ? align(4L * rows) : 0;
        at[1] = end;
        end = align(end + 2L * rows * e);
        at[2] = end;
        end = align(end + 2L * batch * lk * e);
        at[3] = end;
        if (hasV) end = align(end + 2L * batch * lk * ev);
        at[4] = end;
        if (grad) end = align(end + 2L * rows * ev);
        at[5] = end;
        return at;
    }

    /** {@code bytes} rounded up to the device's storage-buffer offset alignment. */
    private long align(long bytes) {
        long alignment = dev.storageAlignment;
        return (bytes + alignment - 1) / alignment * alignment;
    }

    /**
     * An attention node ({@code kind}; operands {@code in}: q, k[, v] for the forward and statistics, q, k, v, o, g, lse for
     * a gradient) on the workgroup-scope tensor-core kernel: delta first for the q and k gradients, the 16-bit operands
     * packed, then one dispatch; null where it takes the f32 blocked kernels.
     */
    private List<Step> workgroupAttention(AttentionKernels.Kind kind, Node n, Program.Binding b, double scale, boolean causal, View out, View[] in,
                                          View workspace, DType operand) {
        long[] at = workgroupAttentionLayout(n, b, operand);
        if (at == null || workspace == null || workspace.bytes() < at[5]) return null;
        int[] q = dims(n, 0, b), k = dims(n, 1, b);
        int r = q.length, lq = q[r - 2], lk = k[r - 2], e = q[r - 1];
        boolean grad = kind.gradient();
        int ev = kind == AttentionKernels.Kind.STATS ? e : dims(n, 2, b)[r - 1];
        long rows = attentionRows(q), batch = rows / lq;
        List<Step> steps = new ArrayList<>();
        View delta = null;
        if (kind == AttentionKernels.Kind.GRAD_Q || kind == AttentionKernels.Kind.GRAD_K) {
            delta = new View(workspace.buffer(), workspace.offset(), 4L * rows);
            steps.add(flat(AttentionKernels.delta(), n, rows * 16, new View[] {delta, in[3], in[4]}, new int[] {(int) rows, ev}));
        }
        Kernel pack = CoopMatMulKernel.pack(operand);
        View[] packed = new View[4];
        int[] source = {0, 1, 2, 4};
        for (int i = 0; i < 4; i++) {
            long bytes = at[i + 2] - at[i + 1];
            if (bytes == 0) continue;  // no v for the statistics, no g outside the gradients
            View from = in[source[i]];
            packed[i] = new View(workspace.buffer(), workspace.offset() + at[i + 1], from.bytes() / 2);
            steps.add(flat(pack, n, from.bytes() / 16, new View[] {packed[i], from}, new int[] {(int) (from.bytes() / 16)}));
        }
        View v16 = packed[2] != null ? packed[2] : packed[1];
        View g16 = packed[3] != null ? packed[3] : packed[0];
        View lse = grad ? in[5] : out;
        View[] bind = {out, packed[0], packed[1], v16, g16, lse, delta != null ? delta : lse};
        int[] push = {(int) batch, lq, lk, causal ? 1 : 0, Float.floatToRawIntBits((float) scale)};
        boolean keysOwn = kind == AttentionKernels.Kind.GRAD_K || kind == AttentionKernels.Kind.GRAD_V;
        WorkgroupAttentionKernels.Tile tile = WorkgroupAttentionKernels.tile();
        int own = (int) ceil(keysOwn ? lk : lq, tile.br());
        steps.add(dispatch(WorkgroupAttentionKernels.kernel(kind, operand, e, ev, dev.coopMatrix.workgroup().invocations(), tile), n, bind, push, own,
                (int) batch, 1));
        return steps;
    }

    /**
     * One attention gradient: for q and k, {@code delta = rowsum(g o)} into the workspace first ({@code attention_delta.comp}),
     * then the blocked kernel; operands {@code in}: q, k, v, o, g, lse.
     */
    private List<Step> attentionGrad(Op.AttentionGrad a, Node n, Program.Binding b, View out, View[] in, View workspace) {
        long rows = attentionRows(dims(n, 0, b));
        int ev = dims(n, 2, b)[dims(n, 2, b).length - 1];
        if (rows == 0) return List.of(new Step.Fill(out)); // no query: every key's gradient is zero
        if (a.wrt() == 2) return List.of(attention(AttentionKernels.Kind.GRAD_V, n, b, a.scale(), a.causal(), new View[] {out, in[0], in[1], in[4], in[5]}));
        if (workspace == null || workspace.bytes() < 4L * rows) {
            throw new IllegalStateException("attention_grad needs " + 4L * rows + " bytes of workspace at " + describe(n, b));
        }
        View delta = new View(workspace.buffer(), workspace.offset(), 4L * rows);
        Step pre = flat(AttentionKernels.delta(), n, rows * 16, new View[] {delta, in[3], in[4]}, new int[] {(int) rows, ev});
        AttentionKernels.Kind kind = a.wrt() == 0 ? AttentionKernels.Kind.GRAD_Q : AttentionKernels.Kind.GRAD_K;
        return List.of(pre, attention(kind, n, b, a.scale(), a.causal(), new View[] {out, in[0], in[1], in[2], in[4], in[5], delta}));
    }

    /**
     * The workgroup-scope tensor-core tile for a product of {@code operand}s ({@link WorkgroupMatMulKernel}), or null where the
     * device lacks it, it is turned off, or the batch matrices are not 16-byte aligned.
     */
    private WorkgroupMatMulKernel.Tiles workgroupTiles(DType operand, int m, int nn, int k, long batches) {
        CoopMatrix.Workgroup w = dev.coopMatrix.workgroup();
        if (operand == null || w == null || !w.supports(operand) || !WorkgroupMatMulKernel.enabled() || !WorkgroupMatMulKernel.fits(m, nn, k)) return null;
        return WorkgroupMatMulKernel.choose(WorkgroupMatMulKernel.tiles(w), m, nn, batches);
    }

    /** The tensor-core tile for a product of {@code operand}s, or null when it runs on the f32 kernel. */
    private CoopMatMulKernel.Tiles coopTiles(DType operand, int m, int nn, int k, long batches, boolean epilogue) {
        if (operand == null || !dev.coopMatrix.supports(operand)) return null;
        List<CoopMatMulKernel.Tiles> fit = coop.stream().filter(t -> t.sharedBytes(CoopMatMulKernel.Variant.WORDS, epilogue) <= dev.maxSharedMemory).toList();
        return CoopMatMulKernel.choose(fit, m, nn, k, batches);
    }

    /** The packed kernel's stages for tile {@code t}: what {@link CoopMatMulKernel#stages} asks, fewer where the shared memory is short. */
    private CoopMatMulKernel.Variant coopVariant(CoopMatMulKernel.Tiles t, boolean epilogue) {
        CoopMatMulKernel.Variant two = new CoopMatMulKernel.Variant(true, 2);
        return CoopMatMulKernel.stages() == 2 && t.sharedBytes(two, epilogue) <= dev.maxSharedMemory ? two : new CoopMatMulKernel.Variant(true, 1);
    }

    /** Workspace bytes for both operands of product {@code n} packed to 16-bit storage, or 0 when it does not run on the tensor-core kernel. */
    private long packedBytes(Node n, Program.Binding b, DType operand) {
        return packedBytes(b.shape(n.input(0)).dims(), b.shape(n.input(1)).dims(), operand);
    }

    private long packedBytes(int[] ad, int[] bd, DType operand) {
        Strides.MatmulGeometry geo = Strides.matmul(ad, bd);
        boolean workgroup = workgroupTiles(operand, geo.m(), geo.n(), geo.k(), geo.batches()) != null;
        CoopMatMulKernel.Tiles ct = coopTiles(operand, geo.m(), geo.n(), geo.k(), geo.batches(), false);
        boolean coop = ct != null;
        if (!(workgroup && (WorkgroupMatMulKernel.first() || !coop)) && !(coop && CoopMatMulKernel.packed())) return 0;
        long packed = packedOffsetOfB(2L * Strides.size(ad)) + 2L * Strides.size(bd);
        if (!coop || workgroup && WorkgroupMatMulKernel.first()) return packed;
        // the packed kernel's split partial results after the operands (unused when the product takes an epilogue)
        int splits = CoopMatMulKernel.splits(ct, geo.m(), geo.n(), geo.k(), geo.batches(), dev.computeUnits);
        return splits > 1 ? align(packed) + 4L * geo.m() * geo.n() * splits : packed;
    }

    /**
     * Workspace bytes for the partial results of product {@code n} when it runs on the f32 kernel with its K split over
     * workgroups ({@link MatMulKernel#splits}), else 0. (A product that gets a fused epilogue is not split: its workspace
     * then goes unused.)
     */
    private long splitBytes(Node n, Program.Binding b, DType operand) {
        return splitBytes(b.shape(n.input(0)).dims(), b.shape(n.input(1)).dims(), operand);
    }

    private long splitBytes(int[] ad, int[] bd, DType operand) {
        Strides.MatmulGeometry geo = Strides.matmul(ad, bd);
        int m = geo.m(), nn = geo.n(), k = geo.k();
        long batches = geo.batches();
        boolean f32Kernel = operand == null || !operand.isHalf() || workgroupTiles(operand, m, nn, k, batches) == null
                && coopTiles(operand, m, nn, k, batches, false) == null && coopTiles(operand, m, nn, k, batches, true) == null;
        // the most either way of reading A takes (the layout is decided later, by the fusion plan)
        int parts = f32Kernel ? Math.max(partials(schedule(m, nn, k, batches, false, false), m, nn, k),
                partials(schedule(m, nn, k, batches, false, true), m, nn, k)) : 0;
        return 4L * m * nn * parts;
    }

    /** The partial results a split product of schedule {@code sch} writes: its splits, or in stream-K runs its tiles' most runs; 0 unsplit. */
    private int partials(MatMulKernel.Schedule sch, int m, int nn, int k) {
        if (sch.splits() < 2) return 0;
        Stream s = stream(sch, m, nn, k);
        return s == null ? sch.splits() : Math.max(sch.splits(), s.runs());
    }

    /**
     * A split product in stream-K runs ({@link MatMulKernel#streamKernel}): {@code tiles} tiles of {@code kSteps} K steps,
     * {@code steps} a run, at most {@code runs} runs a tile.
     */
    private record Stream(long tiles, long kSteps, int steps, int runs) {
        /** Workgroups: one a run. */
        int groups() {
            return (int) ((tiles * kSteps + steps - 1) / steps);
        }
    }

    /**
     * The stream-K form of a product {@code m x nn} over {@code k} on schedule {@code sch}, one run a compute unit, or null
     * where it runs in parts of K: unsplit, {@link MatMulKernel#STREAM_K_PROPERTY}{@code =false}, the device's compute units
     * unknown, or its parts within one wave (their last wave is then not part empty, and on an H100 a weight gradient in
     * one wave of parts ran faster than streamed: {@link MatMulKernel#streamKernel}).
     */
    private Stream stream(MatMulKernel.Schedule sch, int m, int nn, int k) {
        if (sch.splits() < 2 || !MatMulKernel.streamK() || dev.computeUnits <= 0) return null;
        MatMulKernel.Tiles t = sch.tiles();
        long tiles = ceil(nn, t.bn()) * ceil(m, t.bm()), kSteps = ceil(k, t.bk());
        if (tiles * sch.splits() <= dev.computeUnits) return null;
        int steps = MatMulKernel.streamSteps(tiles, kSteps, dev.computeUnits);
        return new Stream(tiles, kSteps, steps, MatMulKernel.streamRuns(kSteps, steps));
    }

    /** The f32 product's tile and split on this device ({@link MatMulKernel#schedule}), reading A transposed when {@code transA}. */
    private MatMulKernel.Schedule schedule(int m, int nn, int k, long batches, boolean epilogue, boolean transA) {
        return MatMulKernel.schedule(tiles, m, nn, k, batches, epilogue, dev.computeUnits, transA);
    }

    /** Where packed B starts in the workspace, after {@code aBytes} of packed A: the next aligned offset. */
    private long packedOffsetOfB(long aBytes) {
        return align(aBytes);
    }

    /**
     * One convolution as the product {@code [m x k] x [k x cols]} per group (see {@link ConvKernels}):
     * tiled when both {@code m} and {@code k} fill a tile, else the direct kernel.
     */
    private List<Step> conv(ConvKernels.Conv conv, Node n, long count, int m, int cols, int k, int groups, int batch, int[] geo, int mode,
                            View out, View[] in, View workspace, int[] weight) {
        View[] bind = {out, in[0], in[1]};
        int splits = conv == ConvKernels.Conv.WEIGHT_GRAD ? weightGradSplits(m, cols, k, groups, batch, geo, count) : 1;
        if (splits > 1 && workspace != null) {
            // split-K: each split's partial tiles into the workspace, then their sum in a fixed order (deterministic)
            ConvKernels.Tiles t = convTiles(conv, m, cols, k, groups);
            long steps = (long) batch * geo[4] * ceil(geo[5], t.bk()), splitSteps = ceil(steps, splits);
            long tilesN = ceil(cols, t.bn()), tilesM = ceil(m, t.bm()), total = tilesN * tilesM * groups * splits;
            int[] push = new int[ConvKernels.GEMM_HEAD + geo.length + 1];
            int[] head = {m, cols, k, batch, groups, (int) tilesN, (int) tilesM, (int) total, 0};
            System.arraycopy(head, 0, push, 0, head.length);
            System.arraycopy(geo, 0, push, head.length, geo.length);
            push[push.length - 1] = (int) splitSteps;
            View partials = new View(workspace.buffer(), workspace.offset(), 4L * splits * count);
            int[] grid = grid(total, n);
            Step first = dispatch(ConvKernels.gemm(conv, t, geo, true, false), n, new View[] {partials, in[0], in[1]}, push, grid[0], grid[1], 1);
            Step second = flat(ConvKernels.splitSum(), n, count, new View[] {out, partials}, new int[] {(int) count, splits, mode});
            return List.of(first, second);
        }
        if (m >= ConvKernels.MIN_GEMM && k >= ConvKernels.MIN_GEMM) {
            ConvKernels.Tiles t = convTiles(conv, m, cols, k, groups);
            int phases = ConvKernels.phases(conv, geo);
            // the first phase has the most columns; the tiles past a later phase's columns return at once
            long firstCols = conv == ConvKernels.Conv.TRANSPOSED ? (long) batch * ceil(geo[4], geo[9]) * ceil(geo[5], geo[10]) : cols;
            long tilesN = ceil(firstCols, t.bn()), tilesM = ceil(m, t.bm()), total = tilesN * tilesM * groups * phases;
            if (total > Integer.MAX_VALUE) throw new BackendException(total + " workgroups exceed the device's grid at " + describe(n, null));
            int[] push = new int[ConvKernels.GEMM_HEAD + geo.length];
            int[] head = {m, (int) firstCols, k, batch, groups, (int) tilesN, (int) tilesM, (int) total, mode};
            System.arraycopy(head, 0, push, 0, head.length);
            System.arraycopy(geo, 0, push, head.length, geo.length);
            int[] grid = grid(total, n);
            long weightBytes = weight == null ? 0 : 4L * Strides.size(weight);
            if (ConvKernels.relayout(conv, t, geo[6]) && workspace != null && workspace.bytes() >= weightBytes) {
                // the weight copied tap-major into the workspace first (ConvKernels.relayout), the product reading it there
                View tapMajor = new View(workspace.buffer(), workspace.offset(), weightBytes);
                Step copy = tapMajorWeight(conv, n, weight, tapMajor, in[1]);
                return List.of(copy, dispatch(ConvKernels.gemm(conv, t, geo, false, true), n, new View[] {out, in[0], tapMajor}, push, grid[0], grid[1], 1));
            }
            return List.of(dispatch(ConvKernels.gemm(conv, t, geo), n, bind, push, grid[0], grid[1], 1));
        }
        int gh = geo[9] / gcd(geo[9], geo[13]), gw = geo[10] / gcd(geo[10], geo[14]);
        // direct forward kernels: one invocation per output pixel and chunk of channels
        int ch = ConvKernels.directChannels(m);
        long invocations = conv == ConvKernels.Conv.WEIGHT_GRAD ? count : (long) batch * groups * ceil(m, ch) * geo[4] * geo[5];
        if (invocations > Integer.MAX_VALUE) throw new BackendException(invocations + " invocations exceed 32-bit indexing at " + describe(n, null));
        int[] push = new int[ConvKernels.DIRECT_HEAD + geo.length];
        int[] head = {(int) invocations, mode, m, batch, groups, gh, gw};
        System.arraycopy(head, 0, push, 0, head.length);
        System.arraycopy(geo, 0, push, head.length, geo.length);
        return List.of(switch (conv) {
            case FORWARD -> flat(ConvKernels.conv2dDirect(ch), n, invocations, bind, push);
            case TRANSPOSED -> flat(ConvKernels.convTranspose2dDirect(ch), n, invocations, bind, push);
            case WEIGHT_GRAD -> {
                int[] grid = grid(count, n);
                yield dispatch(ConvKernels.weightGradDirect(), n, bind, push, grid[0], grid[1], 1);
            }
        });
    }

    /**
     * The copy of a convolution's weight {@code w} ({@code [O, Cg, kh, kw]} for conv2d, {@code [Cin, Cout/groups, kh, kw]}
     * for the transposed convolution) into {@code to} as {@code [kh, kw, O, Cg]} or {@code [kh, kw, Cout/groups, Cin]}.
     */
    private Step tapMajorWeight(ConvKernels.Conv conv, Node n, int[] w, View to, View from) {
        int[] perm = conv == ConvKernels.Conv.FORWARD ? new int[] {2, 3, 0, 1} : new int[] {2, 3, 1, 0};
        int[] ws = Strides.contiguous(w), dims = new int[4], ss = new int[4];
        for (int i = 0; i < 4; i++) {
            dims[i] = w[perm[i]];
            ss[i] = ws[perm[i]];
        }
        return copy(n, dims, 0, ss, to, 0, Strides.contiguous(dims), from, 0);
    }

    /** Bytes of workspace a conv2d or transposed convolution takes for its tap-major weight ({@link ConvKernels#relayout}); 0 when it reads the weight as stored. */
    private long tapMajorBytes(ConvKernels.Conv conv, int m, int cols, int k, int groups, int cg, int[] w) {
        if (m < ConvKernels.MIN_GEMM || k < ConvKernels.MIN_GEMM) return 0;
        return ConvKernels.relayout(conv, convTiles(conv, m, cols, k, groups), cg) ? 4L * Strides.size(w) : 0;
    }

    /**
     * Whether a conv2d or transposed convolution {@code n} (input {@code x}, weight {@code w}, output {@code od}) runs as a matrix product
     * ({@link ConvKernels#pointwiseProduct}): a 1 x 1 kernel, stride 1, no padding, one group, f32 operands, so that each
     * image is one product of the weight and its {@code [C, H W]} plane, read where they lie.
     */
    private static boolean pointwise(Node n, ConvGeometry g, int[] x, int[] w, int[] od, dev.jasg.core.Graph graph) {
        if (!ConvKernels.pointwiseProduct() || graph == null) return false;
        return w[2] == 1 && w[3] == 1 && g.groups() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padTop() == 0 && g.padLeft() == 0
                && g.padBottom() == 0 && g.padRight() == 0 && od[2] == x[2] && od[3] == x[3]
                && graph.node(n.input(0)).dtype() == DType.F32 && graph.node(n.input(1)).dtype() == DType.F32;
    }

    /**
     * A convolution in Winograd F(2x2, 3x3) form ({@code winograd.comp}): {@code n} images of {@code c} channels,
     * {@code h x w}, to {@code o} channels, {@code ho x wo} (for a kernel gradient: the output gradient's size), its 3x3
     * window's first row and column at {@code -pt}, {@code -pl} of the output position; {@code flip}: the weight is a
     * transposed convolution's {@code [c, o, 3, 3]}, turned; the output tiles in {@code chunks} chunks (a kernel gradient's
     * products, one per chunk and transform element, summed after; 1 for the others).
     */
    record Winograd(int n, int c, int o, int h, int w, int ho, int wo, int pt, int pl, boolean flip, int chunks) {
        int tilesH() { return (ho + 1) / 2; }
        int tilesW() { return (wo + 1) / 2; }
        long tiles() { return (long) n * tilesH() * tilesW(); }
        /** Tiles in a chunk, the last chunk padded with zero tiles. */
        int chunk() { return (int) ((tiles() + chunks - 1) / chunks); }
        /** Floats of the transformed weight {@code U[16, o, c]} (or the kernel gradient's partial products {@code P[16, chunks, o, c]}). */
        long weightFloats() { return 16L * chunks * o * c; }
        /** Floats of the transformed input {@code V[16, chunks, c, chunk]}. */
        long inputFloats() { return 16L * chunks * c * chunk(); }
        /** Floats of the products {@code M[16, o, T]} (or the transformed output gradient {@code D[16, chunks, o, chunk]}). */
        long productFloats() { return 16L * chunks * o * chunk(); }
        /** This convolution with its tiles in {@code chunks} chunks. */
        Winograd withChunks(int chunks) { return new Winograd(n, c, o, h, w, ho, wo, pt, pl, flip, chunks); }

        /** Workspace bytes: the three, each from an offset {@code align} gives. */
        long bytes(java.util.function.LongUnaryOperator align) {
            return align.applyAsLong(4 * weightFloats()) + align.applyAsLong(4 * inputFloats()) + 4 * productFloats();
        }
    }

    /**
     * The Winograd form of conv2d (or, {@code transposed}, of a transposed convolution) {@code n} with input {@code x},
     * weight {@code w} and output {@code od}, or null where it does not run that way ({@link #winogradShape}).
     */
    private Winograd winograd(Node n, ConvGeometry g, int[] x, int[] w, int[] od, dev.jasg.core.Graph graph, boolean transposed) {
        if (w[2] != 3 || w[3] != 3) return null;
        int pt = transposed ? 2 - g.padTop() : g.padTop(), pl = transposed ? 2 - g.padLeft() : g.padLeft();
        return winogradShape(n, g, graph, new Winograd(x[0], x[1], od[1], x[2], x[3], od[2], od[3], pt, pl, transposed, 1));
    }

    /**
     * The Winograd form of kernel gradient {@code n} (input {@code x}, output gradient {@code gy}, kernel {@code od}), its
     * tiles in {@link ConvKernels#winogradChunks} chunks, or null where it does not run that way ({@link #winogradShape}).
     */
    private Winograd winogradGradient(Node n, ConvGeometry g, int[] x, int[] gy, int[] od, dev.jasg.core.Graph graph) {
        if (od[2] != 3 || od[3] != 3) return null;
        Winograd one = new Winograd(x[0], x[1], gy[1], x[2], x[3], gy[2], gy[3], g.padTop(), g.padLeft(), false, 1);
        return winogradShape(n, g, graph, one.withChunks(ConvKernels.winogradChunks(one.tiles())));
    }

    /**
     * {@code wg}, or null where node {@code n} does not run in Winograd form: {@link ConvKernels#winograd} off, a stride,
     * dilation or group count other than 1, fewer than {@link ConvKernels#winogradMinChannels} channels either way,
     * operands other than f32, f16 or bf16 (half operands run in f32, as the tiled kernel runs them), padding past the
     * window (a transposed convolution's is {@code 2 - p} in conv2d form), a workspace above
     * {@link ConvKernels#winogradMaxBytes}, or a transformed operand too large to bind or index.
     */
    private Winograd winogradShape(Node n, ConvGeometry g, dev.jasg.core.Graph graph, Winograd wg) {
        if (!ConvKernels.winograd() || graph == null || g.groups() != 1 || g.strideH() != 1 || g.strideW() != 1 || g.dilationH() != 1
                || g.dilationW() != 1) return null;
        // half operands (autocast's) are f32 words holding half values here: the transforms and products run in f32 on them
        if (!floatWords(graph.node(n.input(0)).dtype()) || !floatWords(graph.node(n.input(1)).dtype())) return null;
        if (wg.pt() < 0 || wg.pl() < 0 || Math.min(wg.c(), wg.o()) < ConvKernels.winogradMinChannels() || wg.tiles() == 0) return null;
        long limit = Math.min(Integer.MAX_VALUE, dev.maxStorageBufferRange / 4);
        if (wg.bytes(this::align) > ConvKernels.winogradMaxBytes()) return null;
        return Math.max(wg.weightFloats(), Math.max(wg.inputFloats(), wg.productFloats())) > limit ? null : wg;
    }

    /** Whether a value of {@code t} sits in an f32 word as a float (f32, or a half type's value held in one). */
    private static boolean floatWords(DType t) {
        return t == DType.F32 || t.isHalf();
    }

    /** The workspace views of {@link Winograd} {@code wg}: its weight (or partial products), input and product (or gradient) operands. */
    private View[] winogradViews(Winograd wg, View workspace) {
        long uBytes = align(4 * wg.weightFloats()), vBytes = align(4 * wg.inputFloats());
        return new View[] {new View(workspace.buffer(), workspace.offset(), 4 * wg.weightFloats()),
                new View(workspace.buffer(), workspace.offset() + uBytes, 4 * wg.inputFloats()),
                new View(workspace.buffer(), workspace.offset() + uBytes + vBytes, 4 * wg.productFloats())};
    }

    /** {@link Winograd} {@code wg}'s input transform of {@code x} into {@code v}. */
    private Step winogradInput(Node n, Winograd wg, View v, View x) {
        return flat(ConvKernels.winogradInput(), n, wg.inputFloats() / 16, new View[] {v, x},
                new int[] {wg.c(), wg.h(), wg.w(), (int) wg.tiles(), wg.tilesH(), wg.tilesW(), wg.pt(), wg.pl(), wg.chunk(), wg.chunks()});
    }

    /**
     * {@link Winograd} {@code wg} of node {@code n} into {@code out}: the weight's and the input's transforms into the
     * workspace, the 16 products {@code M[e] = U[e] V[e]} as one batched product on {@link MatMulKernel}, and the output's
     * transform from them.
     */
    private List<Step> winogradConv(Node n, Winograd wg, int mode, View out, View[] in, View workspace) {
        View[] ws = winogradViews(wg, workspace);
        int tiles = (int) wg.tiles();
        List<Step> steps = new ArrayList<>();
        steps.add(flat(ConvKernels.winogradWeight(wg.flip()), n, (long) wg.o() * wg.c(), new View[] {ws[0], in[1]}, new int[] {wg.o(), wg.c()}));
        steps.add(winogradInput(n, wg, ws[1], in[0]));
        steps.addAll(matmul(n, new int[] {16, wg.o(), wg.c()}, new int[] {16, wg.c(), tiles}, 0, ws[2], ws[0], ws[1], null, null, null, null,
                DType.F32, null, MatMulKernel.Layout.PLAIN));
        steps.add(flat(ConvKernels.winogradOutput(), n, wg.productFloats() / 16, new View[] {out, ws[2]},
                new int[] {wg.o(), tiles, wg.ho(), wg.wo(), wg.tilesH(), wg.tilesW(), mode}));
        return steps;
    }

    /**
     * Kernel gradient {@code n} in {@link Winograd} form {@code wg} into {@code out}: the input's and the output gradient's
     * transforms into the workspace, chunk by chunk of tiles, the products {@code P[e][s] = D[e][s] V[e][s]^T} as one
     * batched product on {@link MatMulKernel} (V read transposed), and the kernel's transform of their sums over the chunks
     * (in order).
     */
    private List<Step> winogradKernelGradient(Node n, Winograd wg, int mode, View out, View[] in, View workspace) {
        View[] ws = winogradViews(wg, workspace);
        int chunk = wg.chunk(), batches = 16 * wg.chunks();
        List<Step> steps = new ArrayList<>();
        steps.add(winogradInput(n, wg, ws[1], in[0]));
        steps.add(flat(ConvKernels.winogradGradient(), n, wg.productFloats() / 16, new View[] {ws[2], in[1]},
                new int[] {wg.o(), wg.ho(), wg.wo(), (int) wg.tiles(), wg.tilesH(), wg.tilesW(), chunk, wg.chunks()}));
        steps.addAll(matmul(n, new int[] {batches, wg.o(), chunk}, new int[] {batches, chunk, wg.c()}, 0, ws[0], ws[2], ws[1], null, null, null,
                null, DType.F32, null, new MatMulKernel.Layout(false, true)));
        steps.add(flat(ConvKernels.winogradWeightGradient(), n, (long) wg.o() * wg.c(), new View[] {out, ws[0]},
                new int[] {wg.o(), wg.c(), wg.chunks(), mode}));
        return steps;
    }

    /**
     * A {@link #pointwise} convolution as one product per image, the weight broadcast over the batch: conv2d's
     * {@code y[n] = W [O, C] x[n] [C, H W]}, or the transposed convolution's {@code y[n] = W^T x[n] [O, H W]} with
     * {@code W} stored {@code [O, C]} and read transposed.
     */
    private List<Step> pointwiseProduct(Node n, Program.Binding b, boolean transposed, int mode, View out, View[] in) {
        int[] x = dims(n, 0, b), w = dims(n, 1, b);
        return matmul(n, transposed ? new int[] {w[1], w[0]} : new int[] {w[0], w[1]}, new int[] {x[0], x[1], x[2] * x[3]}, mode, out, in[1], in[0],
                null, null, null, null, DType.F32, null, transposed ? new MatMulKernel.Layout(true, false) : MatMulKernel.Layout.PLAIN);
    }

    /**
     * The tile of {@code conv}'s tiled kernel ({@link ConvKernels#tiles}), the one choice that lowering, the weight
     * gradient's splits and the workspace's size all read: for the weight gradient the largest tile, its long reduction
     * split across workgroups instead ({@link ConvKernels#wgradMinGroups}, timed on an H100); for the others the largest
     * that makes {@link ConvKernels#minGroups} workgroups.
     */
    private ConvKernels.Tiles convTiles(ConvKernels.Conv conv, int m, int cols, int k, int groups) {
        if (conv == ConvKernels.Conv.WEIGHT_GRAD) {
            return ConvKernels.wgradDepth(ConvKernels.tiles(m, cols, k, groups, dev.maxSharedMemory, ConvKernels.wgradMinGroups(), false),
                    dev.maxSharedMemory);
        }
        return ConvKernels.tiles(m, cols, k, groups, dev.maxSharedMemory, ConvKernels.minGroups(), ConvKernels.wide(conv, k));
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Max-pooling selection (one invocation per window) or scatter (one per input element, a
     * workgroup per tile of a plane) of
     * {@code planes x h x w} inputs {@code xd} pooled to {@code pd}, the window's axes in closed form.
     */
    private Step pool(boolean scatter, Node n, Program.Binding b, dev.jasg.core.PoolWindow win, int[] xd, int[] pd, long count, int mode,
                      View out, View[] in) {
        int[] rows = PoolKernels.windowAxis(win, 0, xd[2]), cols = PoolKernels.windowAxis(win, 1, xd[3]);
        if (rows == null || cols == null) {
            throw new BackendException("the Vulkan pooling kernels cannot describe the windows " + win + " of " + describe(n, b) + " in 32-bit closed form");
        }
        int a = PoolKernels.AXIS_INTS;
        int[] push = new int[(scatter ? 9 : 6) + 2 * a];
        int[] head = {(int) count, mode, xd[2], xd[3], pd[2], pd[3]};
        System.arraycopy(head, 0, push, 0, head.length);
        System.arraycopy(rows, 0, push, head.length, a);
        System.arraycopy(cols, 0, push, head.length + a, a);
        View[] bind = {out, in[0], in[1]};
        if (!scatter) return flat(PoolKernels.maxPoolSelect(), n, count, bind, push);
        int tileW = PoolKernels.scatterTileWidth(xd[3]);
        long tilesX = ceil(xd[3], tileW), tilesY = ceil(xd[2], 256 / tileW), groups = (long) xd[0] * xd[1] * tilesX * tilesY;
        if (groups > Integer.MAX_VALUE) throw new BackendException(groups + " workgroups exceed the device's grid at " + describe(n, b));
        push[0] = (int) groups;
        push[6 + 2 * a] = (int) tilesX;
        push[7 + 2 * a] = (int) tilesY;
        push[8 + 2 * a] = tileW;
        int[] grid = grid(groups, n);
        return dispatch(PoolKernels.maxPoolScatter(), n, bind, push, grid[0], grid[1], 1);
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    private Step flat(Kernel k, Node n, long count, View[] bindings, int[] push) {
        return flat(k, n, count, bindings, push, 1);
    }

    /** A flat kernel over {@code count} elements, {@code elements} of them an invocation. */
    private Step flat(Kernel k, Node n, long count, View[] bindings, int[] push, int elements) {
        int[] grid = grid(GlslKernels.flatGroups(count, elements), n);
        return dispatch(k, n, bindings, push, grid[0], grid[1], 1);
    }

    private int[] grid(long groups, Node n) {
        int gx = (int) Math.min(groups, dev.maxGroupCount[0]);
        long gy = ceil(groups, Math.max(gx, 1));
        if (gy > dev.maxGroupCount[1]) throw new BackendException(groups + " workgroups exceed the device's grid at " + describe(n, null));
        return new int[] {Math.max(gx, 1), (int) Math.max(gy, 1)};
    }

    private Step dispatch(Kernel k, Node n, View[] bindings, int[] push, int gx, int gy, int gz) {
        return dispatch(k, n, bindings, 1, push, gx, gy, gz);
    }

    /** A dispatch whose first {@code outputs} bindings it writes and the rest it reads. */
    private Step dispatch(Kernel k, Node n, View[] bindings, int outputs, int[] push, int gx, int gy, int gz) {
        if (push.length * 4 > Pipelines.PUSH_BYTES) throw new IllegalStateException("push constants of " + k.name() + " exceed 128 bytes");
        Pipelines.Pipeline p = pipelines.get(k, describe(n, null));
        List<View> reads = new ArrayList<>(Arrays.asList(bindings).subList(outputs, bindings.length));
        return new Step.Dispatch(p, bindings, push, gx, gy, gz, reads, List.copyOf(Arrays.asList(bindings).subList(0, outputs)));
    }

    private static BackendException tooManyAxes(Node n, Program.Binding b, int rank, int max) {
        return new BackendException("the Vulkan kernels take at most " + max + " non-mergeable axes, but " + describe(n, b) + " needs " + rank);
    }
}
