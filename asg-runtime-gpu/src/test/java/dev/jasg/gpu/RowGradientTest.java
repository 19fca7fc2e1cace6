package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import dev.jasg.testkit.OpCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * The gradients of layer norm, softmax and log-softmax as one row kernel ({@link RowGradient}, {@code row_gradient.comp}), as
 * a table of shapes: rows from 1 to more than a workgroup serves, row lengths 1, 7, 64, 768, 1000 and 3072 (shorter and
 * longer than a workgroup, powers of two and not), a strided axis, several reduced axes, the half dtypes' emulated storage
 * and a NaN. Each row's forward and gradient graphs run on the Vulkan backend against the reference backend within the op
 * table's tolerance (f32: 2e-5 relative to the tensor's scale; F16, BF16: {@link OpCheck#dtypeTolerance}), give the same
 * bits on a second run, and the plan is checked to hold the row kernel (so the row cannot pass unfused), for layer norm with
 * {@code g = dy * w} computed inside it.
 */
@Tag("gpu")
class RowGradientTest extends OnGpu {
    /** f32 backends against the double reference (OpCheck.BACKEND_TOL). */
    static final double F32_TOL = 2e-5;

    record Row(RowGradient.Kind kind, DType dtype, int[] shape, int[] axes, boolean nan) {
        String name() {
            return kind.label + " " + dtype.label() + Arrays.toString(shape) + " over " + Arrays.toString(axes) + (nan ? " with a NaN" : "");
        }
    }

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        for (RowGradient.Kind kind : RowGradient.Kind.values()) {
            for (int len : new int[] {1, 7, 64, 768, 1000, 3072}) {
                // one row, a few, and more rows than one workgroup serves (short rows share a workgroup)
                int many = Math.max(2, Math.min(600, 120_000 / len));
                for (int rows : new int[] {1, 3, many}) r.add(new Row(kind, DType.F32, new int[] {rows, len}, new int[] {1}, false));
            }
            // a strided axis (columns), several reduced axes, a middle axis
            r.add(new Row(kind, DType.F32, new int[] {300, 9}, new int[] {0}, false));
            r.add(new Row(kind, DType.F32, new int[] {5, 6, 50}, new int[] {1, 2}, false));
            r.add(new Row(kind, DType.F32, new int[] {3, 17, 4}, new int[] {1}, false));
            // batch norm's axes (all but the channel), for the normalisation; softmax takes one axis
            if (kind == RowGradient.Kind.LAYER_NORM) r.add(new Row(kind, DType.F32, new int[] {4, 3, 5, 6}, new int[] {0, 2, 3}, false));
            for (DType half : new DType[] {DType.F16, DType.BF16}) {
                for (int len : new int[] {7, 768}) r.add(new Row(kind, half, new int[] {6, len}, new int[] {1}, false));
            }
            r.add(new Row(kind, DType.F32, new int[] {4, 1000}, new int[] {1}, true));
        }
        return r;
    }

    /** Forward (y, loss = sum(y * c)) and gradient graphs: dx, and for layer norm the weight's gradient. */
    static List<Graph> graphs(Row row) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, dev.jasg.core.Shape.of(row.shape()));
        Tensor c = b.input("c", DType.F32, dev.jasg.core.Shape.of(row.shape()));
        Tensor xt = row.dtype() == DType.F32 ? x : x.cast(row.dtype());
        List<Tensor> wrt = new ArrayList<>(List.of(x));
        Tensor y = switch (row.kind()) {
            case SOFTMAX -> xt.softmax(row.axes()[0]);
            case LOG_SOFTMAX -> xt.logSoftmax(row.axes()[0]);
            case LAYER_NORM -> {
                // an affine normalisation over the axes: g reaching the normalisation is dy * w
                int[] wd = new int[row.shape().length];
                Arrays.fill(wd, 1);
                for (int a : row.axes()) wd[a] = row.shape()[a];
                Tensor w = b.input("w", DType.F32, dev.jasg.core.Shape.of(wd));
                wrt.add(w);
                Tensor wt = row.dtype() == DType.F32 ? w : w.cast(row.dtype());
                yield xt.normalize(row.axes(), 1e-5).mul(wt);
            }
        };
        Tensor y32 = row.dtype() == DType.F32 ? y : y.cast(DType.F32);
        b.output("y", y32);
        Tensor loss = y32.mul(c).sum();
        b.output("loss", loss);
        Graph forward = b.build();
        return List.of(forward, Autograd.gradients(forward, loss, wrt));
    }

    static Map<String, HostTensor> feeds(Row row, Program p) {
        Map<String, HostTensor> f = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(Arrays.hashCode(row.shape()) * 31L + row.kind().ordinal());
        for (var e : p.inputs().entrySet()) {
            int[] d = e.getValue().shape().dims();
            float[] v = new float[(int) e.getValue().shape().size()];
            // log-softmax's inputs spread wider, so that exp(y) covers several decades
            double spread = e.getKey().equals("x") ? (row.kind() == RowGradient.Kind.LOG_SOFTMAX ? 6 : 3) : 2;
            for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * spread + (e.getKey().equals("w") ? 1 : 0));
            if (row.nan() && e.getKey().equals("x")) v[v.length / 2 + 1] = Float.NaN;
            f.put(e.getKey(), HostTensor.of(v, d));
        }
        return f;
    }

    @TestFactory
    Stream<DynamicTest> gradientsMatchTheReference() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            List<Graph> graphs = graphs(row);
            Program p = Program.of(graphs);
            Map<String, HostTensor> feeds = feeds(row, p);
            List<Fusion.Group> fused = Fusion.plan(p, p.bind(feeds), 64).groups().values().stream()
                    .filter(g -> g.rows() != null && g.rows().kind() == row.kind()).toList();
            assertEquals(1, fused.size(), row.name() + ": the plan should compute the gradient in one row kernel");
            // layer norm's g is dy * w, read by the pattern alone: the kernel computes it instead of reading it (w over trailing axes
            // is a bias row; over batch norm's axes it is no block Fusion indexes, and g is read)
            boolean trailing = row.axes()[0] == row.shape().length - row.axes().length;
            if (row.kind() == RowGradient.Kind.LAYER_NORM && trailing) assertTrue(fused.get(0).rows().gTree() != null, row.name() + ": g's tree in the kernel");
            double tol = Math.max(F32_TOL, OpCheck.dtypeTolerance(graphs));
            Map<String, HostTensor> want = new TreeMap<>();
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(graphs.toArray(Graph[]::new))) {
                Outputs o = e.run(feeds);
                for (String n : o.names()) want.put(n, o.get(n));
            }
            try (Executable e = gpu.compile(graphs.toArray(Graph[]::new))) {
                Outputs o = e.run(feeds);
                Map<String, float[]> first = new TreeMap<>();
                for (String n : want.keySet()) {
                    if (n.equals("loss")) continue;  // a sum over everything: its own reduction, not this kernel
                    assertClose(row.name() + ": " + n, want.get(n), o.get(n), tol);
                    first.put(n, o.get(n).floats());
                }
                if (row.nan()) assertNaNRow(row, o.get("grad:x"));
                Outputs again = e.run(feeds);
                for (var f : first.entrySet()) assertArrayEquals(f.getValue(), again.get(f.getKey()).floats(), row.name() + ": " + f.getKey() + " run twice");
            }
        }));
    }

    /**
     * The op table's comparison (OpCheck): within {@code tol * (|want| + scale)}, the scale the largest finite magnitude (at
     * least 1), NaN where the reference has NaN, infinities exactly.
     */
    static void assertClose(String what, HostTensor want, HostTensor got, double tol) {
        assertEquals(want.shape(), got.shape(), what + ": shape");
        double scale = 1;
        for (int i = 0; i < want.size(); i++) if (Double.isFinite(want.get(i))) scale = Math.max(scale, Math.abs(want.get(i)));
        for (int i = 0; i < want.size(); i++) {
            double w = want.get(i), g = got.get(i);
            boolean same = (Double.isNaN(w) && Double.isNaN(g)) || w == g || (Double.isFinite(w) && Double.isFinite(g) && Math.abs(w - g) <= tol * (Math.abs(w) + scale));
            if (!same) throw new AssertionError(String.format("%s: element %d = %.9g, reference %.9g (tolerance %.1g relative)", what, i, g, w, tol));
        }
    }

    /** The NaN's row is NaN in dx everywhere: every element of it reads the row's sums (the reference comparison checks it too). */
    private static void assertNaNRow(Row row, HostTensor dx) {
        int nanAt = (int) (dx.size() / 2 + 1), len = row.shape()[1];
        for (int j = 0; j < len; j++) {
            double v = dx.get(nanAt / len * len + j);
            if (!Double.isNaN(v)) throw new AssertionError(row.name() + ": dx[" + j + "] of the NaN's row is " + v);
        }
    }
}
