package dev.jasg.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Slices of one tensor that meet end to end get their gradient as one concatenation of the pieces' gradients, not a sum
 * of full-size scattered tensors ({@code Autograd.accumulate}): a table of graphs (an LSTM's four gates, pieces taken out
 * of order, a gap, overlapping slices, a strided slice, two axes), each with the gradient graph's adds, scatters and
 * concatenations over the sliced tensor counted, and every case's gradients against central differences in double
 * precision.
 */
class SliceGradientsTest {

    /** A case: the model over one input {@code [3, 8]} and what its gradient graph holds over that shape. */
    private record Case(String name, Function<Tensor[], Tensor> model, int adds, int scatters, int concats) {}

    private static Tensor gates(Tensor x, int... order) {
        Tensor y = null;
        for (int k : order) {
            Tensor g = x.slice(1, 2 * k, 2 * k + 2).mul(k + 1.5).tanh();
            y = y == null ? g : y.mul(g);
        }
        return y;
    }

    private static final List<Case> CASES = List.of(
            new Case("four gates, as an LSTM takes them", x -> gates(x[0], 0, 1, 2, 3), 0, 0, 1),
            new Case("pieces taken out of order", x -> gates(x[0], 2, 0, 3, 1), 0, 0, 1),
            new Case("three of four pieces, adjacent: one scatter of their concatenation", x -> gates(x[0], 1, 2, 3), 0, 1, 1),
            new Case("a gap between two pieces: added", x -> gates(x[0], 0, 2), 1, 2, 0),
            new Case("overlapping slices: added", x -> x[0].slice(1, 0, 5).sin().sum(1).add(x[0].slice(1, 3, 8).cos().sum(1)), 1, 2, 0),
            new Case("a strided slice: added", x -> x[0].slice(1, 0, 8, 2).sin().sum(1).add(x[0].slice(1, 1, 8, 2).cos().sum(1)), 1, 2, 0),
            new Case("pieces along the first axis", x -> x[0].slice(0, 0, 1).exp().add(x[0].slice(0, 1, 3).sin().sum(0, true)), 0, 0, 1));

    /** What the input's gradient is made of: adds of its shape {@code [3, 8]}, slice scatters, concatenations. */
    private static int[] counts(Case c) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, 3, 8);
        Tensor loss = c.model().apply(new Tensor[] {x}).sum();
        b.output("loss", loss);
        Graph fwd = b.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(x));
        int[] n = new int[3];
        Node out = grad.node(grad.outputs().get("grad:x"));
        for (Node m : grad.allNodes()) {
            if (m.id() < fwd.allNodes().size() || !reaches(grad, m.id(), out.id())) continue;
            boolean whole = m.shape().equals(Shape.of(3, 8));
            if (whole && m.op() instanceof Op.Binary bin && bin.kind() == BinaryOp.ADD) n[0]++;
            if (m.op() instanceof Op.SliceScatter) n[1]++;
            if (m.op() instanceof Op.Concat) n[2]++;
        }
        return n;
    }

    /** Whether node {@code to} reads node {@code from}, directly or not (ids are topological). */
    private static boolean reaches(Graph g, int from, int to) {
        boolean[] seen = new boolean[to + 1];
        seen[to] = true;
        for (int id = to; id >= from; id--) {
            if (!seen[id]) continue;
            if (id == from) return true;
            for (int i : g.node(id).inputs()) seen[i] = true;
        }
        return false;
    }

    @Test
    void slicesMeetingEndToEndGetOneConcatenation() {
        for (Case c : CASES) {
            int[] n = counts(c);
            assertEquals(c.adds(), n[0], c.name() + ": adds of [3, 8]");
            assertEquals(c.scatters(), n[1], c.name() + ": slice scatters");
            assertEquals(c.concats(), n[2], c.name() + ": concatenations");
        }
    }

    @Test
    void theSwitchAddsThemAsBefore() {
        System.setProperty(Autograd.JOIN_SLICES_PROPERTY, "false");
        try {
            int[] n = counts(CASES.get(0));
            assertEquals(3, n[0], "four gates: three adds");
            assertEquals(4, n[1], "four gates: four scatters");
            assertEquals(0, n[2], "four gates: no concatenation");
        } finally {
            System.clearProperty(Autograd.JOIN_SLICES_PROPERTY);
        }
    }

    @Test
    void gradientsMatchCentralDifferences() {
        long seed = 17;
        for (Case c : CASES) GradCheck.check("slice gradients: " + c.name(), c.model(), GradCheck.inputs(seed++, -1.5, 1.5, Shape.of(3, 8)));
    }
}
