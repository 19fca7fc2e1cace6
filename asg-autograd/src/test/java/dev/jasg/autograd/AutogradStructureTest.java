package dev.jasg.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gradient graphs checked by their structure alone: no evaluator needed. */
@SuppressWarnings("try") // scopes are entered for their side effect on the builder
class AutogradStructureTest {

    @Test
    void gradientGraphContinuesTheForwardGraphWithNamedOutputs() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, "B", 4);
        Tensor w;
        try (var s = fb.scope("fc")) {
            w = fb.parameter("weight", Shape.of(4, 3), DType.F32, Init.normal(0, 0.1), true);
        }
        Tensor h = x.matmul(w).tanh();
        Tensor loss = h.mean();
        fb.output("loss", loss);
        Graph fwd = fb.build();

        Graph grad = Autograd.gradients(fwd, loss, List.of(w, x, h));
        assertSame(fwd, grad.parent());
        assertEquals(fwd.size(), grad.base());
        assertEquals(List.of("grad:fc.weight", "grad:x", "grad:%" + h.id()), List.copyOf(grad.outputs().keySet()));
        assertEquals(Shape.of(4, 3), grad.output("grad:fc.weight").shape());
        assertEquals(Shape.symbolic("B", 4), grad.output("grad:x").shape());
        assertEquals(Shape.symbolic("B", 3), grad.output("grad:%" + h.id()).shape());
        for (String name : grad.outputs().keySet()) assertEquals(DType.F32, grad.output(name).dtype());
        // every gradient node reads only nodes of the chain that come before it
        for (Node n : grad.nodes()) {
            for (int in : n.inputs()) assertTrue(in < n.id(), n + " reads a later node");
            assertTrue(n.scope().startsWith(Autograd.SCOPE), n + " is outside the grad scope");
        }
        // forward values are read by referring to forward ids, e.g. tanh's output y
        assertTrue(grad.nodes().stream().anyMatch(n -> contains(n.inputs(), h.id())));
    }

    @Test
    void namedOverloadFindsOutputAndParameters() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 2, 3);
        Tensor w = fb.parameter("w", Shape.of(3), DType.F32, Init.normal(0, 1), true);
        fb.output("loss", x.mul(w).sum());
        Graph fwd = fb.build();
        Graph grad = Autograd.gradients(fwd, "loss", List.of("w", "x"));
        assertEquals(List.of("grad:w", "grad:x"), List.copyOf(grad.outputs().keySet()));
        assertEquals(Shape.of(3), grad.output("grad:w").shape());
        assertThrows(IllegalArgumentException.class, () -> Autograd.gradients(fwd, "nope", List.of("w")));
        assertThrows(IllegalArgumentException.class, () -> Autograd.gradients(fwd, "loss", List.of("v")));
    }

    @Test
    void nonScalarLossIsAShapeErrorNamingIt() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 2, 3);
        Tensor y = x.exp();
        Graph fwd = fb.build();
        ShapeException e = assertThrows(ShapeException.class, () -> Autograd.gradients(fwd, y, List.of(x)));
        assertTrue(e.getMessage().contains("%" + y.id() + " exp"), e.getMessage());
    }

    @Test
    void compareBlocksTheGradientWithATypedError() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 5);
        Tensor mask = x.gt(0);
        Tensor loss = mask.cast(DType.F32).sum();
        Graph fwd = fb.build();
        GradientException e = assertThrows(GradientException.class, () -> Autograd.gradients(fwd, loss, List.of(x)));
        assertTrue(e.getMessage().contains("%" + mask.id() + " gt 'gt'"), e.getMessage());
        assertTrue(e.getMessage().contains("%" + x.id() + " input 'x'"), e.getMessage());
        assertTrue(e.getMessage().contains("%" + loss.id() + " sum"), e.getMessage());
    }

    @Test
    void argmaxBlocksTheGradient() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 3, 4);
        Tensor idx;
        try (var s = fb.scope("head")) {
            idx = x.argmax(1);
        }
        Tensor loss = idx.cast(DType.F32).mean();
        Graph fwd = fb.build();
        GradientException e = assertThrows(GradientException.class, () -> Autograd.gradients(fwd, loss, List.of(x)));
        assertTrue(e.getMessage().contains("%" + idx.id() + " argmax 'head/argmax'"), e.getMessage());
        assertInstanceOf(dev.jasg.core.JasgException.class, e);
    }

    @Test
    void castToIntegerBlocksButWhereMaskDoesNotMatterWhenBranchesCarry() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 4);
        Tensor asInt = x.cast(DType.I32);
        Tensor loss = asInt.cast(DType.F32).sum();
        Graph fwd = fb.build();
        GradientException e = assertThrows(GradientException.class, () -> Autograd.gradients(fwd, loss, List.of(x)));
        assertTrue(e.getMessage().contains("%" + asInt.id() + " cast"), e.getMessage());

        // x reaches the loss through the mask and through a branch: fine, the mask gets nothing
        GraphBuilder gb = new GraphBuilder();
        Tensor y = gb.input("y", DType.F32, 4);
        Tensor l2 = y.gt(0).where(y.mul(2), y.neg()).sum();
        Graph f2 = gb.build();
        Graph g2 = Autograd.gradients(f2, l2, List.of(y));
        assertEquals(Shape.of(4), g2.output("grad:y").shape());

        // only through the mask: blocked at the comparison
        GraphBuilder hb = new GraphBuilder();
        Tensor z = hb.input("z", DType.F32, 4);
        Tensor c = hb.input("c", DType.F32, 4);
        Tensor cmp = z.gt(0);
        Tensor l3 = cmp.where(c, c.neg()).sum();
        Graph f3 = hb.build();
        GradientException e3 = assertThrows(GradientException.class, () -> Autograd.gradients(f3, l3, List.of(z)));
        assertTrue(e3.getMessage().contains("%" + cmp.id() + " gt"), e3.getMessage());
    }

    @Test
    void zeroGradientOpsAreNotErrors() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 4);
        Tensor loss = x.sign().sum().add(x.count());
        Graph fwd = fb.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(x));
        Node g = grad.output("grad:x");
        assertEquals(Shape.of(4), g.shape());
        assertZeroConstantBroadcast(grad, g);
    }

    @Test
    void unrelatedWrtGetsZerosOfItsShape() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 2, 3);
        Tensor u = fb.input("u", DType.F64, 5);
        Tensor s = fb.input("s", DType.F32, "B", 7);
        Tensor loss = x.square().sum();
        Graph fwd = fb.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(u, s, x));
        Node gu = grad.output("grad:u");
        assertEquals(Shape.of(5), gu.shape());
        assertEquals(DType.F64, gu.dtype());
        assertZeroConstantBroadcast(grad, gu);
        // a symbolic shape is kept by s * 0, which also keeps s (and so B) bound at run time
        Node gs = grad.output("grad:s");
        assertEquals(Shape.symbolic("B", 7), gs.shape());
        assertEquals(new Op.Binary(dev.jasg.core.BinaryOp.MUL), gs.op());
        assertEquals(s.id(), gs.input(0));
        assertEquals(Shape.of(2, 3), grad.output("grad:x").shape());
    }

    @Test
    void onlyTheNeededSideOfAMatMulIsComputed() {
        GraphBuilder fb = new GraphBuilder();
        Tensor a = fb.input("a", DType.F32, 2, 3);
        Tensor b = fb.input("b", DType.F32, 3, 4);
        Tensor loss = a.matmul(b).sum();
        Graph fwd = fb.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(b));
        long matmuls = grad.nodes().stream().filter(n -> n.op() instanceof Op.MatMul).count();
        assertEquals(1, matmuls, grad.toText());
    }

    @Test
    void diamondAccumulatesByAdding() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 3);
        Tensor h = x.exp();
        Tensor loss = h.sin().add(h.cos()).sum();
        Graph fwd = fb.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(x));
        // h's gradient is the sum of the sin and cos branches
        long adds = grad.nodes().stream().filter(n -> n.op().equals(new Op.Binary(dev.jasg.core.BinaryOp.ADD))).count();
        assertEquals(1, adds, grad.toText());
    }

    @Test
    void integerWrtIsRejected() {
        GraphBuilder fb = new GraphBuilder();
        Tensor i = fb.input("i", DType.I32, 3);
        Tensor x = fb.input("x", DType.F32, 3);
        Tensor loss = x.sum();
        Graph fwd = fb.build();
        GradientException e = assertThrows(GradientException.class, () -> Autograd.gradients(fwd, loss, List.of(i)));
        assertTrue(e.getMessage().contains("'i'"), e.getMessage());
    }

    @Test
    void tensorFromAnotherGraphIsRejected() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 3);
        Tensor loss = x.sum();
        Graph fwd = fb.build();
        GraphBuilder other = new GraphBuilder();
        Tensor y = other.input("y", DType.F32, 3);
        assertThrows(IllegalArgumentException.class, () -> Autograd.gradients(fwd, loss, List.of(y)));
    }

    @Test
    void toTextOfASmallGradientGraphIsReadable() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 3);
        Tensor loss = x.mul(x).sum();
        fb.output("loss", loss);
        Graph fwd = fb.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(x));
        String text = grad.toText();
        String expected = """
                # continues a graph of 3 nodes
                %3 = constant(1.0) : f32[]  @grad
                %4 = reshape(%3; to=[1]) : f32[1]  @grad
                %5 = expand(%4; to=[3]) : f32[3]  @grad
                %6 = mul(%5, %0) : f32[3]  @grad
                %7 = mul(%5, %0) : f32[3]  @grad
                %8 = add(%6, %7) : f32[3]  @grad
                output grad:x = %8
                """;
        assertEquals(expected, text);
    }

    @Test
    void isDifferentiableListsTheBlockingOps() {
        assertFalse(Autograd.isDifferentiable(new Op.Compare(dev.jasg.core.CompareOp.LT)));
        assertFalse(Autograd.isDifferentiable(new Op.ArgReduce(dev.jasg.core.ArgReduceOp.ARGMAX, 0, false)));
        assertFalse(Autograd.isDifferentiable(new Op.Cast(DType.I32)));
        assertFalse(Autograd.isDifferentiable(new Op.Cast(DType.BOOL)));
        assertTrue(Autograd.isDifferentiable(new Op.Cast(DType.F64)));
        assertTrue(Autograd.isDifferentiable(Op.Unary.of(dev.jasg.core.UnaryOp.SIGN)));
        assertTrue(Autograd.isDifferentiable(new Op.Count(dev.jasg.core.Ints.of(0))));
    }

    private static void assertZeroConstantBroadcast(Graph grad, Node g) {
        Node src = g.op() instanceof Op.Expand ? grad.node(g.input(0)) : g;
        assertInstanceOf(Op.Constant.class, src.op(), grad.toText());
        assertEquals(0.0, ((Op.Constant) src.op()).value().get(0));
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }
}
