package dev.jasg.testkit;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.Backend;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;
import dev.jasg.core.reference.ReferenceBackend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The three checks every op-table row gets: its shape rule, its gradient against central
 * differences in double precision on the reference interpreter, and a backend against
 * the reference on the forward and the gradient graph.
 */
public final class OpCheck {
    /** Central-difference step; the reference computes in double, so truncation error is ~h^2. */
    static final double H = 1e-6;
    static final double GRAD_ATOL = 1e-6, GRAD_RTOL = 1e-5;
    /** f32 backends against the double reference: relative 2e-5 plus the same times the tensor's scale. */
    static final double BACKEND_TOL = 2e-5;
    /** Relative tolerance of graphs with F16 nodes (one f16 ulp is 2^-11, about 4.9e-4). */
    static final double F16_TOL = 1e-3;
    /** Relative tolerance of graphs with BF16 nodes (one bf16 ulp is 2^-8, about 3.9e-3). */
    static final double BF16_TOL = 1e-2;

    private OpCheck() {}

    /** A row built into a forward graph (outputs "y" and, for float results, a weighted "loss") and its gradient graph. */
    public record Built(OpCase row, Graph forward, Graph gradient, Tensor y, List<String> wrtNames, Map<String, HostTensor> feeds) {}

    /**
     * Builds the row. The loss is {@code sum(y * W)} with a fixed random W, so the gradient
     * check sees every component of the VJP rather than only their sum.
     */
    public static Built build(OpCase row) {
        GraphBuilder g = new GraphBuilder();
        List<Tensor> args = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(row.name().hashCode());
        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        for (OpCase.Arg a : row.args()) {
            args.add(g.input(a.name(), a.dtype(), a.declared()));
            feeds.put(a.name(), a.sample(r));
        }
        Tensor y = row.body().build(g, args);
        g.output("y", y);
        Graph grad = null;
        List<String> wrt = new ArrayList<>();
        if (y.dtype().isFloat()) {
            // the loss of a half result is taken in f32, as autocast keeps losses
            Tensor y32 = y.dtype().isHalf() ? y.cast(DType.F32) : y;
            Shape concrete = y.shape().isConcrete() ? y.shape() : null;
            Tensor w;
            if (concrete != null) {
                double[] wv = new double[concrete.sizeInt()];
                for (int i = 0; i < wv.length; i++) wv[i] = (float) (0.5 + r.nextDouble());
                w = g.constant(HostTensor.fromDoubles(DType.F32, concrete, wv));
            } else {
                w = y32.mul(0).add(1).add(y32.mul(0).add(0.5)).mul(0.8);
            }
            Tensor loss = y32.mul(w).sum();
            g.output("loss", loss);
            List<Tensor> wrtT = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                if (row.args().get(i).differentiable()) {
                    wrtT.add(args.get(i));
                    wrt.add(row.args().get(i).name());
                }
            }
            Graph fwd = g.build();
            for (Node n : fwd.parameters().values()) {
                if (((Op.Parameter) n.op()).trainable()) {
                    wrtT.add(g.tensor(n.id()));
                    wrt.add(((Op.Parameter) n.op()).name());
                }
            }
            if (!wrtT.isEmpty()) grad = Autograd.gradients(fwd, loss, wrtT);
            return new Built(row, fwd, grad, y, wrt, feeds);
        }
        return new Built(row, g.build(), null, y, wrt, feeds);
    }

    /** Checks that inference gave the expected shape and that the reference produces a result of that shape. */
    public static void shape(OpCase row) {
        Built b = build(row);
        if (!b.y().shape().equals(row.expected())) {
            throw new AssertionError(row.name() + ": inferred shape " + b.y().shape() + ", expected " + row.expected());
        }
        try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(b.forward())) {
            HostTensor y = e.run(b.feeds()).get("y");
            Shape bound = b.forward().output("y").shape();
            if (y.shape().rank() != bound.rank()) throw new AssertionError(row.name() + ": reference gave " + y.shape() + " for " + bound);
            for (int i = 0; i < bound.rank(); i++) {
                if (!bound.isSymbolic(i) && bound.dim(i) != y.shape().dim(i)) {
                    throw new AssertionError(row.name() + ": reference gave " + y.shape() + " for " + bound);
                }
            }
        }
    }

    /** True when the row has a gradient to check. */
    public static boolean hasGradient(OpCase row) {
        return row.noGradientCheck() == null && build(row).gradient() != null;
    }

    /** Checks every gradient of the row against central differences of the loss, in double precision. */
    public static void gradient(OpCase row) {
        Built b = build(row);
        if (b.gradient() == null) throw new AssertionError(row.name() + ": no float result, nothing to differentiate");
        try (ReferenceBackend ref = new ReferenceBackend()) {
            Parameters params = ref.newParameters(7);
            try (Executable both = ref.compile(params, b.forward(), b.gradient()); Executable fwd = ref.compile(params, b.forward())) {
                Outputs out = both.run(b.feeds());
                for (String name : b.wrtNames()) {
                    double[] analytic = out.get("grad:" + name).toDoubles();
                    boolean isParam = !b.feeds().containsKey(name);
                    HostTensor base = isParam ? params.get(name) : b.feeds().get(name);
                    double[] x = base.toDoubles();
                    if (analytic.length != x.length) {
                        throw new AssertionError(row.name() + ": gradient of " + name + " has " + analytic.length + " elements, value has " + x.length);
                    }
                    for (int i = 0; i < x.length; i++) {
                        double keep = x[i];
                        x[i] = keep + H;
                        double lp = loss(fwd, params, b, name, isParam, base, x);
                        x[i] = keep - H;
                        double lm = loss(fwd, params, b, name, isParam, base, x);
                        x[i] = keep;
                        double numeric = (lp - lm) / (2 * H);
                        if (Math.abs(numeric - analytic[i]) > GRAD_ATOL + GRAD_RTOL * Math.abs(numeric)) {
                            throw new AssertionError(String.format("%s: d loss / d %s[%d]: autograd %.10g, central difference %.10g",
                                    row.name(), name, i, analytic[i], numeric));
                        }
                    }
                    if (isParam) params.set(name, base);
                }
            }
        }
    }

    private static double loss(Executable fwd, Parameters params, Built b, String name, boolean isParam, HostTensor base, double[] x) {
        HostTensor v = HostTensor.fromDoubles(DType.F64, base.shape(), x);
        if (isParam) {
            params.set(name, v);
            return fwd.run(b.feeds()).scalar("loss");
        }
        Map<String, HostTensor> feeds = new LinkedHashMap<>(b.feeds());
        feeds.put(name, v);
        return fwd.run(feeds).scalar("loss");
    }

    /**
     * Runs the row's forward and gradient graphs on {@code backend} and on the reference with
     * the same inputs and initial parameters, and compares every output.
     */
    public static void againstReference(Backend backend, OpCase row) {
        Built b = build(row);
        List<Graph> graphs = b.gradient() == null ? List.of(b.forward()) : List.of(b.forward(), b.gradient());
        try (ReferenceBackend ref = new ReferenceBackend()) {
            Parameters rp = ref.newParameters(11), bp = backend.newParameters(11);
            try (Executable re = ref.compile(rp, graphs); Executable be = backend.compile(bp, graphs)) {
                for (String p : rp.names()) bp.set(p, rp.get(p));
                Outputs ro = re.run(b.feeds()), bo = be.run(b.feeds());
                double tol = Math.max(BACKEND_TOL * row.tolerance(), dtypeTolerance(graphs));
                for (String name : ro.names()) {
                    compare(row, backend.name(), name, ro.get(name), bo.get(name), tol);
                }
            }
        }
    }

    /**
     * The relative tolerance the half types need in {@code graphs}: a backend computing in f32 and the
     * reference computing in double may round a value on either side of a half grid point, one unit
     * in the last place (2^-11 for F16, 2^-8 for BF16) that later ops carry on. 1e-2 with a BF16
     * node, 1e-3 with an F16 node, else 0.
     */
    public static double dtypeTolerance(List<Graph> graphs) {
        double tol = 0;
        for (Graph g : graphs) {
            for (Node n : g.allNodes()) {
                if (n.dtype() == DType.BF16) tol = Math.max(tol, BF16_TOL);
                else if (n.dtype() == DType.F16) tol = Math.max(tol, F16_TOL);
            }
        }
        return tol;
    }

    private static void compare(OpCase row, String backend, String output, HostTensor want, HostTensor got, double tol) {
        if (!want.shape().equals(got.shape())) {
            throw new AssertionError(row.name() + ": " + backend + " output " + output + " has shape " + got.shape() + ", reference " + want.shape());
        }
        // the scale of the finite values: an infinity must be matched exactly, not widen every other element's tolerance
        double scale = 1;
        for (int i = 0; i < want.size(); i++) if (Double.isFinite(want.get(i))) scale = Math.max(scale, Math.abs(want.get(i)));
        for (int i = 0; i < want.size(); i++) {
            double w = want.get(i), g = got.get(i);
            boolean same = (Double.isNaN(w) && Double.isNaN(g)) || w == g
                    || (Double.isFinite(w) && Double.isFinite(g) && Math.abs(w - g) <= tol * (Math.abs(w) + scale));
            if (!same) {
                throw new AssertionError(String.format("%s: %s output %s[%d] = %.9g, reference %.9g (tolerance %.1g relative)",
                        row.name(), backend, output, i, g, w, tol));
            }
        }
    }

    /** The coverage keys of every op of the sealed hierarchy, e.g. {@code unary:exp}, {@code matmul}. */
    public static TreeSet<String> allKeys() {
        TreeSet<String> keys = new TreeSet<>();
        for (Class<?> c : Op.class.getPermittedSubclasses()) {
            String k = c.getSimpleName();
            switch (k) {
                case "Unary" -> { for (UnaryOp u : UnaryOp.values()) keys.add("unary:" + u.label()); }
                case "Binary" -> { for (BinaryOp u : BinaryOp.values()) keys.add("binary:" + u.label()); }
                case "Compare" -> { for (CompareOp u : CompareOp.values()) keys.add("compare:" + u.label()); }
                case "Reduce" -> { for (ReduceOp u : ReduceOp.values()) keys.add("reduce:" + u.label()); }
                case "ArgReduce" -> { for (ArgReduceOp u : ArgReduceOp.values()) keys.add("argreduce:" + u.label()); }
                case "Linalg" -> { for (dev.jasg.core.LinalgOp u : dev.jasg.core.LinalgOp.values()) keys.add("linalg:" + u.label()); }
                default -> keys.add(k.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return keys;
    }

    /** The coverage keys of the ops a row's forward graph contains. */
    public static TreeSet<String> keysOf(OpCase row) {
        TreeSet<String> keys = new TreeSet<>();
        for (Node n : build(row).forward().allNodes()) keys.add(key(n.op()));
        return keys;
    }

    static String key(Op op) {
        return switch (op) {
            case Op.Unary u -> "unary:" + u.kind().label();
            case Op.Binary b -> "binary:" + b.kind().label();
            case Op.Compare c -> "compare:" + c.kind().label();
            case Op.Reduce r -> "reduce:" + r.kind().label();
            case Op.ArgReduce a -> "argreduce:" + a.kind().label();
            case Op.Linalg l -> "linalg:" + l.kind().label();
            default -> op.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
