package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Anomaly;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The fused attention ops ({@link AttentionKernels}) against the reference interpreter, as a table of shapes:
 * the forward output, the statistics and the three gradients, each in a plan that shares the work
 * ({@link Fusion}'s rule 6: the forward writes the statistics and keeps the weights, the first gradient computes
 * all three from them) and in an anomaly-mode plan where every node computes alone, which must give the same
 * output and statistics bits and the same gradients within 1e-5 (they recompute the weights as {@code exp(s - lse)}
 * where the shared plan reads the forward's {@code e / sum}).
 *
 * <p>Tolerance {@value #TOL}, relative to {@code max(1, |want|)}: the CPU accumulates in f32 (the products by the
 * GEMM, depth at most 150 here, of unit-variance terms: an error of order {@code sqrt(depth) 2^-24} relative to
 * the terms' magnitudes, 1e-6, with the worst case {@code depth 2^-24 sum|terms|} near 1e-5 for the gradients'
 * sums over 150 queries), the reference in double.
 */
class AttentionKernelsTest {
    static final double TOL = 1e-4;

    /** One row: operand shapes (a negative leading dimension is the symbolic axis {@code B} bound to its absolute value). */
    record Case(String name, int[] q, int[] k, int[] v, boolean causal, DType dtype) {
        @Override
        public String toString() {
            return name + (causal ? " causal" : "") + " " + dtype.label();
        }
    }

    static Stream<Case> cases() {
        Object[][] shapes = {
            {"small", new int[] {2, 3, 5, 4}, new int[] {2, 3, 5, 4}, new int[] {2, 3, 5, 4}},
            {"Lq > Lk", new int[] {2, 7, 4}, new int[] {2, 5, 4}, new int[] {2, 5, 3}},
            {"Lq < Lk", new int[] {2, 5, 4}, new int[] {2, 9, 4}, new int[] {2, 9, 4}},
            {"Lk = 1", new int[] {3, 6, 8}, new int[] {3, 1, 8}, new int[] {3, 1, 5}},
            {"Lq = 1", new int[] {4, 1, 8}, new int[] {4, 6, 8}, new int[] {4, 6, 8}},
            {"E != Ev", new int[] {2, 2, 9, 16}, new int[] {2, 2, 11, 16}, new int[] {2, 2, 11, 7}},
            {"rank 2", new int[] {5, 4}, new int[] {6, 4}, new int[] {6, 3}},
            {"blocks", new int[] {2, 70, 13}, new int[] {2, 67, 13}, new int[] {2, 67, 9}},
            {"key parts", new int[] {1, 3, 100, 8}, new int[] {1, 3, 150, 8}, new int[] {1, 3, 150, 6}},
            {"key parts, Lq < Lk", new int[] {2, 40, 8}, new int[] {2, 200, 8}, new int[] {2, 200, 8}},
            {"parallel", new int[] {4, 2, 96, 32}, new int[] {4, 2, 96, 32}, new int[] {4, 2, 96, 32}},
            {"symbolic batch", new int[] {-3, 2, 33, 8}, new int[] {-3, 2, 33, 8}, new int[] {-3, 2, 33, 8}},
        };
        Stream.Builder<Case> out = Stream.builder();
        for (Object[] s : shapes) {
            for (boolean causal : new boolean[] {false, true}) {
                out.add(new Case((String) s[0], (int[]) s[1], (int[]) s[2], (int[]) s[3], causal, DType.F32));
            }
        }
        out.add(new Case("half", new int[] {2, 9, 8}, new int[] {2, 11, 8}, new int[] {2, 11, 8}, true, DType.F16));
        out.add(new Case("half", new int[] {2, 40, 8}, new int[] {2, 40, 8}, new int[] {2, 40, 8}, false, DType.BF16));
        return out.build();
    }

    /** The graph {@code o = attention(q, k, v)}, {@code lse}, {@code dq, dk, dv} for an output gradient {@code g}, and its feeds. */
    private record Built(Graph graph, Map<String, HostTensor> feeds) {}

    private static Object[] symbolic(int[] d) {
        Object[] s = new Object[d.length];
        for (int i = 0; i < d.length; i++) s[i] = d[i] < 0 ? "B" : d[i];
        return s;
    }

    private static int[] concrete(int[] d) {
        int[] c = d.clone();
        for (int i = 0; i < c.length; i++) c[i] = Math.abs(c[i]);
        return c;
    }

    private static HostTensor random(Random r, DType t, int[] dims) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] x = Cpu.random(r, n);
        return HostTensor.of(t, Shape.of(dims), x);
    }

    static Built build(Case c, long seed, Map<String, HostTensor> override) {
        return build(c, seed, override, -1);
    }

    /** {@link #build} with only gradient {@code only} among the outputs (it then runs alone), or all three when -1. */
    static Built build(Case c, long seed, Map<String, HostTensor> override, int only) {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", c.dtype(), symbolic(c.q())), k = g.input("k", c.dtype(), symbolic(c.k())), v = g.input("v", c.dtype(), symbolic(c.v()));
        int[] od = c.q().clone();
        od[od.length - 1] = c.v()[c.v().length - 1];
        Tensor gr = g.input("g", DType.F32, symbolic(od));
        double scale = 1 / Math.sqrt(c.q()[c.q().length - 1]);
        Tensor o = g.apply(new Op.Attention(scale, c.causal()), q, k, v);
        Tensor lse = g.apply(new Op.AttentionStats(scale, c.causal()), q, k);
        g.output("o", o);
        g.output("lse", lse);
        String[] names = {"dq", "dk", "dv"};
        for (int w = 0; w < 3; w++) {
            if (only < 0 || only == w) g.output(names[w], g.apply(new Op.AttentionGrad(scale, c.causal(), w), q, k, v, o, gr, lse));
        }
        Random r = new Random(seed);
        Map<String, HostTensor> feeds = new HashMap<>();
        feeds.put("q", random(r, c.dtype(), concrete(c.q())));
        feeds.put("k", random(r, c.dtype(), concrete(c.k())));
        feeds.put("v", random(r, c.dtype(), concrete(c.v())));
        feeds.put("g", random(r, DType.F32, concrete(od)));
        feeds.putAll(override);
        return new Built(g.build(), feeds);
    }

    private static final List<String> OUTPUTS = List.of("o", "lse", "dq", "dk", "dv");

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(Case c) {
        Built b = build(c, c.toString().hashCode(), Map.of());
        compare(c.toString(), b, TOL, true);
    }

    /**
     * Runs {@code b} on the reference and on the CPU, shared and alone: NaN and infinities where the reference has
     * them, other values within {@code tol}; with {@code alone} (finite inputs: anomaly mode refuses others), the
     * shared and the alone plan bit for bit equal.
     */
    private static void compare(String name, Built b, double tol, boolean alone) {
        try (Backend ref = new ReferenceBackend(); Backend cpu = new CpuBackend(); var re = ref.compile(b.graph()); var ce = cpu.compile(b.graph())) {
            Outputs want = re.run(b.feeds()), got = ce.run(b.feeds());
            Map<String, float[]> shared = new HashMap<>();
            for (String out : OUTPUTS) {
                if (!b.graph().outputs().containsKey(out)) continue;
                HostTensor w = want.get(out), x = got.get(out);
                assertEquals(w.shape(), x.shape(), name + " " + out);
                assertEquals(DType.F32, x.dtype(), name + " " + out);
                for (int i = 0; i < w.size(); i++) {
                    double a = w.get(i), y = x.get(i);
                    String at = name + " " + out + "[" + i + "]";
                    if (!Double.isFinite(a)) assertEquals(a, y, at);
                    else assertEquals(a, y, tol * Math.max(1, Math.abs(a)), at);
                }
                shared.put(out, x.floats().clone());
            }
            if (!alone) return;
            try (var scope = Anomaly.enable()) {
                Outputs single = ce.run(b.feeds());
                for (String out : OUTPUTS) {
                    float[] x = shared.get(out), y = single.get(out).floats();
                    if (out.equals("o") || out.equals("lse")) {
                        assertArrayEquals(x, y, name + " " + out + ": shared vs alone");
                        continue;
                    }
                    // the gradients of a shared plan read the forward's weights e / sum, an unshared one recomputes exp(s - lse)
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(x[i], y[i], 1e-5 * Math.max(1, Math.abs(x[i])), name + " " + out + "[" + i + "]: shared vs alone");
                    }
                }
            }
        }
    }

    private static void assertArrayEquals(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]), what + " at " + i);
    }

    /**
     * A NaN or infinity in one operand row: the reference's NaN and infinities exactly where it has them,
     * including rows whose masked (never attended) keys hold the NaN, which must stay finite.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nanCases")
    void nonFiniteValuesPropagateAsInTheReference(String name, String operand, int row, float value, boolean causal) {
        Case c = new Case(name, new int[] {2, 45, 8}, new int[] {2, 45, 8}, new int[] {2, 45, 8}, causal, DType.F32);
        Random r = new Random(3);
        int[] d = operand.equals("g") ? new int[] {2, 45, 8} : c.q();
        HostTensor t = random(r, DType.F32, d);
        float[] x = t.floats().clone();
        for (int e = 0; e < 8; e += 3) x[(45 + row) * 8 + e] = value; // matrix 1, the row's elements 0, 3, 6
        Built b = build(c, 9, Map.of(operand, HostTensor.of(x, d)));
        compare(name + (causal ? " causal" : ""), b, TOL, false);
        // each gradient alone (no shared step): the same checks
        for (int w = 0; w < 3; w++) {
            compare(name + (causal ? " causal" : "") + " gradient " + w + " alone", build(c, 9, Map.of(operand, HostTensor.of(x, d)), w), TOL, false);
        }
        try (Backend cpu = new CpuBackend(); var ce = cpu.compile(b.graph())) {
            Outputs got = ce.run(b.feeds());
            float[] o = got.get("o").floats();
            boolean someNaN = false, someFinite = false;
            for (float f : o) {
                someNaN |= Float.isNaN(f);
                someFinite |= Float.isFinite(f);
            }
            assertTrue(someFinite, name + ": matrix 0 stays finite");
            if (!operand.equals("g")) assertTrue(someNaN, name + ": the NaN reaches the output");
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> nanCases() {
        Stream.Builder<org.junit.jupiter.params.provider.Arguments> out = Stream.builder();
        for (boolean causal : new boolean[] {false, true}) {
            out.add(org.junit.jupiter.params.provider.Arguments.of("NaN query", "q", 7, Float.NaN, causal));
            out.add(org.junit.jupiter.params.provider.Arguments.of("NaN key", "k", 20, Float.NaN, causal));
            out.add(org.junit.jupiter.params.provider.Arguments.of("NaN value past the first block", "v", 40, Float.NaN, causal));
            out.add(org.junit.jupiter.params.provider.Arguments.of("NaN value in the diagonal block", "v", 3, Float.NaN, causal));
            out.add(org.junit.jupiter.params.provider.Arguments.of("infinite key", "k", 30, Float.POSITIVE_INFINITY, causal));
            out.add(org.junit.jupiter.params.provider.Arguments.of("NaN output gradient", "g", 10, Float.NaN, causal));
            out.add(org.junit.jupiter.params.provider.Arguments.of("infinite query", "q", 44, Float.NEGATIVE_INFINITY, causal));
        }
        return out.build();
    }

    /** Two runs of one executable, and a run of a second one, give the same bits (large enough to run on the pool, with key parts). */
    @Test
    void runsAreDeterministic() {
        for (boolean causal : new boolean[] {false, true}) {
            Case c = new Case("determinism", new int[] {2, 130, 16}, new int[] {2, 260, 16}, new int[] {2, 260, 16}, causal, DType.F32);
            Built b = build(c, 5, Map.of());
            float[][] first = new float[OUTPUTS.size()][];
            try (Backend cpu = new CpuBackend(); var ce = cpu.compile(b.graph()); var ce2 = cpu.compile(b.graph())) {
                for (int run = 0; run < 3; run++) {
                    Outputs got = (run == 2 ? ce2 : ce).run(b.feeds());
                    for (int i = 0; i < OUTPUTS.size(); i++) {
                        float[] x = got.get(OUTPUTS.get(i)).floats();
                        if (run == 0) first[i] = x.clone();
                        else assertArrayEquals(first[i], x, "run " + run + " " + OUTPUTS.get(i));
                    }
                }
            }
        }
    }

    /** The geometry's key parts depend on the shapes alone: none for a large batch, several (at least 64 keys each) for a small one. */
    @Test
    void keyPartsFollowTheShapes() {
        assertEquals(1, AttentionKernels.Geometry.of(new int[] {8, 4, 128, 64}, new int[] {8, 4, 128, 64}, new int[] {8, 4, 128, 64}, 1, true).parts());
        assertEquals(2, AttentionKernels.Geometry.of(new int[] {1, 4, 128, 64}, new int[] {1, 4, 128, 64}, new int[] {1, 4, 128, 64}, 1, true).parts());
        assertEquals(8, AttentionKernels.Geometry.of(new int[] {4, 1024, 64}, new int[] {4, 1024, 64}, new int[] {4, 1024, 64}, 1, false).parts());
        assertEquals(1, AttentionKernels.Geometry.of(new int[] {4, 100, 64}, new int[] {4, 100, 64}, new int[] {4, 100, 64}, 1, false).parts());
        assertFalse(AttentionKernels.finite(new float[] {1, Float.NaN}, 0, 2));
        assertFalse(AttentionKernels.finite(new float[] {Float.NEGATIVE_INFINITY}, 0, 1));
        assertTrue(AttentionKernels.finite(new float[] {Float.MAX_VALUE, -0f}, 0, 2));
    }

    /**
     * Two attentions in a row, differentiated by autograd: two gradient groups, whose shared arrays {@link Fusion}
     * may give to both when their spans do not overlap, and kept weights for each; against the reference.
     */
    @Test
    void twoLayersOfAttentionTrainAsTheReference() {
        GraphBuilder g = new GraphBuilder();
        int[] d = {2, 3, 20, 8};
        Tensor q = g.input("q", DType.F32, 2, 3, 20, 8), k = g.input("k", DType.F32, 2, 3, 20, 8), v = g.input("v", DType.F32, 2, 3, 20, 8);
        Tensor k2 = g.input("k2", DType.F32, 2, 3, 20, 8), v2 = g.input("v2", DType.F32, 2, 3, 20, 8), w = g.input("w", DType.F32, 2, 3, 20, 8);
        Tensor x1 = g.apply(new Op.Attention(0.35, false), q, k, v);
        Tensor x2 = g.apply(new Op.Attention(0.35, true), x1, k2, v2);
        g.output("loss", x2.mul(w).sum());
        Graph forward = g.build();
        List<String> wrt = List.of("q", "k", "v", "k2", "v2");
        Graph grads = dev.jasg.autograd.Autograd.gradients(forward, "loss", wrt);
        Random r = new Random(12);
        Map<String, HostTensor> feeds = new HashMap<>();
        for (String name : List.of("q", "k", "v", "k2", "v2", "w")) feeds.put(name, random(r, DType.F32, d));
        try (Backend ref = new ReferenceBackend(); Backend cpu = new CpuBackend(); var re = ref.compile(forward, grads); var ce = cpu.compile(forward, grads)) {
            Outputs want = re.run(feeds), got = ce.run(feeds);
            int compared = 0;
            for (String name : grads.outputs().keySet()) {
                HostTensor a = want.get(name), x = got.get(name);
                for (int i = 0; i < a.size(); i++, compared++) {
                    assertEquals(a.get(i), x.get(i), TOL * Math.max(1, Math.abs(a.get(i))), name + "[" + i + "]");
                }
            }
            assertTrue(compared >= 5 * 2 * 3 * 20 * 8, "compared " + compared + " gradient elements of " + grads.outputs().keySet());
        }
    }

    /** An empty batch: nothing to compute, the reference's empty results. (No key at all is a shape error: ShapeRules.) */
    @Test
    void emptyShapes() {
        for (int[][] d : new int[][][] {{{0, 4, 3}, {0, 5, 3}, {0, 5, 2}}}) {
            Case c = new Case("empty " + Arrays.toString(d[0]) + Arrays.toString(d[1]), d[0], d[1], d[2], false, DType.F32);
            compare(c.toString(), build(c, 1, Map.of()), TOL, false);
        }
    }
}
