package dev.jasg.nn.loss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The issue-14 losses under every reduction, and their input gradients, against the values PyTorch computed
 * ({@code losses_fixtures.json}, written by {@code optim/make_optim_fixtures.py}), on the reference and CPU backends.
 */
class LossFixturesTest {
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = LossFixturesTest.class.getResourceAsStream("losses_fixtures.json")) {
            fixtures = new ObjectMapper().readTree(in).get("losses");
        }
    }

    interface LossFn {
        Tensor apply(Tensor[] x, Reduction r, JsonNode fixture);
    }

    /** A fixture, which inputs are integer, which get gradients, and the JASG call. */
    record Case(String name, boolean[] integer, int[] gradOf, LossFn loss) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }

    private static final BiFunction<Tensor, Tensor, Tensor> COSINE_DISTANCE = (u, v) ->
            u.mul(v).sum(-1).div(u.square().sum(-1).sqrt().mul(v.square().sum(-1).sqrt())).rsub(1);

    static Stream<Case> cases() {
        boolean[] ff = {false, false}, fi = {false, true}, fff = {false, false, false};
        return Stream.of(
                new Case("soft_margin", ff, new int[] {0}, (x, r, f) -> Losses.softMargin(x[0], x[1], r)),
                new Case("multilabel_margin", fi, new int[] {0}, (x, r, f) -> Losses.multilabelMargin(x[0], x[1], r)),
                new Case("multilabel_soft_margin", ff, new int[] {0}, (x, r, f) -> Losses.multilabelSoftMargin(x[0], x[1], null, r)),
                new Case("multilabel_soft_margin_weight", fff, new int[] {0}, (x, r, f) -> Losses.multilabelSoftMargin(x[0], x[1], x[2], r)),
                new Case("poisson_nll", ff, new int[] {0}, (x, r, f) -> Losses.poissonNll(x[0], x[1], true, false, 1e-8, r)),
                new Case("poisson_nll_full", ff, new int[] {0}, (x, r, f) -> Losses.poissonNll(x[0], x[1], true, true, 1e-8, r)),
                new Case("poisson_nll_rate", ff, new int[] {0}, (x, r, f) -> Losses.poissonNll(x[0], x[1], false, true, 1e-3, r)),
                new Case("gaussian_nll", fff, new int[] {0, 2}, (x, r, f) -> Losses.gaussianNll(x[0], x[1], x[2], false, 1e-6, r)),
                new Case("gaussian_nll_full_eps", fff, new int[] {0, 2}, (x, r, f) -> Losses.gaussianNll(x[0], x[1], x[2], true, 0.1, r)),
                new Case("gaussian_nll_var_n", fff, new int[] {0, 2}, (x, r, f) -> Losses.gaussianNll(x[0], x[1], x[2], false, 1e-6, r)),
                new Case("gaussian_nll_var_n1", fff, new int[] {0, 2}, (x, r, f) -> Losses.gaussianNll(x[0], x[1], x[2], false, 1e-6, r)),
                new Case("triplet_distance_default", fff, new int[] {0, 1, 2},
                        (x, r, f) -> Losses.tripletMarginWithDistance(x[0], x[1], x[2], null, 1.0, false, r)),
                new Case("triplet_distance_cos_swap", fff, new int[] {0, 1, 2},
                        (x, r, f) -> Losses.tripletMarginWithDistance(x[0], x[1], x[2], COSINE_DISTANCE, 0.5, true, r)),
                new Case("ctc", fi, new int[] {0}, (x, r, f) -> ctc(x, r, f, 0, false)),
                new Case("ctc_zero_infinity", fi, new int[] {0}, (x, r, f) -> ctc(x, r, f, 0, true)),
                new Case("ctc_blank3", fi, new int[] {0}, (x, r, f) -> ctc(x, r, f, 3, false)));
    }

    /** torch's fixture feeds logits; the loss takes their log-softmax, as the generator did. */
    private static Tensor ctc(Tensor[] x, Reduction r, JsonNode f, int blank, boolean zeroInfinity) {
        return Losses.ctcLoss(x[0].logSoftmax(2), x[1], ints(f.get("input_lengths")), ints(f.get("target_lengths")), blank, r, zeroInfinity);
    }

    /** A nested JSON array as a host tensor (F32, or I32 for integer inputs). */
    private static HostTensor tensor(JsonNode a, boolean integer) {
        List<Integer> dims = new ArrayList<>();
        List<Double> flat = new ArrayList<>();
        flatten(a, 0, dims, flat);
        int[] d = dims.stream().mapToInt(Integer::intValue).toArray();
        double[] v = flat.stream().mapToDouble(Double::doubleValue).toArray();
        return HostTensor.fromDoubles(integer ? DType.I32 : DType.F32, Shape.of(d), v);
    }

    private static void flatten(JsonNode a, int depth, List<Integer> dims, List<Double> flat) {
        if (!a.isArray()) {
            flat.add(a.asDouble());
            return;
        }
        if (dims.size() == depth) dims.add(a.size());
        for (JsonNode e : a) flatten(e, depth + 1, dims, flat);
    }

    private static List<Double> flat(JsonNode a) {
        List<Double> out = new ArrayList<>();
        flatten(a, 0, new ArrayList<>(), out);
        return out;
    }

    private static void close(String what, double want, double got) {
        if (Double.isInfinite(want) && want == got) return;
        if (!(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)))) fail(what + " is " + got + ", torch " + want);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valuesAndGradientsMatchTorch(Case c) {
        JsonNode f = fixtures.get(c.name());
        if (f == null) fail("no fixture " + c.name());
        JsonNode ins = f.get("inputs");
        HostTensor[] host = new HostTensor[ins.size()];
        for (int i = 0; i < host.length; i++) host[i] = tensor(ins.get(i), i < c.integer().length && c.integer()[i]);
        for (Backend backend : LossHarness.BACKENDS) {
            for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
                GraphBuilder g = new GraphBuilder();
                Tensor[] xs = new Tensor[host.length];
                Map<String, HostTensor> feeds = new HashMap<>();
                for (int i = 0; i < host.length; i++) {
                    xs[i] = g.input("x" + i, host[i].dtype(), host[i].shape());
                    feeds.put("x" + i, host[i]);
                }
                Tensor l = c.loss().apply(xs, r, f);
                g.output("loss", l);
                Graph fwd = g.build();
                String key = r.name().toLowerCase();
                String at = c.name() + " " + key + " on " + backend.name();
                if (r == Reduction.NONE) {
                    try (Executable e = backend.compile(fwd)) {
                        double[] got = e.run(feeds).get("loss").toDoubles();
                        List<Double> want = flat(f.get(key));
                        if (want.size() != got.length) fail(at + ": " + got.length + " values, torch " + want.size());
                        for (int i = 0; i < got.length; i++) close(at + " element " + i, want.get(i), got[i]);
                    }
                    continue;
                }
                List<Tensor> wrt = new ArrayList<>();
                for (int i : c.gradOf()) wrt.add(xs[i]);
                Graph grad = Autograd.gradients(fwd, l, wrt);
                try (Executable e = backend.compile(fwd, grad)) {
                    Outputs out = e.run(feeds);
                    close(at, f.get(key).asDouble(), out.scalar("loss"));
                    for (int k = 0; k < c.gradOf().length; k++) {
                        double[] got = out.get("grad:x" + c.gradOf()[k]).toDoubles();
                        List<Double> want = flat(f.get("grad_" + key).get(k));
                        for (int i = 0; i < got.length; i++) close(at + " d/dx" + c.gradOf()[k] + "[" + i + "]", want.get(i), got[i]);
                    }
                }
            }
        }
    }

    @Test
    void everyFixtureHasACase() {
        TreeSet<String> names = new TreeSet<>();
        fixtures.fieldNames().forEachRemaining(names::add);
        cases().forEach(c -> names.remove(c.name()));
        assertTrue(names.isEmpty(), "fixtures without a case: " + names);
    }

    @Test
    void badShapesAreRefused() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, 3), v = g.input("v", DType.F32, 3), t = g.input("t", DType.I32, 2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> Losses.gaussianNll(x, x, v));
        assertTrue(e.getMessage().contains("gaussian_nll_loss") && e.getMessage().contains("[3]"), e.getMessage());
        assertThrows(ShapeException.class, () -> Losses.multilabelMargin(x, x));
        Tensor lp = g.input("lp", DType.F32, 4, 2, 3);
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                () -> Losses.ctcLoss(lp, t, new int[] {4, 5}, new int[] {1, 1}));
        assertTrue(a.getMessage().contains("input_lengths[1] = 5"), a.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.tripletMarginWithDistance(x, x, x, null, 0, false, Reduction.MEAN));
    }
}
