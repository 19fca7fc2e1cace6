package dev.jasg.core.reference;

import dev.jasg.core.Anomaly;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.HostParameters;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Indexing;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One compiled chain on the reference backend. A run binds the feeds to concrete shapes,
 * computes every scheduled node into a fresh {@code double[]} (no buffer reuse: clarity
 * over speed), rounds integer, bool and half (F16, BF16: emulated storage) nodes with
 * {@link DType#round}, copies the outputs,
 * then writes all assignments into the parameter store together. In {@link Anomaly} mode the values
 * are scanned for NaN and infinity before the outputs are copied and the assignments written.
 */
final class ReferenceExecutable implements Executable {
    private Program program;
    private HostParameters parameters;
    private boolean closed;

    ReferenceExecutable(Program program, HostParameters parameters) {
        this.program = program;
        this.parameters = parameters;
    }

    @Override
    public synchronized Outputs run(Map<String, HostTensor> feeds) {
        checkOpen();
        boolean checked = Anomaly.enabled();
        Program.Binding binding = program.bind(feeds);
        Graph graph = program.graph();
        double[][] values = new double[graph.size()][];
        for (Node n : program.schedule()) {
            double[] v = compute(n, binding, values, feeds);
            if (!n.dtype().isFloat() || n.dtype().isHalf()) {
                for (int i = 0; i < v.length; i++) v[i] = n.dtype().round(v[i]);
            }
            values[n.id()] = v;
        }
        // every value is kept (no reuse here), so anomaly mode only scans them before anything is written
        if (checked) Anomaly.check(program, binding, (id, i) -> values[id][i]);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (var e : program.outputs().entrySet()) {
            Node n = graph.node(e.getValue());
            DType t = n.dtype().isFloat() ? DType.F64 : n.dtype();
            out.put(e.getKey(), HostTensor.fromDoubles(t, binding.shape(n.id()), values[n.id()]));
        }
        // All reads are done, so the assignments can be applied in any order.
        for (Graph.Assignment a : program.assignments()) {
            String name = ((Op.Parameter) graph.node(a.parameter()).op()).name();
            HostTensor stored = parameters.storage(name);
            parameters.replace(name, HostTensor.fromDoubles(stored.dtype(), stored.shape(), values[a.value()]));
        }
        return new ReferenceOutputs(out);
    }

    /** The value of node {@code n} from its inputs' values: one case per op. */
    private double[] compute(Node n, Program.Binding b, double[][] values, Map<String, HostTensor> feeds) {
        int[] outDims = b.shape(n.id()).dims();
        return switch (n.op()) {
            case Op.Input i -> feeds.get(i.name()).toDoubles();
            case Op.Parameter p -> parameters.storage(p.name()).toDoubles();
            case Op.Constant c -> c.value().toDoubles();
            case Op.Unary u -> ReferenceKernels.unary(u.kind(), u.a(), u.b(), in(n, 0, values));
            case Op.Binary bin -> ReferenceKernels.binary(bin.kind(), in(n, 0, values), dims(n, 0, b), in(n, 1, values), dims(n, 1, b), outDims);
            case Op.Compare c -> ReferenceKernels.compare(c.kind(), in(n, 0, values), dims(n, 0, b), in(n, 1, values), dims(n, 1, b), outDims);
            case Op.Where w -> ReferenceKernels.where(in(n, 0, values), dims(n, 0, b), in(n, 1, values), dims(n, 1, b),
                    in(n, 2, values), dims(n, 2, b), outDims);
            case Op.Reduce r -> ReferenceKernels.reduce(r.kind(), r.axes(), in(n, 0, values), dims(n, 0, b));
            case Op.ArgReduce a -> ReferenceKernels.argReduce(a.kind(), a.axis(), in(n, 0, values), dims(n, 0, b));
            case Op.Count c -> ReferenceKernels.count(c.axes(), dims(n, 0, b));
            case Op.MatMul m -> ReferenceKernels.matmul(in(n, 0, values), dims(n, 0, b), in(n, 1, values), dims(n, 1, b));
            case Op.Reshape r -> in(n, 0, values).clone();
            case Op.StopGradient s -> in(n, 0, values).clone();
            case Op.Permute p -> ReferenceKernels.permute(p.perm(), in(n, 0, values), dims(n, 0, b), outDims);
            case Op.Expand e -> ReferenceKernels.expand(in(n, 0, values), dims(n, 0, b), outDims);
            case Op.Slice s -> ReferenceKernels.slice(s.axis(), s.start(), s.step(), in(n, 0, values), dims(n, 0, b), outDims);
            case Op.SliceScatter s -> ReferenceKernels.sliceScatter(s.axis(), s.start(), s.step(), in(n, 0, values), dims(n, 0, b), outDims);
            case Op.Concat c -> {
                double[][] xs = new double[n.arity()][];
                int[][] ds = new int[n.arity()][];
                for (int k = 0; k < xs.length; k++) {
                    xs[k] = in(n, k, values);
                    ds[k] = dims(n, k, b);
                }
                yield ReferenceKernels.concat(c.axis(), xs, ds, outDims);
            }
            case Op.Softmax s -> ReferenceKernels.softmax(false, s.axis(), in(n, 0, values), outDims);
            case Op.LogSoftmax s -> ReferenceKernels.softmax(true, s.axis(), in(n, 0, values), outDims);
            case Op.Cast c -> ReferenceKernels.cast(c.to(), in(n, 0, values));
            case Op.Gather g -> ReferenceKernels.gather(n, in(n, 0, values), dims(n, 0, b), in(n, 1, values));
            case Op.ScatterAdd s -> ReferenceKernels.scatterAdd(n, in(n, 0, values), in(n, 1, values), outDims);
            case Op.DropoutMask d -> ReferenceKernels.dropoutMask(d, (int) in(n, 1, values)[0], Indexing.size(outDims));
            case Op.Normalize z -> ReferenceKernels.normalize(z.axes(), z.eps(), in(n, 0, values), outDims);
            case Op.Conv2d c -> ConvReference.conv2d(c.geometry(), in(n, 0, values), dims(n, 0, b), in(n, 1, values), dims(n, 1, b), outDims);
            case Op.ConvTranspose2d c -> ConvReference.convTranspose2d(c.geometry(), in(n, 0, values), dims(n, 0, b), in(n, 1, values), dims(n, 1, b), outDims);
            case Op.Conv2dWeightGrad c -> ConvReference.weightGrad(c.geometry(), in(n, 0, values), dims(n, 0, b), in(n, 1, values), dims(n, 1, b), outDims);
            case Op.MaxPoolSelect m -> ConvReference.maxPoolSelect(m.window(), in(n, 0, values), in(n, 1, values), dims(n, 0, b), outDims);
            case Op.MaxPoolScatter m -> ConvReference.maxPoolScatter(m.window(), in(n, 0, values), in(n, 1, values), dims(n, 0, b), dims(n, 1, b));
            case Op.CumSum c -> ScanReference.cumsum(c.axis(), c.reverse(), in(n, 0, values), dims(n, 0, b));
            case Op.CumProd c -> ScanReference.cumprod(c.axis(), in(n, 0, values), dims(n, 0, b));
            case Op.ArgSort a -> ScanReference.argsort(a.axis(), a.descending(), in(n, 0, values), dims(n, 0, b));
            case Op.Linalg l -> LinalgReference.compute(n, l.kind(), in(n, 0, values), dims(n, 0, b),
                    n.arity() > 1 ? in(n, 1, values) : null, n.arity() > 1 ? dims(n, 1, b) : null);
            case Op.Attention a -> AttentionReference.forward(a.scale(), a.causal(), in(n, 0, values), in(n, 1, values), in(n, 2, values),
                    dims(n, 0, b), dims(n, 1, b), dims(n, 2, b));
            case Op.AttentionStats a -> AttentionReference.stats(a.scale(), a.causal(), in(n, 0, values), in(n, 1, values), dims(n, 0, b), dims(n, 1, b));
            case Op.AttentionGrad a -> AttentionReference.gradient(a.scale(), a.causal(), a.wrt(), in(n, 0, values), in(n, 1, values), in(n, 2, values),
                    in(n, 3, values), in(n, 4, values), in(n, 5, values), dims(n, 0, b), dims(n, 1, b), dims(n, 2, b));
        };
    }

    private static double[] in(Node n, int i, double[][] values) {
        return values[n.input(i)];
    }

    private static int[] dims(Node n, int i, Program.Binding b) {
        return b.shape(n.input(i)).dims();
    }

    @Override
    public synchronized Parameters parameters() {
        checkOpen();
        return parameters;
    }

    @Override
    public synchronized void close() {
        closed = true;
        program = null;
        parameters = null;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this reference executable is closed");
    }
}
