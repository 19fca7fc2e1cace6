package dev.jasg.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddingTest {

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "vulkan"})
    void looksUpRowsAndThePaddingRowIsReadAsStoredAndGetsNoGradient(String backend) {
        Layer net = LayerBackends.wrap("emb", new Embedding(5, 3, 1));
        GraphBuilder g = new GraphBuilder();
        Tensor idx = g.input("idx", DType.I32, "B", 3);
        Tensor y = net.apply(idx);
        assertEquals(Shape.symbolic("B", 3, 3), y.shape());
        Tensor loss = y.sum();
        g.output("y", y);
        Graph fwd = g.build();
        Tensor weight = g.tensor(fwd.parameters().get("emb.weight").id());
        Graph grad = Autograd.gradients(fwd, loss, List.of(weight));
        int[] ids = {0, 1, 4, 4, 2, 1};
        try (Backend b = LayerBackends.open(backend); Executable e = b.compile(b.newParameters(5), fwd, grad)) {
            float[] w = e.parameters().get("emb.weight").floats();
            Outputs o = e.run(Map.of("idx", HostTensor.ofInts(ids, 2, 3)));
            float[] out = o.get("y").floats(), gw = o.get("grad:emb.weight").floats();
            for (int n = 0; n < ids.length; n++) {
                for (int j = 0; j < 3; j++) {
                    // PyTorch reads the padding row as stored (here a random, non-zero row)
                    float want = w[ids[n] * 3 + j];
                    assertEquals(want, out[n * 3 + j], 0, "y[" + n + "," + j + "]");
                }
            }
            // each row's gradient counts its lookups; the padding row gets none
            int[] counts = {1, 0, 1, 0, 2};
            for (int r = 0; r < 5; r++) for (int j = 0; j < 3; j++) assertEquals(counts[r], gw[r * 3 + j], 1e-6, "grad row " + r);
        }
    }

    @Test
    void weightStartsStandardNormalAndArgumentsAreChecked() {
        Embedding e = new Embedding(100, 50, -1);
        assertEquals(99, e.paddingIdx());
        // N(0, 1) with the padding row zeroed, as PyTorch's reset_parameters leaves it
        Init.ZeroRow zr = (Init.ZeroRow) e.namedParameters().get("weight").init();
        assertEquals(99, zr.row());
        Init.Normal init = (Init.Normal) zr.base();
        assertEquals(0, init.mean());
        assertEquals(1, init.std());
        double[] w = zr.sample(Shape.of(100, 50), 3, "weight");
        for (int j = 0; j < 50; j++) assertEquals(0, w[99 * 50 + j], "padding row, column " + j);
        double rowSum = 0;
        for (int j = 0; j < 50; j++) rowSum += Math.abs(w[98 * 50 + j]);
        assertTrue(rowSum > 0, "the other rows are drawn");
        assertEquals(Init.Normal.class, new Embedding(10, 4).namedParameters().get("weight").init().getClass());
        assertEquals(Shape.of(100, 50), e.namedParameters().get("weight").shape());
        assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, 4));
        GraphBuilder g = new GraphBuilder();
        assertThrows(IllegalArgumentException.class, () -> e.apply(g.input("f", DType.F32, 3)));
    }
}
