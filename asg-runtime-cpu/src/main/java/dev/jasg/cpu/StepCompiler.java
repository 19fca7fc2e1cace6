package dev.jasg.cpu;

import dev.jasg.core.DType;
import dev.jasg.core.Indexing;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.ReduceOp;
import java.util.Arrays;

/**
 * Turns a node and the concrete shapes of one binding into a {@link Step}: the one
 * exhaustive switch over {@link Op} of the CPU backend. Geometry (broadcast strides,
 * matmul batch offsets) and scratch are computed here, once per plan, so a run only loops.
 */
final class StepCompiler {
    private StepCompiler() {}

    /**
     * True when the node's value is its first input's array unchanged, so the plan lets it
     * alias that buffer instead of copying. This holds for every reshape (buffers are dense
     * and row-major, so a reshape only renames the same elements) and for casts, expands,
     * permutes and slices that change nothing. It is safe because no kernel writes into a
     * buffer other than its own fresh one, the planner keeps a shared buffer alive until the
     * last reader of any alias, and values rooted in parameter arrays are copied before
     * assignments overwrite those arrays.
     */
    static boolean aliasesInput(Node n, Program.Binding b, Graph g) {
        return switch (n.op()) {
            case Op.Input i -> false;
            case Op.Parameter p -> false;
            case Op.Constant c -> false;
            case Op.Unary u -> false;
            case Op.Binary x -> false;
            case Op.Compare c -> false;
            case Op.Where w -> false;
            case Op.Reduce r -> false;
            case Op.ArgReduce a -> false;
            case Op.Count c -> false;
            case Op.MatMul m -> false;
            case Op.Reshape r -> true;
            case Op.StopGradient s -> true;
            case Op.Permute p -> isIdentity(p.perm().toArray());
            case Op.Expand e -> b.shape(n.input(0)).equals(b.shape(n.id()));
            case Op.Slice s -> s.step() == 1 && s.start() == 0 && s.end() == b.shape(n.input(0)).dim(s.axis());
            case Op.SliceScatter s -> false;
            case Op.Concat c -> n.arity() == 1;
            case Op.Softmax s -> false;
            case Op.LogSoftmax s -> false;
            case Op.Cast c -> CastKernel.isIdentity(g.node(n.input(0)).dtype(), c.to());
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
            case Op.Linalg l -> false;
            case Op.Attention a -> false;
            case Op.AttentionStats a -> false;
            case Op.AttentionGrad a -> false;
        };
    }

    private static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    /** The step computing {@code n} under binding {@code b}. */
    static Step compile(Node n, Program.Binding b, Graph g) {
        int id = n.id();
        if (aliasesInput(n, b, g)) {
            int in = n.input(0);
            return v -> v[id] = v[in];
        }
        int[] out = b.shape(id).dims();
        int size = b.shape(id).sizeInt();
        return switch (n.op()) {
            case Op.Input i -> Step.NONE;
            case Op.Parameter p -> Step.NONE;
            case Op.Constant c -> Step.NONE;
            case Op.Unary u -> {
                int x = n.input(0);
                yield v -> ElementwiseKernels.unary(u.kind(), u.a(), u.b(), n.dtype(), v[x], v[id], size);
            }
            case Op.Binary op -> {
                int x = n.input(0), y = n.input(1);
                Strided geo = Strided.of(out, Indexing.strides(out), Indexing.broadcastStrides(dims(b, x), out), Indexing.broadcastStrides(dims(b, y), out));
                var kind = op.kind();
                var dt = n.dtype();
                yield new LoopStep((int) geo.size(), ElementwiseKernels.PARALLEL_MIN, (v, f, t) -> ElementwiseKernels.binaryRange(kind, dt, geo, v[x], v[y], v[id], f, t));
            }
            case Op.Compare op -> {
                int x = n.input(0), y = n.input(1);
                Strided geo = Strided.of(out, Indexing.strides(out), Indexing.broadcastStrides(dims(b, x), out), Indexing.broadcastStrides(dims(b, y), out));
                var kind = op.kind();
                yield new LoopStep((int) geo.size(), ElementwiseKernels.PARALLEL_MIN, (v, f, t) -> ElementwiseKernels.compareRange(kind, geo, v[x], v[y], v[id], f, t));
            }
            case Op.Where w -> {
                int m = n.input(0), x = n.input(1), y = n.input(2);
                Strided geo = Strided.of(out, Indexing.strides(out), Indexing.broadcastStrides(dims(b, m), out),
                        Indexing.broadcastStrides(dims(b, x), out), Indexing.broadcastStrides(dims(b, y), out));
                yield v -> ElementwiseKernels.where(geo, v[m], v[x], v[y], v[id]);
            }
            case Op.Reduce r -> reduce(n, r, b);
            case Op.ArgReduce a -> {
                int x = n.input(0);
                int[] in = dims(b, x);
                int outer = prod(in, 0, a.axis()), len = in[a.axis()], inner = prod(in, a.axis() + 1, in.length);
                float[] best = new float[inner];
                yield v -> ReduceKernels.argReduce(a.kind(), v[x], outer, len, inner, v[id], best);
            }
            case Op.Count c -> {
                int[] in = dims(b, n.input(0));
                long count = 1;
                for (int i = 0; i < c.axes().size(); i++) count *= in[c.axes().get(i)];
                float value = (float) count;
                yield v -> v[id][0] = value;
            }
            case Op.MatMul m -> {
                int x = n.input(0), y = n.input(1);
                MatMulKernel.Geometry geo = MatMulKernel.plan(dims(b, x), dims(b, y));
                yield v -> MatMulKernel.multiply(geo, n.dtype(), v[x], v[y], v[id]);
            }
            case Op.Reshape r -> {
                int x = n.input(0);
                yield v -> System.arraycopy(v[x], 0, v[id], 0, size);
            }
            case Op.StopGradient s -> {
                int x = n.input(0);
                yield v -> System.arraycopy(v[x], 0, v[id], 0, size);
            }
            case Op.Permute p -> copy(n.input(0), id, ShapeKernels.permuteGeometry(dims(b, n.input(0)), p.perm().toArray()));
            case Op.Expand e -> copy(n.input(0), id, ShapeKernels.expandGeometry(dims(b, n.input(0)), out));
            case Op.Slice s -> copy(n.input(0), id, ShapeKernels.sliceGeometry(dims(b, n.input(0)), out, s.axis(), s.start(), s.step()));
            case Op.SliceScatter s -> {
                int x = n.input(0);
                ShapeKernels.Copy geo = ShapeKernels.sliceScatterGeometry(dims(b, x), out, s.axis(), s.start(), s.step());
                yield v -> {
                    ShapeKernels.zero(v[id], size);
                    ShapeKernels.copy(geo, v[x], v[id]);
                };
            }
            case Op.Concat c -> {
                int[] ins = n.inputs();
                ShapeKernels.Copy[] parts = new ShapeKernels.Copy[ins.length];
                int offset = 0;
                for (int k = 0; k < ins.length; k++) {
                    int[] in = dims(b, ins[k]);
                    parts[k] = ShapeKernels.concatGeometry(in, out, c.axis(), offset);
                    offset += in[c.axis()];
                }
                yield v -> {
                    for (int k = 0; k < ins.length; k++) ShapeKernels.copy(parts[k], v[ins[k]], v[id]);
                };
            }
            case Op.CumSum c -> scan(n.input(0), id, out, c.axis(), c.reverse(), false);
            case Op.CumProd c -> scan(n.input(0), id, out, c.axis(), false, true);
            case Op.ArgSort a -> {
                int x = n.input(0);
                int outer = prod(out, 0, a.axis()), len = out[a.axis()], inner = prod(out, a.axis() + 1, out.length);
                float[] keys = new float[len];
                int[] idx = new int[len], tmp = new int[len];
                yield v -> ScanKernels.argsort(v[x], v[id], outer, len, inner, a.descending(), keys, idx, tmp);
            }
            case Op.Attention a -> new AttentionKernels.Forward(AttentionKernels.geometry(n, b, a.scale(), a.causal()),
                    n.input(0), n.input(1), n.input(2), id, -1, null);
            case Op.AttentionStats a -> new AttentionKernels.Forward(AttentionKernels.geometry(n, b, a.scale(), a.causal()),
                    n.input(0), n.input(1), -1, -1, id, null);
            case Op.AttentionGrad a -> {
                // alone (no sibling gradient of the same operands in this plan, or a checked plan): this gradient only
                int[] ids = {-1, -1, -1};
                ids[a.wrt()] = id;
                yield new AttentionKernels.Backward(AttentionKernels.geometry(n, b, a.scale(), a.causal()),
                        n.input(0), n.input(1), n.input(2), n.input(3), n.input(4), n.input(5), ids, new float[3][]);
            }
            case Op.Linalg l -> {
                int x = n.input(0), y = n.arity() > 1 ? n.input(1) : -1;
                int[] xd = dims(b, x), yd = y < 0 ? null : dims(b, y);
                yield v -> LinalgKernels.compute(n, l.kind(), v[x], xd, y < 0 ? null : v[y], yd, v[id]);
            }
            case Op.Softmax s -> softmax(n.input(0), id, out, s.axis(), false);
            case Op.LogSoftmax s -> softmax(n.input(0), id, out, s.axis(), true);
            case Op.Cast c -> {
                int x = n.input(0);
                DType to = c.to();
                // split over the pool as the elementwise ops (a 1M-element cast ran 1.3 ns an element on one thread)
                yield new LoopStep(size, ElementwiseKernels.PARALLEL_MIN, (v, f, t) -> CastKernel.castRange(to, v[x], v[id], f, t));
            }
            case Op.Gather ga -> {
                int t = n.input(0), x = n.input(1);
                int[] td = dims(b, t);
                int rows = td[0], d = prod(td, 1, td.length), count = b.shape(x).sizeInt();
                yield v -> IndexKernels.gather(n, v[t], rows, d, v[x], count, v[id]);
            }
            case Op.ScatterAdd s -> {
                int u = n.input(0), x = n.input(1);
                int d = prod(out, 1, out.length), count = b.shape(x).sizeInt();
                yield v -> IndexKernels.scatterAdd(n, v[u], d, v[x], count, s.size(), v[id]);
            }
            case Op.DropoutMask d -> {
                int seed = n.input(1);
                int saltMix = Op.DropoutMask.saltMix(d.salt()), threshold = d.threshold();
                float scale = (float) d.scale();
                yield v -> {
                    int key = Op.DropoutMask.streamKey((int) v[seed][0], saltMix);
                    float[] o = v[id];
                    for (int i = 0; i < size; i++) o[i] = Op.DropoutMask.bits24(key, i) >= threshold ? scale : 0f;
                };
            }
            case Op.Normalize z -> {
                int x = n.input(0);
                NormalizeKernel.Geometry geo = NormalizeKernel.plan(out, z.axes());
                double eps = z.eps();
                yield new LoopStep(geo.bases().length, NormalizeKernel.minGroups(geo), (v, f, t) -> NormalizeKernel.normalizeRange(geo, eps, v[x], v[id], f, t));
            }
            case Op.Conv2d c -> {
                int x = n.input(0), w = n.input(1);
                ConvKernels.Run k = conv2d(n, c, b);
                yield v -> k.run(v[x], v[w], v[id]);
            }
            case Op.ConvTranspose2d c -> {
                int x = n.input(0), w = n.input(1);
                int[] xd = dims(b, x), wd = dims(b, w);
                // the image side is the output, the column side the input
                ConvKernels.Shape geo = new ConvKernels.Shape(out[0], out[1], out[2], out[3], xd[1], xd[2], xd[3], wd[2], wd[3], c.geometry());
                ConvKernels.Run k = ConvKernels.convTranspose2d(geo);
                yield v -> k.run(v[x], v[w], v[id]);
            }
            case Op.Conv2dWeightGrad c -> {
                int x = n.input(0), gr = n.input(1);
                int[] xd = dims(b, x), gd = dims(b, gr);
                // the unfolding covers the gradient's positions only: a cut gradient reads as zeros past them
                ConvKernels.Shape geo = new ConvKernels.Shape(xd[0], xd[1], xd[2], xd[3], gd[1], gd[2], gd[3], c.kernelH(), c.kernelW(), c.geometry());
                ConvKernels.Run k = ConvKernels.weightGrad(geo);
                yield v -> k.run(v[x], v[gr], v[id]);
            }
            case Op.MaxPoolSelect m -> {
                int x = n.input(0), u = n.input(1);
                int[] xd = dims(b, x);
                PoolKernels.Windows geo = PoolKernels.Windows.of(xd[0] * xd[1], xd[2], xd[3], m.window());
                // select(x, x) is max pooling: the values alone, without tracking where they are
                // the vector maxima once the warm-up has handed over (the same bits either way)
                if (x == u) yield new LoopStep(geo.planes(), PoolKernels.MIN_PLANES,
                        (v, p0, p1) -> PoolKernels.maxPoolRange(geo, v[x], v[id], ElementwiseKernels.vectorArith(), p0, p1));
                yield new LoopStep(geo.planes(), PoolKernels.MIN_PLANES, (v, p0, p1) -> PoolKernels.maxPoolSelectRange(geo, v[x], v[u], v[id], p0, p1));
            }
            case Op.MaxPoolScatter m -> {
                int x = n.input(0), gr = n.input(1);
                int[] xd = dims(b, x);
                PoolKernels.Windows geo = PoolKernels.Windows.of(xd[0] * xd[1], xd[2], xd[3], m.window());
                yield new LoopStep(geo.planes(), PoolKernels.MIN_PLANES, (v, p0, p1) -> PoolKernels.maxPoolScatterRange(geo, v[x], v[gr], v[id], p0, p1));
            }
        };
    }

    /** The kernel of convolution node {@code n} under binding {@code b} (also run by {@link ConvFold}). */
    static ConvKernels.Run conv2d(Node n, Op.Conv2d c, Program.Binding b) {
        int[] xd = dims(b, n.input(0)), wd = dims(b, n.input(1)), out = dims(b, n.id());
        return ConvKernels.conv2d(new ConvKernels.Shape(xd[0], xd[1], xd[2], xd[3], wd[0], out[2], out[3], wd[2], wd[3], c.geometry()));
    }

    private static Step reduce(Node n, Op.Reduce r, Program.Binding b) {
        int id = n.id(), x = n.input(0);
        int[] in = dims(b, x);
        int[] kept = in.clone();
        long count = 1;
        for (int i = 0; i < r.axes().size(); i++) {
            int ax = r.axes().get(i);
            count *= in[ax];
            kept[ax] = 1;
        }
        int[] outStrides = Indexing.strides(kept);
        for (int i = 0; i < r.axes().size(); i++) outStrides[r.axes().get(i)] = 0;
        Strided geo = Strided.of(in, Indexing.strides(in), outStrides);
        int outSize = prod(kept, 0, kept.length);
        double[] acc = new double[ReduceKernels.scratchSize(outSize)];
        ReduceOp kind = r.kind();
        long n0 = count;
        return v -> ReduceKernels.reduce(kind, n.dtype(), geo, n0, v[x], v[id], outSize, acc);
    }

    private static Step scan(int x, int id, int[] dims, int axis, boolean reverse, boolean product) {
        int outer = prod(dims, 0, axis), len = dims[axis], inner = prod(dims, axis + 1, dims.length);
        double[] acc = new double[inner];
        return v -> ScanKernels.scan(v[x], v[id], outer, len, inner, reverse, product, acc);
    }

    private static Step softmax(int x, int id, int[] dims, int axis, boolean log) {
        int outer = prod(dims, 0, axis), len = dims[axis], inner = prod(dims, axis + 1, dims.length);
        return v -> SoftmaxKernels.softmax(v[x], v[id], outer, len, inner, log);
    }

    private static Step copy(int x, int id, ShapeKernels.Copy geo) {
        return new LoopStep((int) geo.g().size(), ShapeKernels.PARALLEL_MIN, (v, f, t) -> ShapeKernels.copyRange(geo, v[x], v[id], f, t));
    }

    private static int[] dims(Program.Binding b, int id) {
        return b.shape(id).dims();
    }

    /** The product of {@code d[from .. to)}: the size of those axes (an axis's outer or inner size). */
    static int prod(int[] d, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= d[i];
        return p;
    }

    /** For error messages: {@code [2,3]}. */
    static String str(int[] d) {
        return Arrays.toString(d).replace(" ", "");
    }
}
