package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Shape and dtype errors are reported when the node is added, naming the op, the shapes, the node and its scope. */
class ShapeErrorTest {

    @Test
    void matmulInnerDimensionsNameTheScopedNode() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 32, 784);
        Tensor w = g.input("w", DType.F32, 128, 10);
        ShapeException e;
        try (var s = g.scope("fc2")) {
            e = assertThrows(ShapeException.class, () -> x.matmul(w));
        }
        assertEquals("matmul: inner dimensions differ: [32,784] x [128,10] at node 2 (fc2/matmul)", e.getMessage());
    }

    @Test
    void nestedScopesAppearInThePath() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, 3);
        ShapeException e;
        try (var a = g.scope("block0"); var b = g.scope("attn")) {
            e = assertThrows(ShapeException.class, () -> x.matmul(x));
        }
        assertEquals("matmul: inner dimensions differ: [2,3] x [2,3] at node 1 (block0.attn/matmul)", e.getMessage());
    }

    @Test
    void broadcastFailure() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 3, 4);
        Tensor b = g.input("b", DType.F32, 5);
        ShapeException e = assertThrows(ShapeException.class, () -> a.add(b));
        assertEquals("add: shapes [3,4] and [5] do not broadcast (axis 1: 4 vs 5) at node 2 (add)", e.getMessage());
    }

    @Test
    void badReshape() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> a.reshape(4, 2));
        assertEquals("reshape: cannot reshape [2,3] (6 elements) to [4,2] (8 elements) at node 1 (reshape)", e.getMessage());
        ShapeException infer = assertThrows(ShapeException.class, () -> a.reshape(4, -1));
        assertEquals("reshape: cannot infer -1 when reshaping [2,3] to [4, -1]", infer.getMessage());
    }

    @Test
    void badPermute() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3);
        ShapeException repeated = assertThrows(ShapeException.class, () -> a.permute(0, 0));
        assertEquals("permute: [0,0] is not a permutation of the axes of [2,3] at node 1 (permute)", repeated.getMessage());
        ShapeException shortPerm = assertThrows(ShapeException.class, () -> a.permute(0));
        assertEquals("permute: permutation [0] has 1 axes but the input [2,3] has 2 at node 1 (permute)", shortPerm.getMessage());
    }

    @Test
    void badAxis() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> a.sum(2));
        assertEquals("axis 2 out of range for [2,3] at node 0", e.getMessage());
        ShapeException direct = assertThrows(ShapeException.class, () -> g.apply(new Op.Softmax(5), a));
        assertEquals("softmax: axis 5 out of range for [2,3] at node 1 (softmax)", direct.getMessage());
    }

    @Test
    void dtypeMismatch() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2);
        Tensor i = g.input("i", DType.I32, 2);
        ShapeException e = assertThrows(ShapeException.class, () -> a.add(i));
        assertEquals("add: dtypes differ: f32[2] and i32[2] at node 2 (add)", e.getMessage());
        ShapeException exp = assertThrows(ShapeException.class, () -> i.exp());
        assertEquals("exp: needs a float tensor, got i32[2] at node 2 (exp)", exp.getMessage());
    }

    @Test
    void whereNeedsABoolMask() {
        GraphBuilder g = new GraphBuilder();
        Tensor m = g.input("m", DType.F32, 2);
        Tensor a = g.input("a", DType.F32, 2);
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.where(m, a, a));
        assertEquals("where: the condition must be a bool mask, got f32[2] at node 2 (where)", e.getMessage());
    }

    @Test
    void symbolicReshapeInfersTheBatch() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 28, 28);
        assertEquals(Shape.symbolic("B", 784), x.reshape(-1, 784).shape());
        assertEquals(Shape.symbolic("B", 784), x.flatten(1, 2).shape());
    }

    @Test
    void symbolicBatchDoesNotBroadcastWithAConcreteSize() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3);
        Tensor y = g.input("y", DType.F32, 4, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> x.add(y));
        assertEquals("add: shapes [B,3] and [4,3] do not broadcast (axis 0: B vs 4) at node 2 (add)", e.getMessage());
        // The same symbol on both sides matches, and a concrete 1 stretches to it.
        assertEquals(Shape.symbolic("B", 3), x.add(g.input("z", DType.F32, 1, 3)).shape());
    }

    @Test
    void assignmentMustKeepShapeAndDtype() {
        GraphBuilder g = new GraphBuilder();
        Tensor p;
        try (var s = g.scope("fc1")) {
            p = g.parameter("weight", Init.zeros(), 2, 3);
        }
        Tensor v = g.input("v", DType.F32, 3, 2);
        ShapeException e = assertThrows(ShapeException.class, () -> g.assign(p, v));
        assertEquals("assign: fc1.weight is f32[2,3] but the new value is f32[3,2] at node 1", e.getMessage());
    }

    /** A rule's kind, and the node, op and input shapes GraphBuilder adds, are there as data (for texts in other languages); the message is unchanged. */
    @Test
    void theErrorCarriesItsKindNodeAndShapesAsData() {
        record Case(String what, java.util.function.Function<GraphBuilder, Tensor> build, ShapeException.Kind kind, String op, String shapes) {}
        java.util.List<Case> cases = java.util.List.of(
                new Case("matmul", g -> g.input("a", DType.F32, 32, 784).matmul(g.input("b", DType.F32, 128, 10)), ShapeException.Kind.INNER_DIMENSIONS, "matmul", "[[32,784], [128,10]]"),
                new Case("broadcast", g -> g.input("a", DType.F32, 3, 4).add(g.input("b", DType.F32, 5)), ShapeException.Kind.BROADCAST, "add", "[[3,4], [5]]"),
                new Case("reshape", g -> g.input("a", DType.F32, 2, 3).reshape(4, 2), ShapeException.Kind.ELEMENT_COUNT, "reshape", "[[2,3]]"),
                new Case("dtype", g -> g.input("a", DType.F32, 2).add(g.input("i", DType.I32, 2)), ShapeException.Kind.DTYPE, "add", "[[2], [2]]"),
                new Case("conv", g -> g.input("x", DType.F32, 1, 3, 8, 8).conv2d(g.input("w", DType.F32, 4, 2, 3, 3), ConvGeometry.of(1, 0, 1, 1)), ShapeException.Kind.CHANNELS, "conv2d", "[[1,3,8,8], [4,2,3,3]]"),
                new Case("permute", g -> g.input("a", DType.F32, 2, 3).permute(0, 0), ShapeException.Kind.OTHER, "permute", "[[2,3]]"));
        for (Case c : cases) {
            GraphBuilder g = new GraphBuilder();
            ShapeException e;
            try (var s = g.scope("blk")) {
                e = assertThrows(ShapeException.class, () -> c.build().apply(g), c.what());
            }
            assertEquals(c.kind(), e.kind(), c.what());
            org.junit.jupiter.api.Assertions.assertTrue(e.hasNode(), c.what());
            assertEquals(c.op(), e.op(), c.what());
            assertEquals("blk/" + c.op(), e.nodePath(), c.what());
            assertEquals(c.shapes(), e.inputShapes().toString(), c.what());
            assertEquals(e.inputShapes().size(), e.inputDtypes().size(), c.what());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().endsWith(" at node " + e.nodeId() + " (blk/" + c.op() + ")"), e.getMessage());
        }
        ShapeException plain = new ShapeException("no node");
        assertEquals(ShapeException.Kind.OTHER, plain.kind());
        org.junit.jupiter.api.Assertions.assertFalse(plain.hasNode());
        assertEquals(java.util.List.of(), plain.inputShapes());
    }
}
