package dev.jasg.core;

import static dev.jasg.core.RefTesting.assertTensor;
import static dev.jasg.core.RefTesting.f64;
import static dev.jasg.core.RefTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Gather, scatter-add, the dropout mask and normalisation on the reference interpreter. */
class LayerPrimitivesTest {

    @Test
    void gatherPicksRowsForAnyIndexShape() {
        GraphBuilder g = new GraphBuilder();
        Tensor table = g.input("t", DType.F64, 3, 2);
        Tensor idx = g.input("i", DType.I32, 2, 2);
        g.output("y", table.gather(idx));
        HostTensor y = run(g, "t", f64(new double[] {0, 1, 10, 11, 20, 21}, 3, 2), "i", HostTensor.ofInts(new int[] {2, 0, 2, 1}, 2, 2)).get("y");
        assertTensor(y, Shape.of(2, 2, 2), 0, 20, 21, 0, 1, 20, 21, 10, 11);
    }

    @Test
    void gatherOutOfRangeNamesTheNodeAndIndex() {
        GraphBuilder g = new GraphBuilder();
        Tensor table = g.input("t", DType.F64, 3, 2);
        Tensor idx = g.input("i", DType.I32, 2);
        Tensor y;
        try (var s = g.scope("emb")) {
            y = Tensor.embedding(table, idx);
        }
        g.output("y", y);
        BackendException e = assertThrows(BackendException.class,
                () -> run(g, "t", f64(new double[6], 3, 2), "i", HostTensor.ofInts(new int[] {1, 3}, 2)));
        assertTrue(e.getMessage().contains("index 3") && e.getMessage().contains("emb/gather") && e.getMessage().contains("[0, 3)"), e.getMessage());
    }

    @Test
    void scatterAddSumsRepeatedIndices() {
        GraphBuilder g = new GraphBuilder();
        Tensor u = g.input("u", DType.F64, 4, 2);
        Tensor idx = g.input("i", DType.I32, 4);
        g.output("y", u.scatterAdd(idx, 3));
        HostTensor y = run(g, "u", f64(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2), "i", HostTensor.ofInts(new int[] {2, 0, 2, 2}, 4)).get("y");
        assertTensor(y, Shape.of(3, 2), 0, 3, 4, 0, 0, 13, 16);
    }

    @Test
    void shapeRulesRejectBadIndicesAndSeeds() {
        GraphBuilder g = new GraphBuilder();
        Tensor t = g.input("t", DType.F32, 3, 2);
        Tensor f = g.input("f", DType.F32, 2);
        Tensor i = g.input("i", DType.I32, 4);
        assertThrows(ShapeException.class, () -> t.gather(f));
        assertThrows(ShapeException.class, () -> t.scatterAdd(i, 5)); // updates [3,2] do not start with [4]
        assertThrows(ShapeException.class, () -> t.dropoutMask(0.5, 1, i)); // seed is not a scalar
        assertThrows(IllegalArgumentException.class, () -> t.dropoutMask(1.5, 1, g.scalar(1, DType.I32)));
        assertEquals(Shape.of(4, 2), t.gather(i).shape());
        assertEquals(DType.F32, t.dropoutMask(0.1, 1, g.scalar(3, DType.I32)).dtype());
    }

    @Test
    void dropoutKeepRateAndScale() {
        int n = 100_000;
        double p = 0.3;
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, n);
        Tensor seed = g.input("seed", DType.I32);
        g.output("m", x.dropoutMask(p, 42, seed));
        HostTensor xs = HostTensor.of(new float[n], n);
        double[] m1 = run(g, "x", xs, "seed", HostTensor.ofInts(new int[] {5})).get("m").toDoubles();
        double[] m2 = run(g, "x", xs, "seed", HostTensor.ofInts(new int[] {6})).get("m").toDoubles();
        int kept = 0, differ = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(m1[i] == 0 || Math.abs(m1[i] - 1 / (1 - p)) < 1e-12, "value " + m1[i]);
            if (m1[i] != 0) kept++;
            if ((m1[i] != 0) != (m2[i] != 0)) differ++;
        }
        assertEquals(1 - p, kept / (double) n, 0.01, "keep rate");
        // independent masks disagree on 2 p (1 - p) = 42% of the elements
        assertEquals(2 * p * (1 - p), differ / (double) n, 0.01, "another seed gives another mask");
    }

    @Test
    void dropoutMaskIsTheDocumentedHash() {
        Op.DropoutMask op = new Op.DropoutMask(0.25, 7);
        int key = Op.DropoutMask.streamKey(3, Op.DropoutMask.saltMix(7));
        for (int i = 0; i < 100; i++) {
            assertEquals(Op.DropoutMask.bits24(key, i) >= (1 << 22), op.keeps(3, i));
        }
        assertEquals(0, new Op.DropoutMask(0, 1).threshold());
        assertEquals(1 << 24, new Op.DropoutMask(1, 1).threshold());
        assertNotEquals(Op.DropoutMask.saltMix(1), Op.DropoutMask.saltMix(1L << 32));
    }

    @Test
    void normalizeOverTheLastAxis() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 2, 3);
        g.output("y", x.normalize(new int[] {-1}, 0));
        HostTensor y = run(g, "x", f64(new double[] {1, 2, 3, 10, 10, 40}, 2, 3)).get("y");
        double s = Math.sqrt(2.0 / 3);
        assertTensor(y, Shape.of(2, 3), 1e-12, -1 / s, 0, 1 / s, -1 / Math.sqrt(2), -1 / Math.sqrt(2), Math.sqrt(2));
    }

    @Test
    void normalizeIsStableForLargeOffsets() {
        // E[x^2] - E[x]^2 loses everything here; two passes keep it exact
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 4);
        g.output("y", x.normalize(new int[] {0}, 0));
        HostTensor y = run(g, "x", f64(new double[] {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4}, 4)).get("y");
        double s = Math.sqrt(1.25);
        assertTensor(y, Shape.of(4), 1e-9, -1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s);
    }

    @Test
    void normalizeOverBatchAxesKeepsChannels() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 2, 2, 1, 2);
        g.output("y", x.normalize(new int[] {0, 2, 3}, 0));
        // channel 0: 0,1,4,5 ; channel 1: 2,3,6,7 -> both have mean m+2.5 and variance 4.25
        HostTensor y = run(g, "x", RefTesting.arange(2, 2, 1, 2)).get("y");
        double s = Math.sqrt(4.25);
        assertTensor(y, Shape.of(2, 2, 1, 2), 1e-12, -2.5 / s, -1.5 / s, -2.5 / s, -1.5 / s, 1.5 / s, 2.5 / s, 1.5 / s, 2.5 / s);
    }
}
