package dev.jasg.autograd;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Autograd#vjp} (a cotangent for a non-scalar output) and {@link Autograd#jvp} (forward mode), checked
 * against each other and against central differences in double precision, over elementwise, matmul,
 * reduction and normalisation functions of two inputs (issue 14, autograd).
 */
class ForwardModeTest {
    private static final double H = 1e-6;

    record Row(String name, Function<Tensor[], Tensor> f, Shape a, Shape b) {}

    static final List<Row> ROWS = List.of(
            new Row("elementwise tanh(a) * exp(b)", x -> x[0].tanh().mul(x[1].exp()), Shape.of(2, 3), Shape.of(2, 3)),
            new Row("broadcast a / (1 + b^2)", x -> x[0].div(x[1].square().add(1)), Shape.of(2, 3), Shape.of(3)),
            new Row("matmul then gelu", x -> x[0].matmul(x[1]).gelu(), Shape.of(2, 3), Shape.of(3, 4)),
            new Row("batched matmul", x -> x[0].matmul(x[1]), Shape.of(2, 2, 3), Shape.of(2, 3, 2)),
            new Row("sum over an axis of a * b", x -> x[0].mul(x[1]).sum(1), Shape.of(3, 4), Shape.of(3, 4)),
            new Row("mean and max over axes", x -> x[0].mean(0).add(x[1].max(1, false)), Shape.of(3, 4), Shape.of(4, 3)),
            new Row("softmax of a + b", x -> x[0].add(x[1]).softmax(1), Shape.of(2, 4), Shape.of(2, 4)),
            new Row("scalar: log-sum of squares", x -> x[0].square().sum().add(x[1].sigmoid().sum()).log(), Shape.of(2, 3), Shape.of(3)));

    private static HostTensor random(Random r, Shape s) {
        return GradCheck.random(r, s, -1.2, 1.2);
    }

    /** f at the feeds, flattened. */
    private static double[] eval(Row row, HostTensor a, HostTensor b) {
        GraphBuilder g = new GraphBuilder();
        Tensor[] x = {g.input("a", DType.F64, row.a()), g.input("b", DType.F64, row.b())};
        g.output("y", row.f().apply(x));
        return GradCheck.run(g.build(), Map.of("a", a, "b", b)).get("y");
    }

    private static HostTensor plus(HostTensor x, HostTensor v, double h) {
        double[] d = x.toDoubles(), e = v.toDoubles();
        for (int i = 0; i < d.length; i++) d[i] += h * e[i];
        return HostTensor.ofDoubles(d, x.shape().dims());
    }

    @TestFactory
    Stream<DynamicTest> jvpMatchesCentralDifferencesAndTheReverseMode() {
        return ROWS.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Random r = new Random(row.name().hashCode());
            HostTensor a = random(r, row.a()), b = random(r, row.b()), va = random(r, row.a()), vb = random(r, row.b());
            GraphBuilder g = new GraphBuilder();
            Tensor[] x = {g.input("a", DType.F64, row.a()), g.input("b", DType.F64, row.b())};
            Tensor y = row.f().apply(x);
            g.output("y", y);
            Graph fwd = g.build();
            Graph j = Autograd.jvp(fwd, y, List.of(x[0], x[1]), List.of("va", "vb"));
            double[] jv = GradCheck.run(j, Map.of("a", a, "b", b, "va", va, "vb", vb)).get("jvp");

            // central differences along (va, vb)
            double[] p = eval(row, plus(a, va, H), plus(b, vb, H)), m = eval(row, plus(a, va, -H), plus(b, vb, -H));
            assertEquals(p.length, jv.length, row.name() + ": jvp size");
            for (int i = 0; i < jv.length; i++) {
                double numeric = (p[i] - m[i]) / (2 * H);
                assertEquals(numeric, jv[i], 1e-6 + 1e-5 * Math.abs(numeric), row.name() + ": (J v)[" + i + "] against central differences");
            }

            // reverse mode: (J v)_i = e_i^T J v, one vjp with the unit cotangent e_i for each output element
            Graph back = Autograd.vjp(fwd, y, List.of(x[0], x[1]), "u");
            for (int i = 0; i < jv.length; i++) {
                double[] e = new double[jv.length];
                e[i] = 1;
                Map<String, HostTensor> feeds = new LinkedHashMap<>(Map.of("a", a, "b", b));
                feeds.put("u", HostTensor.ofDoubles(e, y.shape().dims()));
                Map<String, double[]> g1 = GradCheck.run(back, feeds);
                double dot = dot(g1.get("grad:a"), va.toDoubles()) + dot(g1.get("grad:b"), vb.toDoubles());
                assertEquals(dot, jv[i], 1e-10 + 1e-10 * Math.abs(dot), row.name() + ": (J v)[" + i + "] against the reverse mode");
            }
        }));
    }

    @Test
    void vjpWithACotangentIsTheGradientOfTheWeightedSum() {
        Random r = new Random(5);
        HostTensor a = random(r, Shape.of(3, 4)), w = random(r, Shape.of(4, 2)), v = random(r, Shape.of(3, 2));
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("a", DType.F64, "B", 4), wt = g.input("w", DType.F64, 4, 2);
        Tensor y = x.matmul(wt).tanh();
        g.output("y", y);
        Graph fwd = g.build();
        Map<String, double[]> viaVjp = GradCheck.run(Autograd.vjp(fwd, y, List.of(x, wt), "v"), Map.of("a", a, "w", w, "v", v));

        GraphBuilder h = new GraphBuilder();
        Tensor x2 = h.input("a", DType.F64, "B", 4), w2 = h.input("w", DType.F64, 4, 2), v2 = h.input("v", DType.F64, "B", 2);
        Tensor loss = x2.matmul(w2).tanh().mul(v2).sum();
        h.output("loss", loss);
        Graph f2 = h.build();
        Map<String, double[]> viaSum = GradCheck.run(Autograd.gradients(f2, loss, List.of(x2, w2)), Map.of("a", a, "w", w, "v", v));
        for (String k : List.of("grad:a", "grad:w")) {
            double[] want = viaSum.get(k), got = viaVjp.get(k);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-12, k + "[" + i + "]");
        }
    }

    @Test
    void namesAreChecked() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 3);
        Tensor y = x.exp();
        g.output("y", y);
        Graph fwd = g.build();
        assertThrows(IllegalArgumentException.class, () -> Autograd.vjp(fwd, y, List.of(x), "x"));
        assertThrows(IllegalArgumentException.class, () -> Autograd.jvp(fwd, y, List.of(x), List.of()));
        assertThrows(IllegalArgumentException.class, () -> Autograd.jvp(fwd, y, List.of(x), List.of("x")));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
