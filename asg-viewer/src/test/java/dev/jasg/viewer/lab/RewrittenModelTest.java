package dev.jasg.viewer.lab;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.viewer.demo.DemoModel;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class RewrittenModelTest {
    private static Graph build(Function<Tensor, Tensor> model) {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 1, 28, 28);
        g.input("y", DType.I32, "B");
        g.output("out", model.apply(x));
        return g.build();
    }

    @Test
    void withoutEditsTheReplayIsTheModelsOwnGraph() {
        for (DemoModel dm : DemoModel.values()) {
            Layer direct = dm.build();
            RewrittenModel wrapped = new RewrittenModel(dm.build());
            assertEquals(build(direct::apply).toText(), build(wrapped::apply).toText(), dm.id());
        }
        // Dropout: its seed assignment and salt survive the replay.
        Layer withDropout = new Sequential(new dev.jasg.nn.Flatten(), new Linear(784, 8), new Dropout(0.5), new ReLU());
        Layer again = new Sequential(new dev.jasg.nn.Flatten(), new Linear(784, 8), new Dropout(0.5), new ReLU());
        assertEquals(build(withDropout::apply).toText(), build(new RewrittenModel(again)::apply).toText());
    }

    @Test
    void anEditReplacesOneNodeAndKeepsEveryId() {
        RewrittenModel m = new RewrittenModel(DemoModel.MLP.build());
        Graph before = build(m::apply);
        int relu = before.nodes().stream().filter(n -> n.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU).mapToInt(Node::id).findFirst().orElseThrow();
        m.edit(relu, Activation.SILU.op());
        Graph after = build(m::apply);
        assertEquals(before.size(), after.size());
        assertEquals(Activation.SILU.op(), after.node(relu).op());
        assertEquals(before.node(relu).scope(), after.node(relu).scope());
        assertEquals(1, m.edits().size());
        m.restore(relu, null);
        assertEquals(before.toText(), build(m::apply).toText());
    }

    @Test
    void nodesOutsideTheModelAndMisfitsAreRefused() {
        RewrittenModel m = new RewrittenModel(DemoModel.MLP.build());
        assertThrows(IllegalStateException.class, () -> m.ordinalOf(3));
        Graph g = build(m::apply);
        assertThrows(IllegalArgumentException.class, () -> m.edit(0, Activation.RELU.op()));
        assertThrows(IllegalArgumentException.class, () -> m.edit(1, Activation.RELU.op()));
        assertTrue(m.contains(2));
        int flatten = 2;
        assertTrue(g.node(flatten).op() instanceof Op.Reshape);
        m.edit(flatten, Activation.TANH.op());
        ShapeException e = assertThrows(ShapeException.class, () -> build(m::apply));
        assertTrue(e.getMessage().contains("keep the shape"), e.getMessage());
    }

    /**
     * A model whose Dropout makes nodes only in training mode: an edit made on the training graph
     * must land on the same node of the eval graph (it was keyed by global position, which the
     * missing dropout nodes shift).
     */
    @Test
    void editsLandOnTheSameNodesInEvalModeWhereADropoutMakesNoNodes() {
        RewrittenModel m = new RewrittenModel(new Sequential(new dev.jasg.nn.Flatten(), new Dropout(0.5), new Linear(784, 16), new ReLU(), new Linear(16, 10)));
        m.train(true);
        Graph train = build(m::apply);
        int relu = train.nodes().stream().filter(n -> n.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU).mapToInt(Node::id).findFirst().orElseThrow();
        m.edit(relu, Activation.GELU.op());
        int consumer = train.consumers(relu).get(0);
        assertTrue(m.record(GraphEdit.insertBetween(relu, consumer, Insert.layerNorm()), train).contains("ins1_LayerNorm"));
        m.train(false);
        Graph eval = build(m::apply);
        assertTrue(eval.nodes().stream().noneMatch(n -> n.op() instanceof Op.DropoutMask), "eval mode has no dropout");
        Node gelu = eval.nodes().stream().filter(n -> n.op().equals(Activation.GELU.op())).findFirst().orElseThrow(() -> new AssertionError(eval.toText()));
        assertEquals("3", gelu.scope(), "the GELU replaces the ReLU in scope 3");
        assertTrue(eval.nodes().stream().noneMatch(n -> n.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU), eval.toText());
        // The inserted LayerNorm reads the GELU and feeds the second Linear, in eval mode too.
        assertTrue(eval.consumers(gelu.id()).stream().allMatch(c -> eval.node(c).scope().startsWith("ins1_LayerNorm")), eval.toText());
        assertTrue(eval.nodes().stream().anyMatch(n -> n.scope().equals("4") && n.arity() > 0 && eval.node(n.input(0)).scope().startsWith("ins1_LayerNorm")),
                eval.toText());
    }
}
