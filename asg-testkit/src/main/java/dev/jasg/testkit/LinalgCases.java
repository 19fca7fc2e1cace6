package dev.jasg.testkit;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Linalg;
import dev.jasg.core.LinalgException;
import dev.jasg.core.LinalgOp;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks of the {@link LinalgOp}s that every backend runs besides their op-table rows: values against
 * {@code torch.linalg} (the committed fixture {@code linalg/linalg_torch.txt}, written by
 * {@code linalg/make_fixtures.py}, which holds QR's LAPACK signs and the normalised eigh/svd signs),
 * the run-time errors (singular solve/inv, cholesky of an indefinite matrix) and NaN propagation.
 */
public final class LinalgCases {
    /** f32 backends against PyTorch's float64: relative to the result's scale. */
    public static final double F32_TOLERANCE = 1e-5;

    private LinalgCases() {}

    /** One fixture line: {@code op} of {@code a} (and {@code b}) gave {@code out}. */
    public record Case(String name, LinalgOp op, HostTensor a, HostTensor b, HostTensor out) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every case of the PyTorch fixture. */
    public static List<Case> torchCases() {
        List<Case> cases = new ArrayList<>();
        var in = LinalgCases.class.getResourceAsStream("linalg/linalg_torch.txt");
        if (in == null) throw new IllegalStateException("linalg/linalg_torch.txt is missing from the testkit's resources");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] parts = line.split("\\|");
                String[] head = parts[0].trim().split(" ");
                cases.add(new Case(head[0], LinalgOp.valueOf(head[1]), tensor(parts[1]), parts[2].trim().equals("-") ? null : tensor(parts[2]),
                        tensor(parts[3])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    private static HostTensor tensor(String text) {
        String[] sides = text.split(":");
        String dims = sides[0].trim();
        int[] d = dims.isEmpty() ? new int[0] : Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
        String values = sides[1].trim();
        double[] v = values.isEmpty() ? new double[0] : Arrays.stream(values.split(" ")).mapToDouble(Double::parseDouble).toArray();
        return HostTensor.fromDoubles(DType.F64, Shape.of(d), v);
    }

    /** Runs {@code c} on {@code backend} (f32 inputs, or f64 on the reference) and compares with PyTorch's values. */
    public static void check(Backend backend, Case c, double tolerance) {
        boolean f64 = backend.name().equals("reference");
        DType t = f64 ? DType.F64 : DType.F32;
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", t, c.a().shape());
        Tensor y = c.b() == null ? g.apply(new Op.Linalg(c.op()), a) : g.apply(new Op.Linalg(c.op()), a, g.input("b", t, c.b().shape()));
        g.output("y", y);
        Map<String, HostTensor> feeds = c.b() == null ? Map.of("a", as(t, c.a())) : Map.of("a", as(t, c.a()), "b", as(t, c.b()));
        try (Executable e = backend.compile(g.build())) {
            HostTensor got = e.run(feeds).get("y");
            if (!got.shape().equals(c.out().shape())) throw new AssertionError(c.name() + ": shape " + got.shape() + ", PyTorch " + c.out().shape());
            double scale = 1;
            for (int i = 0; i < c.out().size(); i++) scale = Math.max(scale, Math.abs(c.out().get(i)));
            for (int i = 0; i < c.out().size(); i++) {
                double w = c.out().get(i), v = got.get(i);
                if (!(Math.abs(w - v) <= tolerance * scale)) {
                    throw new AssertionError(String.format("%s on %s: [%d] = %.9g, PyTorch %.9g", c.name(), backend.name(), i, v, w));
                }
            }
        }
    }

    private static HostTensor as(DType t, HostTensor x) {
        return HostTensor.fromDoubles(t, x.shape(), x.toDoubles());
    }

    /** A typed error naming the op and the node for a singular solve/inv and an indefinite cholesky; det of a singular matrix is 0. */
    public static void errors(Backend backend) {
        float[] singular = {1, 2, 2, 4, 3, 0, 0, 3}; // batch of two: the first is singular
        expectError(backend, LinalgOp.INV, singular, "singular", "matrix 0");
        expectError(backend, LinalgOp.SOLVE, singular, "singular", "matrix 0");
        float[] indefinite = {4, 0, 0, 1, 1, 0, 2, -3}; // the second's lower triangle is [[1, 2], [2, -3]]
        expectError(backend, LinalgOp.CHOLESKY, indefinite, "not positive-definite", "matrix 1");
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 2, 2);
        Linalg.Slogdet s = Linalg.slogdet(a);
        g.output("det", Linalg.det(a));
        g.output("sign", s.sign());
        g.output("logabs", s.logabsdet());
        try (Executable e = backend.compile(g.build())) {
            var out = e.run(Map.of("a", HostTensor.of(singular, 2, 2, 2)));
            expect(backend, "det of a singular matrix", out.get("det").get(0), 0);
            expect(backend, "slogdet sign of a singular matrix", out.get("sign").get(0), 0);
            expect(backend, "slogdet logabsdet of a singular matrix", out.get("logabs").get(0), Double.NEGATIVE_INFINITY);
            expect(backend, "det of diag(3, 3)", out.get("det").get(1), 9);
        }
    }

    private static void expectError(Backend backend, LinalgOp op, float[] values, String problem, String which) {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 2, 2);
        Tensor y;
        try (var scope = g.scope("layer")) {
            y = op == LinalgOp.SOLVE ? Linalg.solve(a, g.input("b", DType.F32, 2, 2, 1)) : g.apply(new Op.Linalg(op), a);
        }
        g.output("y", y);
        Map<String, HostTensor> feeds = op == LinalgOp.SOLVE
                ? Map.of("a", HostTensor.of(values, 2, 2, 2), "b", HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2, 1))
                : Map.of("a", HostTensor.of(values, 2, 2, 2));
        try (Executable e = backend.compile(g.build())) {
            e.run(feeds).get("y");
            throw new AssertionError(backend.name() + ": linalg." + op.label() + " gave no error for a " + problem + " matrix");
        } catch (LinalgException ex) {
            String m = ex.getMessage();
            if (!m.contains("linalg." + op.label()) || !m.contains(problem) || !m.contains(which) || !m.contains("%" + y.id()) || !m.contains("layer/")) {
                throw new AssertionError(backend.name() + ": the message does not name the op, problem, matrix and node: " + m);
            }
            if (ex.node() != y.id()) throw new AssertionError(backend.name() + ": error at node " + ex.node() + ", expected " + y.id());
        }
    }

    /** A NaN in one matrix of a batch makes that matrix's results NaN (no error) and leaves the other's alone. */
    public static void nanPropagates(Backend backend) {
        for (LinalgOp op : LinalgOp.values()) {
            GraphBuilder g = new GraphBuilder();
            Tensor a = g.input("a", DType.F32, 2, 2, 2);
            Tensor y = op == LinalgOp.SOLVE ? g.apply(new Op.Linalg(op), a, g.input("b", DType.F32, 2, 2, 1)) : g.apply(new Op.Linalg(op), a);
            g.output("y", y);
            float[] values = {Float.NaN, 1, 1, 2, 2, 1, 1, 3};
            Map<String, HostTensor> feeds = op == LinalgOp.SOLVE
                    ? Map.of("a", HostTensor.of(values, 2, 2, 2), "b", HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2, 1))
                    : Map.of("a", HostTensor.of(values, 2, 2, 2));
            try (Executable e = backend.compile(g.build())) {
                HostTensor out = e.run(feeds).get("y");
                int per = out.size() / 2;
                for (int i = 0; i < per; i++) {
                    if (!Double.isNaN(out.get(i))) throw new AssertionError(backend.name() + ": linalg." + op.label() + "[" + i + "] of a NaN matrix is " + out.get(i));
                    if (!Double.isFinite(out.get(per + i))) {
                        throw new AssertionError(backend.name() + ": linalg." + op.label() + " of the finite matrix gave " + out.get(per + i));
                    }
                }
            }
        }
    }

    private static void expect(Backend backend, String what, double got, double want) {
        if (!(got == want || Math.abs(got - want) <= 1e-5 * Math.abs(want))) throw new AssertionError(backend.name() + ": " + what + " = " + got + ", expected " + want);
    }
}
