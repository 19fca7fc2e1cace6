package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.reference.ReferenceBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Autocast}: which nodes it puts in half, what it keeps, and the values on the reference. */
class AutocastTest {
    /** x [B,4] @ w [4,3] + b, a second product reading w again, softmax and a mean loss. */
    private static Graph model() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 4);
        Tensor w, b;
        try (var s = g.scope("fc")) {
            w = g.parameter("weight", Shape.of(4, 3), DType.F32, Init.normal(0, 1), true);
            b = g.parameter("bias", Shape.of(3), DType.F32, Init.normal(0, 1), true);
        }
        Tensor h = x.matmul(w).add(b);
        Tensor again = x.matmul(w);
        Tensor y = h.softmax(1).add(again);
        g.output("y", y);
        g.output("loss", y.square().mean());
        return g.build();
    }

    @Test
    void productsReadHalfOperandsAndEverythingElseStaysF32() {
        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            Graph g = Autocast.apply(model(), half);
            List<Node> casts = g.nodes().stream().filter(n -> n.op() instanceof Op.Cast).toList();
            // x and w are cast once each, though two products read them
            assertEquals(2, casts.size(), g.toText());
            for (Node c : casts) assertEquals(half, c.dtype());
            for (Node n : g.nodes()) {
                if (n.op() instanceof Op.MatMul) {
                    assertEquals(DType.F32, n.dtype(), "products accumulate to f32: " + n);
                    for (int in : n.inputs()) assertEquals(half, g.node(in).dtype(), "operand of " + n);
                } else if (!(n.op() instanceof Op.Cast)) {
                    assertEquals(DType.F32, n.dtype(), "kept in f32: " + n);
                }
            }
            assertEquals(model().outputs().keySet(), g.outputs().keySet());
            assertEquals(Map.of("x", DType.F32), Map.of("x", g.inputs().get("x").dtype()));
            assertEquals(DType.F32, g.parameters().get("fc.weight").dtype(), "master weights stay f32");
            assertEquals("fc", g.parameters().get("fc.weight").scope());
        }
    }

    @Test
    void valuesAreTheProductsOfRoundedOperands() {
        float[] xv = {0.1f, -1.3f, 2.7f, 0.33f, 1.001f, -0.5f, 0.25f, 3.1f};
        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            try (ReferenceBackend ref = new ReferenceBackend()) {
                Parameters p = ref.newParameters(3);
                Graph g = Autocast.apply(model(), half);
                try (Executable e = ref.compile(p, g)) {
                    Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(xv, 2, 4));
                    HostTensor y = e.run(feeds).get("y");
                    double[] w = p.get("fc.weight").toDoubles(), bias = p.get("fc.bias").toDoubles();
                    for (int r = 0; r < 2; r++) {
                        double[] logits = new double[3], prod = new double[3];
                        double z = 0;
                        for (int c = 0; c < 3; c++) {
                            for (int k = 0; k < 4; k++) prod[c] += half.round(xv[r * 4 + k]) * half.round(w[k * 3 + c]);
                            logits[c] = prod[c] + bias[c];
                        }
                        double max = Math.max(logits[0], Math.max(logits[1], logits[2]));
                        for (int c = 0; c < 3; c++) z += Math.exp(logits[c] - max);
                        for (int c = 0; c < 3; c++) {
                            double want = Math.exp(logits[c] - max) / z + prod[c];
                            assertEquals(want, y.get(r * 3 + c), 1e-7, half + " y[" + r + "," + c + "]");
                        }
                    }
                    // and not the f32 products: rounding the operands changes the result
                    try (Executable plain = ref.compile(p, model())) {
                        HostTensor y32 = plain.run(feeds).get("y");
                        double diff = 0;
                        for (int i = 0; i < 6; i++) diff = Math.max(diff, Math.abs(y32.get(i) - y.get(i)));
                        assertTrue(diff > 1e-6 && diff < (half == DType.F16 ? 2e-2 : 1e-1), half + " differs from f32 by " + diff);
                    }
                }
            }
        }
    }

    @Test
    void refusesWhatItCannotRewrite() {
        assertThrows(IllegalArgumentException.class, () -> Autocast.apply(model(), DType.F32));
        Graph g = model();
        GraphBuilder next = new GraphBuilder(g);
        next.output("z", next.tensor(g.output("y").id()).mul(2));
        assertThrows(IllegalArgumentException.class, () -> Autocast.apply(next.build(), DType.F16));
    }

    @Test
    void integerProductsAreLeftAlone() {
        GraphBuilder b = new GraphBuilder();
        Tensor a = b.input("a", DType.I32, 2, 2);
        b.output("p", a.matmul(a));
        Graph g = Autocast.apply(b.build(), DType.BF16);
        assertTrue(g.nodes().stream().noneMatch(n -> n.op() instanceof Op.Cast));
        assertEquals(DType.I32, g.output("p").dtype());
    }

    @Test
    void attentionReadsItsThreeOperandsInHalfAndReturnsF32() {
        float[] qv = {0.1f, -1.3f, 2.7f, 0.33f, 1.001f, -0.5f}, kv = {0.25f, 3.1f, -0.7f, 1.9f, 0.45f, -2.2f, 1.3f, 0.6f};
        float[] vv = {1.7f, -0.3f, 0.9f, 2.3f, -1.1f, 0.05f, 0.61f, -0.8f};
        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            GraphBuilder b = new GraphBuilder();
            Tensor q = b.input("q", DType.F32, 3, 2), k = b.input("k", DType.F32, 4, 2), v = b.input("v", DType.F32, 4, 2);
            b.output("o", b.apply(new Op.Attention(0.75, true), q, k, v));
            Graph g = Autocast.apply(b.build(), half);
            Node att = g.nodes().stream().filter(n -> n.op() instanceof Op.Attention).findFirst().orElseThrow();
            for (int in : att.inputs()) assertEquals(half, g.node(in).dtype(), "operand of " + att);
            assertEquals(DType.F32, att.dtype());
            assertEquals(3, g.nodes().stream().filter(n -> n.op() instanceof Op.Cast).count());
            // the same as attention of the operands rounded to half by hand, in f32
            GraphBuilder r = new GraphBuilder();
            Tensor[] rounded = {r.input("q", DType.F32, 3, 2).cast(half).cast(DType.F32), r.input("k", DType.F32, 4, 2).cast(half).cast(DType.F32),
                    r.input("v", DType.F32, 4, 2).cast(half).cast(DType.F32)};
            r.output("o", r.apply(new Op.Attention(0.75, true), rounded));
            Map<String, HostTensor> feeds = Map.of("q", HostTensor.of(qv, 3, 2), "k", HostTensor.of(kv, 4, 2), "v", HostTensor.of(vv, 4, 2));
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(g); Executable byHand = ref.compile(r.build())) {
                double[] got = e.run(feeds).get("o").toDoubles(), want = byHand.run(feeds).get("o").toDoubles();
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-12, half + " o[" + i + "]");
            }
        }
    }

    @Test
    void attentionOfMixedOperandTypesIsLeftAlone() {
        GraphBuilder b = new GraphBuilder();
        Tensor q = b.input("q", DType.BF16, 3, 2), k = b.input("k", DType.BF16, 4, 2), v = b.input("v", DType.BF16, 4, 2);
        b.output("o", b.apply(new Op.Attention(1, false), q, k, v));
        Graph g = Autocast.apply(b.build(), DType.F16);
        assertTrue(g.nodes().stream().noneMatch(n -> n.op() instanceof Op.Cast));
    }
}
