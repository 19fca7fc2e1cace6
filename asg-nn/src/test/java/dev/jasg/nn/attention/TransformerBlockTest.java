package dev.jasg.nn.attention;

import static dev.jasg.nn.attention.AttentionHarness.CPU;
import static dev.jasg.nn.attention.AttentionHarness.assertClose;
import static dev.jasg.nn.attention.AttentionHarness.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** Encoder and decoder blocks, the feed-forward network and dropout on attention weights. */
class TransformerBlockTest {

    @Test
    void encoderBlocksKeepTheShapeInBothNormOrders() {
        for (boolean normFirst : new boolean[] {false, true}) {
            TransformerEncoderBlock block = new TransformerEncoderBlock(8, 2, 16, 0.1, "gelu", 1e-5, normFirst, true);
            GraphBuilder g = new GraphBuilder();
            Tensor x = g.input("x", DType.F32, "B", 5, 8);
            Tensor y = block.apply(x);
            assertEquals(Shape.symbolic("B", 5, 8), y.shape());
            g.output("y", y);
            try (Executable e = CPU.compile(g.build())) {
                double[] out = e.run(Map.of("x", random(new Random(1), 3, 5, 8))).get("y").toDoubles();
                assertEquals(3 * 5 * 8, out.length);
                if (!normFirst) {
                    // post-LN ends in a layer norm (weight 1, bias 0 at the start): every row has mean 0
                    for (int r = 0; r < 15; r++) {
                        double m = 0;
                        for (int f = 0; f < 8; f++) m += out[r * 8 + f];
                        assertEquals(0, m / 8, 1e-5);
                    }
                }
            }
        }
        TransformerEncoderBlock b = new TransformerEncoderBlock(8, 2, 16, 0.1, true);
        assertTrue(b.namedParameters().containsKey("self_attn.q_proj.weight"));
        assertTrue(b.namedParameters().containsKey("ff.linear1.weight"));
        assertTrue(b.namedParameters().containsKey("norm2.bias"));
        assertTrue(b.namedBuffers().containsKey("dropout1.seed"));
        assertThrows(IllegalArgumentException.class, () -> new FeedForward(4, 8, "tanh", 0));
    }

    @Test
    void decoderBlockIsCausalOverTheTargetAndReadsTheMemory() {
        int lt = 4, lm = 6, d = 8;
        TransformerDecoderBlock block = new TransformerDecoderBlock(d, 2, 16, 0, true);
        GraphBuilder g = new GraphBuilder();
        Tensor tgt = g.input("tgt", DType.F32, "B", lt, d), mem = g.input("mem", DType.F32, "B", lm, d);
        Tensor y = block.apply(tgt, mem);
        assertEquals(Shape.symbolic("B", lt, d), y.shape());
        g.output("y", y);
        Random rnd = new Random(2);
        HostTensor t0 = random(rnd, 2, lt, d), m0 = random(rnd, 2, lm, d);
        float[] t1 = t0.floats().clone();
        // batch 0, target position 2; not a constant shift, which a layer norm would cancel
        for (int f = 0; f < d; f++) t1[(0 * lt + 2) * d + f] += f % 3 - 1;
        float[] m1 = m0.floats().clone();
        m1[(1 * lm + 5) * d] += 1; // batch 1, memory position 5
        try (Executable e = CPU.compile(CPU.newParameters(3), g.build())) {
            double[] base = e.run(Map.of("tgt", t0, "mem", m0)).get("y").toDoubles();
            double[] tgtMoved = e.run(Map.of("tgt", HostTensor.of(t1, 2, lt, d), "mem", m0)).get("y").toDoubles();
            double[] memMoved = e.run(Map.of("tgt", t0, "mem", HostTensor.of(m1, 2, lm, d))).get("y").toDoubles();
            for (int p = 0; p < lt; p++) {
                double dt = 0, dm0 = 0, dm1 = 0;
                for (int f = 0; f < d; f++) {
                    dt = Math.max(dt, Math.abs(base[p * d + f] - tgtMoved[p * d + f]));
                    dm0 = Math.max(dm0, Math.abs(base[p * d + f] - memMoved[p * d + f]));
                    dm1 = Math.max(dm1, Math.abs(base[(lt + p) * d + f] - memMoved[(lt + p) * d + f]));
                }
                if (p < 2) assertEquals(0, dt, 1e-6, "target position " + p + " saw a later token");
                else assertTrue(dt > 1e-4, "target position " + p + " must see token 2");
                assertEquals(0, dm0, 1e-6, "batch 0 saw batch 1's memory");
                assertTrue(dm1 > 1e-6, "every target position reads the whole memory");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new TransformerDecoderBlock(8, 3));
    }

    @Test
    void attentionDropoutActsInTrainingOnly() {
        MultiHeadAttention mha = new MultiHeadAttention(8, 2, true, 0.5);
        MultiHeadAttention plain = new MultiHeadAttention(8, 2);
        Graph train = graph(mha), eval = graph((MultiHeadAttention) mha.eval()), noDropout = graph(plain);
        mha.train();
        Parameters store = CPU.newParameters(4);
        HostTensor x = random(new Random(5), 2, 4, 8);
        double[] ref = AttentionHarness.run(CPU, store, noDropout, "y", Map.of("x", x)).toDoubles();
        assertClose("eval == no dropout", ref, AttentionHarness.run(CPU, store, eval, "y", Map.of("x", x)).toDoubles(), 1e-6);
        try (Executable e = CPU.compile(store, train)) {
            double[] first = e.run(Map.of("x", x)).get("y").toDoubles();
            double[] second = e.run(Map.of("x", x)).get("y").toDoubles();
            assertNotEquals(ref[0], first[0], 1e-6);
            assertNotEquals(first[0], second[0], 1e-9); // the seed advances between runs
        }
        // functional dropout: a seed parameter of its own in the current scope
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 2, 3, 4);
        g.output("a", Attention.scaledDotProductAttention(q, q, q, null, false, 0.3));
        g.output("b", Attention.scaledDotProductAttention(q, q, q, null, false, 0.3));
        Graph fg = g.build();
        assertEquals(List.of("sdpa_dropout.seed", "sdpa_dropout_1.seed"), fg.parameters().keySet().stream().sorted().toList());
        try (Executable e = CPU.compile(fg)) {
            Outputs o = e.run(Map.of("q", random(new Random(6), 2, 3, 4)));
            assertNotEquals(o.get("a").get(0), o.get("b").get(0), 1e-9);
        }
    }

    private static Graph graph(MultiHeadAttention m) {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 4, 8);
        g.output("y", m.apply(x, null, null, true));
        return g.build();
    }

    @Test
    @Tag("gpu")
    void encoderBlockForwardMatchesOnVulkan() {
        TransformerEncoderBlock block = new TransformerEncoderBlock(16, 4, 32, 0, "gelu", 1e-5, true, true);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 6, 16);
        Tensor pad = g.input("pad", DType.BOOL, "B", 6);
        g.output("y", block.apply(x, null, pad, true));
        Graph graph = g.build();
        float[] padding = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
        Map<String, HostTensor> feeds = Map.of("x", random(new Random(7), 2, 6, 16), "pad", HostTensor.of(DType.BOOL, Shape.of(2, 6), padding));
        try (Backend gpu = AttentionHarness.vulkan()) {
            double[] cpu = AttentionHarness.run(CPU, 9, graph, "y", feeds).toDoubles();
            double[] vk = AttentionHarness.run(gpu, 9, graph, "y", feeds).toDoubles();
            assertClose("encoder block cpu vs vulkan", cpu, vk, 1e-4);
        }
    }
}
