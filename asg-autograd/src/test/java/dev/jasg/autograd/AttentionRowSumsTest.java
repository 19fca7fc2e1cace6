package dev.jasg.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A softmax read only by the product {@code P V} (attention) takes its gradient's row sums from that product:
 * {@code sum_j dP_ij P_ij = sum_d dO_id O_id} ({@code Autograd.attentionProduct}). Checked both ways: the gradient
 * graph sums over the product's rows, not the softmax's, exactly where the rule applies (a table of graphs where it
 * must and must not), and the gradients of every case match central differences in double precision.
 */
class AttentionRowSumsTest {

    /** A case: the model over inputs of the given shapes, and whether the rewrite must apply. */
    private record Case(String name, Function<Tensor[], Tensor> model, boolean rewritten, Shape... shapes) {}

    private static Tensor attention(Tensor q, Tensor k, Tensor v) {
        return q.matmul(k.mT()).mul(0.5).softmax(-1).matmul(v);
    }

    private static final List<Case> CASES = List.of(
            new Case("2-D attention", x -> attention(x[0], x[1], x[2]), true, Shape.of(3, 4), Shape.of(5, 4), Shape.of(5, 2)),
            new Case("heads", x -> attention(x[0], x[1], x[2]), true, Shape.of(2, 2, 3, 2), Shape.of(2, 2, 4, 2), Shape.of(2, 2, 4, 3)),
            new Case("causal mask before the softmax", x -> {
                Tensor s = x[0].matmul(x[1].mT());
                Tensor mask = x[0].builder().constant(HostTensor.of(DType.BOOL, Shape.of(3, 3), new float[] {1, 0, 0, 1, 1, 0, 1, 1, 1}));
                return mask.where(s, -1e9).softmax(-1).matmul(x[2]);
            }, true, Shape.of(2, 3, 2), Shape.of(2, 3, 2), Shape.of(2, 3, 4)),
            // P read a second time on the way to the loss: its gradient has another term, the plain rule stands
            new Case("weights also returned", x -> {
                Tensor p = x[0].matmul(x[1].mT()).softmax(-1);
                return p.matmul(x[2]).sum().add(p.mul(p).sum());
            }, false, Shape.of(3, 2), Shape.of(4, 2), Shape.of(4, 3)),
            // P as the right operand: its rows are not what the product contracts
            new Case("weights on the right", x -> x[2].matmul(x[0].matmul(x[1].mT()).softmax(-1)), false,
                    Shape.of(3, 2), Shape.of(3, 2), Shape.of(4, 3)),
            // softmax over another axis than the one the product contracts
            new Case("softmax over the rows", x -> x[0].matmul(x[1].mT()).softmax(0).matmul(x[2]), false,
                    Shape.of(3, 2), Shape.of(4, 2), Shape.of(4, 3)),
            // V shared by a batch of P: O's batch is P's, but the product broadcasts V
            new Case("values broadcast over a batch", x -> x[0].matmul(x[1].mT()).softmax(-1).matmul(x[2]), false,
                    Shape.of(2, 3, 2), Shape.of(2, 4, 2), Shape.of(4, 3)));

    /** Whether the gradient graph holds a sum whose input has the softmax's shape (the plain rule's row sums). */
    private static boolean sumsOverScores(Case c) {
        GraphBuilder b = new GraphBuilder();
        Tensor[] xs = new Tensor[c.shapes().length];
        for (int i = 0; i < xs.length; i++) xs[i] = b.input("x" + i, DType.F64, c.shapes()[i]);
        Tensor loss = c.model().apply(xs).sum();
        b.output("loss", loss);
        Graph fwd = b.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(xs[0], xs[1], xs[2]));
        Shape scores = null;
        for (Node n : fwd.allNodes()) if (n.op() instanceof Op.Softmax) scores = n.shape();
        for (Node n : grad.allNodes()) {
            if (n.id() < fwd.allNodes().size()) continue;
            if (n.op() instanceof Op.Reduce r && r.kind() == ReduceOp.SUM && grad.allNodes().get(n.input(0)).shape().equals(scores)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void rowSumsComeFromTheProductExactlyWhereTheRuleHolds() {
        for (Case c : CASES) assertEquals(!c.rewritten(), sumsOverScores(c), c.name() + ": the softmax's own row sums in the gradient graph");
    }

    @Test
    void gradientsMatchCentralDifferences() {
        long seed = 31;
        for (Case c : CASES) GradCheck.check("attention row sums: " + c.name(), c.model(), GradCheck.inputs(seed++, -1.5, 1.5, c.shapes()));
    }
}
