package dev.jasg.nn;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerTest {
    /** A two-layer model with named children, as a user would write it. */
    static final class Mlp extends Layer {
        final Linear fc1 = register("fc1", new Linear(4, 3));
        final Linear fc2 = register("fc2", new Linear(3, 2, false));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.apply(fc1.apply(x).relu());
        }
    }

    /** Applies one child twice: the second application must reuse the first one's weights. */
    static final class Tied extends Layer {
        final Linear shared = register("shared", new Linear(2, 2));

        @Override
        public Tensor forward(Tensor x) {
            return shared.apply(shared.apply(x));
        }
    }

    @Test
    void parametersAreNamedByDottedPathsWithoutAGraph() {
        Mlp m = new Mlp();
        Map<String, ParameterSpec> p = m.namedParameters();
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight"), List.copyOf(p.keySet()));
        assertEquals(Shape.of(3, 4), p.get("fc1.weight").shape());
        assertEquals(Shape.of(3), p.get("fc1.bias").shape());
        assertEquals("fc1.weight", p.get("fc1.weight").name());
        assertEquals(DType.F32, p.get("fc2.weight").dtype());
        assertEquals(3 * 4 + 3 + 2 * 3, m.parameterCount());
        Init.Uniform u = (Init.Uniform) p.get("fc1.weight").init(); // U(-1/sqrt(in), 1/sqrt(in)), in = 4
        assertEquals(-0.5, u.low(), 1e-12);
        assertEquals(0.5, u.high(), 1e-12);
        assertTrue(m.namedBuffers().isEmpty());
    }

    @Test
    void graphParameterNamesMatchNamedParametersAndNodesCarryScopes() {
        Mlp m = new Mlp();
        GraphBuilder g = new GraphBuilder();
        Tensor y = m.apply(g.input("x", DType.F32, "B", 4));
        assertEquals(Shape.symbolic("B", 2), y.shape());
        Graph graph = g.build();
        assertEquals(m.namedParameters().keySet(), graph.parameters().keySet());
        assertEquals("fc2", y.node().scope());
    }

    @Test
    void sequentialNamesChildrenByIndex() {
        Sequential s = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1), new Sigmoid());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(s.namedParameters().keySet()));
        GraphBuilder g = new GraphBuilder();
        s.apply(g.input("x", DType.F32, "B", 2));
        assertEquals(s.namedParameters().keySet(), g.build().parameters().keySet());
        assertEquals(4, s.size());
        assertTrue(s.get(1) instanceof Tanh);
        assertTrue(s.toString().contains("(0): Linear(in_features=2, out_features=8, bias=true)"), s.toString());
    }

    @Test
    void nestedModulesNestNames() {
        Sequential s = new Sequential(new Mlp(), new ReLU());
        assertEquals(List.of("0.fc1.weight", "0.fc1.bias", "0.fc2.weight"), List.copyOf(s.namedParameters().keySet()));
        GraphBuilder g = new GraphBuilder();
        s.apply(g.input("x", DType.F32, "B", 4));
        assertEquals(s.namedParameters().keySet(), g.build().parameters().keySet());
    }

    @Test
    void trainAndEvalPropagateToEveryDescendant() {
        Sequential s = new Sequential(new Mlp(), new ReLU());
        Mlp inner = (Mlp) s.get(0);
        assertTrue(inner.fc1.isTraining());
        s.eval();
        assertFalse(s.isTraining());
        assertFalse(inner.isTraining());
        assertFalse(inner.fc2.isTraining());
        s.train();
        assertTrue(inner.fc1.isTraining());
        // A child registered later follows its parent's mode.
        Sequential t = new Sequential();
        t.eval();
        Linear l = new Linear(1, 1);
        t.add(l);
        assertFalse(l.isTraining());
    }

    /** Issue 13 item 21: train()/eval() return the module as its own type, for every layer and a user's model alike. */
    @Test
    void modesReturnTheModuleAsItsOwnType() {
        Linear l = new Linear(2, 3).eval();
        assertFalse(l.isTraining());
        Mlp m = new Mlp().eval();
        assertFalse(m.fc1.isTraining());
        Sequential s = new Sequential(l, m).train();
        assertTrue(l.isTraining());
        Sequential t = s.train(false);
        assertFalse(t.get(1).isTraining());
        assertEquals(3, new Linear(2, 3).eval().namedParameters().get("weight").shape().dim(0)); // a chain reads as a Layer
        assertThrows(ClassCastException.class, () -> {
            Conv2d wrong = new Linear(2, 3).eval(); // documented: asking for a type the module is not fails at once
            wrong.hashCode();
        });
    }

    @Test
    void applyingAModuleTwiceSharesItsWeights() {
        Tied m = new Tied();
        assertEquals(List.of("shared.weight", "shared.bias"), List.copyOf(m.namedParameters().keySet()));
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 1, 2);
        Tensor loss = m.apply(x).sum();
        g.output("loss", loss);
        Graph f = g.build();
        assertEquals(2, f.parameters().size());
        long matmuls = f.nodes().stream().filter(n -> n.op() instanceof Op.MatMul).count();
        assertEquals(2, matmuls);

        // The gradient of the shared weight sums both uses: d/dW sum(W(Wx + b) + b).
        Tensor w = g.tensor(f.parameters().get("shared.weight").id());
        Graph grads = Autograd.gradients(f, loss, List.of(w));
        try (Backend ref = Backends.create("reference"); Executable e = ref.compile(f, grads)) {
            HostTensor xv = HostTensor.of(new float[] {1, 2}, 1, 2);
            var out = e.run(Map.of("x", xv));
            double[] W = e.parameters().get("shared.weight").toDoubles(), b = e.parameters().get("shared.bias").toDoubles();
            double[] h = {W[0] * 1 + W[1] * 2 + b[0], W[2] * 1 + W[3] * 2 + b[1]};
            // loss = sum_i (W h + b)_i; dloss/dW_ij = h_j (outer use) + sum_k W_ki x_j (inner use through h).
            double[] col = {W[0] + W[2], W[1] + W[3]};
            double[] xs = {1, 2};
            double[] want = new double[4];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) want[i * 2 + j] = h[j] + col[i] * xs[j];
            double[] got = out.get("grad:shared.weight").toDoubles();
            for (int k = 0; k < 4; k++) assertEquals(want[k], got[k], 1e-6, "grad element " + k); // parameters read back as f32
        }
    }

    @Test
    void aNewBuilderMakesNewParameterNodesWithTheSameNames() {
        Mlp m = new Mlp();
        GraphBuilder a = new GraphBuilder(), b = new GraphBuilder();
        m.apply(a.input("x", DType.F32, "B", 4));
        m.apply(b.input("x", DType.F32, "B", 4));
        assertEquals(a.build().parameters().keySet(), b.build().parameters().keySet());
    }

    @Test
    void linearComputesXWTransposedPlusBiasWithPyTorchInit() {
        Linear l = new Linear(3, 2);
        GraphBuilder g = new GraphBuilder();
        g.output("y", l.apply(g.input("x", DType.F32, "B", 3)));
        try (Backend cpu = Backends.create("cpu"); Executable e = cpu.compile(cpu.newParameters(7), List.of(g.build()))) {
            HostTensor x = HostTensor.of(new float[] {1, 2, 3, -1, 0, 0.5f}, 2, 3);
            double[] y = e.run(Map.of("x", x)).get("y").toDoubles();
            double[] w = e.parameters().get("weight").toDoubles(), b = e.parameters().get("bias").toDoubles();
            double bound = 1 / Math.sqrt(3);
            for (double v : w) assertTrue(Math.abs(v) <= bound, "weight " + v + " outside U(-1/sqrt 3, 1/sqrt 3)");
            for (double v : b) assertTrue(Math.abs(v) <= bound, "bias " + v);
            double[] xs = x.toDoubles();
            for (int r = 0; r < 2; r++) {
                for (int o = 0; o < 2; o++) {
                    double want = b[o];
                    for (int i = 0; i < 3; i++) want += xs[r * 3 + i] * w[o * 3 + i];
                    assertEquals(want, y[r * 2 + o], 1e-5);
                }
            }
        }
    }

    @Test
    void activationsAndFlattenMatchTheirTensorOps() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, 3);
        Map<String, Layer> mods = new java.util.LinkedHashMap<>();
        mods.put("relu", new ReLU());
        mods.put("leaky", new LeakyReLU(0.2));
        mods.put("elu", new ELU(0.5));
        mods.put("gelu", new GELU());
        mods.put("gelu_tanh", new GELU("tanh"));
        mods.put("silu", new SiLU());
        mods.put("sigmoid", new Sigmoid());
        mods.put("tanh", new Tanh());
        mods.put("softplus", new Softplus(2, 1));
        mods.put("softmax", new Softmax(-1));
        mods.put("log_softmax", new LogSoftmax(1));
        mods.put("identity", new Identity());
        mods.forEach((k, m) -> g.output(k, m.apply(x)));
        g.output("flat", new Flatten().apply(x.reshape(2, 3, 1)));
        float[] xv = {-2, -0.5f, 0, 0.3f, 1, 3};
        try (Backend ref = Backends.create("reference"); Executable e = ref.compile(g.build())) {
            var o = e.run(Map.of("x", HostTensor.of(xv, 2, 3)));
            for (int i = 0; i < 6; i++) {
                double v = xv[i];
                assertEquals(Math.max(v, 0), o.get("relu").get(i), 1e-9);
                assertEquals(v > 0 ? v : 0.2 * v, o.get("leaky").get(i), 1e-9);
                assertEquals(v > 0 ? v : 0.5 * Math.expm1(v), o.get("elu").get(i), 1e-9);
                assertEquals(v / (1 + Math.exp(-v)), o.get("silu").get(i), 1e-9);
                assertEquals(1 / (1 + Math.exp(-v)), o.get("sigmoid").get(i), 1e-9);
                assertEquals(Math.tanh(v), o.get("tanh").get(i), 1e-9);
                assertEquals(2 * v > 1 ? v : Math.log1p(Math.exp(2 * v)) / 2, o.get("softplus").get(i), 1e-9);
                assertEquals(v, o.get("identity").get(i), 0);
                assertEquals(v, o.get("flat").get(i), 0);
                double c = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
                assertEquals(0.5 * v * (1 + Math.tanh(c)), o.get("gelu_tanh").get(i), 1e-9);
            }
            assertEquals(Shape.of(2, 3), o.get("flat").shape());
            double rowSum = o.get("softmax").get(0) + o.get("softmax").get(1) + o.get("softmax").get(2);
            assertEquals(1, rowSum, 1e-9);
            assertEquals(Math.log(o.get("softmax").get(4)), o.get("log_softmax").get(4), 1e-9);
            assertEquals(0.3 * 0.5 * (1 + dev.jasg.core.SpecialFunctions.erf(0.3 / Math.sqrt(2))), o.get("gelu").get(3), 1e-7);
        }
    }

    /** A container that registers whatever it is given, to build arbitrary trees. */
    static final class Box extends Layer {
        <L extends Layer> L put(String name, L child) {
            return register(name, child);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    /** Issue 13 item 13: a module registered inside its own subtree made a cycle that overflowed the stack later. */
    @Test
    void registeringAModuleInsideItsOwnSubtreeIsRefused() {
        record Case(String what, java.util.function.Function<Box, Runnable> make, List<String> named) {}
        List<Case> cases = List.of(
                new Case("itself", a -> () -> a.put("x", a), List.of("'x'", "Box")),
                new Case("its parent", a -> {
                    Box b = a.put("b", new Box());
                    return () -> b.put("y", a);
                }, List.of("'b'", "'y'", "b")),
                new Case("its grandparent", a -> {
                    Box b = a.put("b", new Box());
                    Box c = b.put("c", new Box());
                    return () -> c.put("z", a);
                }, List.of("'c'", "'z'", "b.c")),
                new Case("a root holding it through a shared child", a -> {
                    Box shared = new Box();
                    Box root = new Box();
                    root.put("left", shared);
                    a.put("s", shared);
                    return () -> shared.put("up", root);
                }, List.of("'up'", "left")));
        for (Case c : cases) {
            Box a = new Box();
            Runnable register = c.make().apply(a);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, register::run, c.what());
            assertTrue(e.getMessage().contains("cycle"), c.what() + ": " + e.getMessage());
            for (String s : c.named()) assertTrue(e.getMessage().contains(s), c.what() + ": no " + s + " in: " + e.getMessage());
            // The refused registration left the tree as it was: it still prints and lists its parameters.
            assertTrue(a.toString().startsWith("Box("), c.what());
            a.namedParameters();
        }
    }

    @Test
    void badNamesAndDuplicatesAreRefused() {
        class Bad extends Layer {
            Bad(String name) {
                register(name, new ReLU());
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bad("a.b"));
        assertThrows(IllegalArgumentException.class, () -> new Bad(""));
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new GELU("fast"));
    }
}
