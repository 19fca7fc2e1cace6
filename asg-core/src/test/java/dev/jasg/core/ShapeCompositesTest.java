package dev.jasg.core;

import static dev.jasg.core.RefTesting.assertExact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shape and indexing composites of issue 14 (pad, flip, roll, repeat, tile, tril/triu, chunk/split,
 * unflatten, index_select, masked_fill, einsum) against values PyTorch 1.13 computed. Operand {@code k}
 * of every case is {@code arange(n).reshape(shape) - k}; the values between the "generated" markers are
 * written by {@code src/test/resources/dev/jasg/core/make_shape_composites_values.py}, which holds the
 * PyTorch expression of every case under the same name.
 */
class ShapeCompositesTest {

    private record Case(String name, int[][] shapes, Function<List<Tensor>, Tensor> body) {}

    private record Expected(int[] shape, double[] values) {}

    private static int[][] shapes(int[]... s) {
        return s;
    }

    private static int[] s(int... d) {
        return d;
    }

    private static Case c(String name, int[][] shapes, Function<List<Tensor>, Tensor> body) {
        return new Case(name, shapes, body);
    }

    private static List<Case> cases() {
        return List.of(
                c("pad constant", shapes(s(3, 4)), a -> a.get(0).pad(new int[] {2, 1}, "constant", -1.5)),
                c("pad constant, negative pads crop", shapes(s(3, 4)), a -> a.get(0).pad(new int[] {2, -1, 1, -1}, "constant", 0.5)),
                c("pad reflect", shapes(s(3, 4)), a -> a.get(0).pad(new int[] {2, 1}, "reflect")),
                c("pad reflect two axes", shapes(s(1, 3, 4)), a -> a.get(0).pad(new int[] {1, 2, 1, 0}, "reflect")),
                c("pad reflect, negative pads", shapes(s(1, 3, 4)), a -> a.get(0).pad(new int[] {-1, 3, 1, -1}, "reflect")),
                c("pad replicate, negative pads", shapes(s(1, 3, 4)), a -> a.get(0).pad(new int[] {2, -1, 1, -1}, "replicate")),
                c("pad replicate beyond the size", shapes(s(1, 4)), a -> a.get(0).pad(new int[] {5, 0}, "replicate")),
                c("pad circular", shapes(s(1, 1, 4)), a -> a.get(0).pad(new int[] {2, 1}, "circular")),
                c("pad circular, a negative pad crops first", shapes(s(1, 1, 4)), a -> a.get(0).pad(new int[] {-1, 3}, "circular")),
                c("pad circular two axes", shapes(s(1, 1, 3, 4)), a -> a.get(0).pad(new int[] {1, 2, -1, 1}, "circular")),
                c("flip", shapes(s(2, 3, 4)), a -> a.get(0).flip(0, 2)),
                c("roll flattened, negative shift", shapes(s(3, 4)), a -> a.get(0).roll(-1)),
                c("roll two axes", shapes(s(3, 4)), a -> a.get(0).roll(new int[] {1, -3}, new int[] {0, 1})),
                c("roll more than the size", shapes(s(2, 3)), a -> a.get(0).roll(5, 1)),
                c("repeat", shapes(s(2, 3)), a -> a.get(0).repeat(2, 1, 2)),
                c("tile", shapes(s(2, 3)), a -> a.get(0).tile(2)),
                c("tril", shapes(s(3, 4)), a -> a.get(0).tril()),
                c("tril diagonal -1 batched", shapes(s(2, 3, 4)), a -> a.get(0).tril(-1)),
                c("tril diagonal 1", shapes(s(3, 4)), a -> a.get(0).tril(1)),
                c("triu", shapes(s(3, 4)), a -> a.get(0).triu()),
                c("triu diagonal 2 batched", shapes(s(2, 3, 4)), a -> a.get(0).triu(2)),
                c("triu diagonal -1", shapes(s(3, 4)), a -> a.get(0).triu(-1)),
                c("chunk: last piece", shapes(s(7, 2)), a -> a.get(0).chunk(3, 0).get(2)),
                c("split by size: middle piece", shapes(s(2, 5)), a -> a.get(0).split(2, 1).get(1)),
                c("split by sizes: middle piece", shapes(s(2, 6)), a -> a.get(0).split(new int[] {1, 3, 2}, 1).get(1)),
                c("unflatten", shapes(s(2, 12)), a -> a.get(0).unflatten(1, 3, -1)),
                c("index_select axis 1", shapes(s(3, 4)), a -> a.get(0).indexSelect(1, 3, 0, 3)),
                c("index_select axis 0", shapes(s(3, 4)), a -> a.get(0).indexSelect(0, a.get(0).builder().constant(HostTensor.ofInts(new int[] {2, 0}, 2)))),
                c("masked_fill broadcast mask", shapes(s(3, 4)), a -> a.get(0).maskedFill(
                        a.get(0).builder().constant(HostTensor.of(DType.BOOL, Shape.of(3, 1), new float[] {1, 0, 1})), -7)),
                c("einsum ij,jk->ik", shapes(s(2, 3), s(3, 4)), a -> Tensor.einsum("ij,jk->ik", a.get(0), a.get(1))),
                c("einsum bij,bjk->bik", shapes(s(2, 2, 3), s(2, 3, 2)), a -> Tensor.einsum("bij,bjk->bik", a.get(0), a.get(1))),
                c("einsum bhqd,bhkd->bhqk", shapes(s(1, 2, 2, 3), s(1, 2, 3, 3)), a -> Tensor.einsum("bhqd,bhkd->bhqk", a.get(0), a.get(1))),
                c("einsum ij->ji", shapes(s(2, 3)), a -> Tensor.einsum("ij->ji", a.get(0))),
                c("einsum ii->i", shapes(s(3, 3)), a -> Tensor.einsum("ii->i", a.get(0))),
                c("einsum ii", shapes(s(3, 3)), a -> Tensor.einsum("ii", a.get(0))),
                c("einsum iij->ji", shapes(s(2, 2, 3)), a -> Tensor.einsum("iij->ji", a.get(0))),
                c("einsum i,j->ij", shapes(s(3), s(2)), a -> Tensor.einsum("i,j->ij", a.get(0), a.get(1))),
                c("einsum ij->", shapes(s(3, 4)), a -> Tensor.einsum("ij->", a.get(0))),
                c("einsum implicit cb,ba", shapes(s(2, 3), s(3, 4)), a -> Tensor.einsum("cb,ba", a.get(0), a.get(1))),
                c("einsum ij,ij->i", shapes(s(2, 3), s(2, 3)), a -> Tensor.einsum("ij,ij->i", a.get(0), a.get(1))),
                c("einsum bn,bn,nb->b", shapes(s(2, 3), s(2, 3), s(3, 2)), a -> Tensor.einsum("bn,bn,nb->b", a.get(0), a.get(1), a.get(2))));
    }

    private static Map<String, Expected> expected() {
        Map<String, Expected> e = new LinkedHashMap<>();
        // generated: begin
        e.put("pad constant", new Expected(new int[] {3, 7}, new double[] {-1.5, -1.5, 0, 1, 2, 3, -1.5, -1.5, -1.5, 4, 5, 6, 7, -1.5, -1.5, -1.5, 8, 9, 10, 11, -1.5}));
        e.put("pad constant, negative pads crop", new Expected(new int[] {3, 5}, new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 1, 2, 0.5, 0.5, 4, 5, 6}));
        e.put("pad reflect", new Expected(new int[] {3, 7}, new double[] {2, 1, 0, 1, 2, 3, 2, 6, 5, 4, 5, 6, 7, 6, 10, 9, 8, 9, 10, 11, 10}));
        e.put("pad reflect two axes", new Expected(new int[] {1, 4, 7}, new double[] {5, 4, 5, 6, 7, 6, 5, 1, 0, 1, 2, 3, 2, 1, 5, 4, 5, 6, 7, 6, 5, 9, 8, 9, 10, 11, 10, 9}));
        e.put("pad reflect, negative pads", new Expected(new int[] {1, 3, 6}, new double[] {5, 6, 7, 6, 5, 4, 1, 2, 3, 2, 1, 0, 5, 6, 7, 6, 5, 4}));
        e.put("pad replicate, negative pads", new Expected(new int[] {1, 3, 5}, new double[] {0, 0, 0, 1, 2, 0, 0, 0, 1, 2, 4, 4, 4, 5, 6}));
        e.put("pad replicate beyond the size", new Expected(new int[] {1, 9}, new double[] {0, 0, 0, 0, 0, 0, 1, 2, 3}));
        e.put("pad circular", new Expected(new int[] {1, 1, 7}, new double[] {2, 3, 0, 1, 2, 3, 0}));
        e.put("pad circular, a negative pad crops first", new Expected(new int[] {1, 1, 6}, new double[] {1, 2, 3, 1, 2, 3}));
        e.put("pad circular two axes", new Expected(new int[] {1, 1, 3, 7}, new double[] {7, 4, 5, 6, 7, 4, 5, 11, 8, 9, 10, 11, 8, 9, 7, 4, 5, 6, 7, 4, 5}));
        e.put("flip", new Expected(new int[] {2, 3, 4}, new double[] {15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}));
        e.put("roll flattened, negative shift", new Expected(new int[] {3, 4}, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0}));
        e.put("roll two axes", new Expected(new int[] {3, 4}, new double[] {11, 8, 9, 10, 3, 0, 1, 2, 7, 4, 5, 6}));
        e.put("roll more than the size", new Expected(new int[] {2, 3}, new double[] {1, 2, 0, 4, 5, 3}));
        e.put("repeat", new Expected(new int[] {2, 2, 6}, new double[] {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
        e.put("tile", new Expected(new int[] {2, 6}, new double[] {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
        e.put("tril", new Expected(new int[] {3, 4}, new double[] {0, 0, 0, 0, 4, 5, 0, 0, 8, 9, 10, 0}));
        e.put("tril diagonal -1 batched", new Expected(new int[] {2, 3, 4}, new double[] {0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 20, 21, 0, 0}));
        e.put("tril diagonal 1", new Expected(new int[] {3, 4}, new double[] {0, 1, 0, 0, 4, 5, 6, 0, 8, 9, 10, 11}));
        e.put("triu", new Expected(new int[] {3, 4}, new double[] {0, 1, 2, 3, 0, 5, 6, 7, 0, 0, 10, 11}));
        e.put("triu diagonal 2 batched", new Expected(new int[] {2, 3, 4}, new double[] {0, 0, 2, 3, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 14, 15, 0, 0, 0, 19, 0, 0, 0, 0}));
        e.put("triu diagonal -1", new Expected(new int[] {3, 4}, new double[] {0, 1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11}));
        e.put("chunk: last piece", new Expected(new int[] {1, 2}, new double[] {12, 13}));
        e.put("split by size: middle piece", new Expected(new int[] {2, 2}, new double[] {2, 3, 7, 8}));
        e.put("split by sizes: middle piece", new Expected(new int[] {2, 3}, new double[] {1, 2, 3, 7, 8, 9}));
        e.put("unflatten", new Expected(new int[] {2, 3, 4}, new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}));
        e.put("index_select axis 1", new Expected(new int[] {3, 3}, new double[] {3, 0, 3, 7, 4, 7, 11, 8, 11}));
        e.put("index_select axis 0", new Expected(new int[] {2, 4}, new double[] {8, 9, 10, 11, 0, 1, 2, 3}));
        e.put("masked_fill broadcast mask", new Expected(new int[] {3, 4}, new double[] {-7, -7, -7, -7, 4, 5, 6, 7, -7, -7, -7, -7}));
        e.put("einsum ij,jk->ik", new Expected(new int[] {2, 4}, new double[] {17, 20, 23, 26, 44, 56, 68, 80}));
        e.put("einsum bij,bjk->bik", new Expected(new int[] {2, 2, 2}, new double[] {7, 10, 16, 28, 151, 172, 214, 244}));
        e.put("einsum bhqd,bhkd->bhqk", new Expected(new int[] {1, 2, 2, 3}, new double[] {2, 11, 20, 2, 38, 74, 191, 254, 317, 272, 362, 452}));
        e.put("einsum ij->ji", new Expected(new int[] {3, 2}, new double[] {0, 3, 1, 4, 2, 5}));
        e.put("einsum ii->i", new Expected(new int[] {3}, new double[] {0, 4, 8}));
        e.put("einsum ii", new Expected(new int[] {}, new double[] {12}));
        e.put("einsum iij->ji", new Expected(new int[] {3, 2}, new double[] {0, 9, 1, 10, 2, 11}));
        e.put("einsum i,j->ij", new Expected(new int[] {3, 2}, new double[] {0, 0, -1, 0, -2, 0}));
        e.put("einsum ij->", new Expected(new int[] {}, new double[] {66}));
        e.put("einsum implicit cb,ba", new Expected(new int[] {4, 2}, new double[] {17, 44, 20, 56, 23, 68, 26, 80}));
        e.put("einsum ij,ij->i", new Expected(new int[] {2}, new double[] {2, 38}));
        e.put("einsum bn,bn,nb->b", new Expected(new int[] {2}, new double[] {4, 66}));
        // generated: end
        return e;
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        Map<String, Expected> want = expected();
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Expected e = want.get(c.name());
            GraphBuilder g = new GraphBuilder();
            List<Tensor> in = new java.util.ArrayList<>();
            Object[] feeds = new Object[2 * c.shapes().length];
            for (int k = 0; k < c.shapes().length; k++) {
                int[] dims = c.shapes()[k];
                in.add(g.input("x" + k, DType.F32, Shape.of(dims)));
                double[] v = new double[Indexing.size(dims)];
                for (int i = 0; i < v.length; i++) v[i] = i - k;
                feeds[2 * k] = "x" + k;
                feeds[2 * k + 1] = RefTesting.f64(v, dims);
            }
            g.output("y", c.body().apply(in));
            assertExact(RefTesting.run(g, feeds).get("y"), Shape.of(e.shape()), e.values());
        }));
    }

    @Test
    void everyCaseHasPyTorchValues() {
        assertEquals(expected().keySet(), new java.util.LinkedHashSet<>(cases().stream().map(Case::name).toList()));
    }

    @Test
    void chunkAndSplitGiveThePiecesPyTorchGives() {
        // /usr/bin/python3 -c 'import torch; x=torch.zeros(7,6); print([list(t.shape) for t in x.chunk(4,1)],
        //   [list(t.shape) for t in x.chunk(3,0)], [list(t.shape) for t in x.chunk(7,0)], [list(t.shape) for t in x.split(4,0)],
        //   [list(t.shape) for t in x.split([0,2,4],1)])'
        // [[7, 2], [7, 2], [7, 2]] [[3, 6], [3, 6], [1, 6]] [[1, 6], ... 7 times] [[4, 6], [3, 6]] [[7, 0], [7, 2], [7, 4]]
        Tensor x = new GraphBuilder().input("x", DType.F32, 7, 6);
        assertEquals(List.of(Shape.of(7, 2), Shape.of(7, 2), Shape.of(7, 2)), shapesOf(x.chunk(4, 1)));
        assertEquals(List.of(Shape.of(3, 6), Shape.of(3, 6), Shape.of(1, 6)), shapesOf(x.chunk(3, 0)));
        assertEquals(7, x.chunk(7, 0).size());
        assertEquals(List.of(Shape.of(4, 6), Shape.of(3, 6)), shapesOf(x.split(4, 0)));
        assertEquals(List.of(Shape.of(7, 0), Shape.of(7, 2), Shape.of(7, 4)), shapesOf(x.split(new int[] {0, 2, 4}, 1)));
    }

    private static List<Shape> shapesOf(List<Tensor> ts) {
        return ts.stream().map(Tensor::shape).toList();
    }

    @Test
    void symbolicShapesPassThrough() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3, 4);
        assertEquals(Shape.symbolic("B", 4, 7), x.pad(new int[] {2, 1, 1, 0}, "reflect").shape());
        assertEquals(Shape.symbolic("B", 3, 2, 2), x.unflatten(2, 2, -1).shape());
        assertEquals(Shape.symbolic("B", 12), x.flatten(1, 2).unflatten(-1, -1, 4).flatten(1, 2).shape());
        assertEquals(Shape.symbolic("B", 3, 3), Tensor.einsum("bij,bkj->bik", x, x).shape());
        assertEquals(Shape.symbolic("B", 2, 3, 4), x.unflatten(0, -1, 1).repeat(1, 2, 1, 1).squeeze(2).shape());
    }

    /** Each call must throw a {@link ShapeException} (or, for a bad argument, an {@link IllegalArgumentException}) whose message holds every fragment. */
    private record Bad(String name, Call call, Class<? extends RuntimeException> type, String... fragments) {}

    private interface Call {
        void run(Tensor x, Tensor m);
    }

    @TestFactory
    Stream<DynamicTest> errorsNameTheProblem() {
        Class<ShapeException> se = ShapeException.class;
        List<Bad> bad = List.of(
                // F.pad(torch.zeros(1,1,4), (4,0), mode='reflect'): "Padding size should be less than the corresponding input dimension"
                new Bad("reflect pad equal to the size", (x, m) -> x.pad(new int[] {4, 0}, "reflect"), se, "reflect", "(4, 0)", "axis 2", "less than the axis size 4"),
                // F.pad(torch.zeros(1,1,4), (5,0), mode='circular'): "Padding value causes wrapping around more than once."
                new Bad("circular pad wrapping twice", (x, m) -> x.pad(new int[] {5, 0}, "circular"), se, "circular", "more than once"),
                new Bad("circular pad wrapping the cropped axis", (x, m) -> x.pad(new int[] {-1, 4}, "circular"), se, "the 3 elements left after cropping"),
                new Bad("odd pad length", (x, m) -> x.pad(1, 2, 3), se, "(left, right) pairs", "[1, 2, 3]"),
                new Bad("more padded axes than the rank", (x, m) -> x.pad(0, 0, 0, 0, 0, 0, 1, 1), se, "4 axes", "[1,1,4]"),
                new Bad("crop more than the axis", (x, m) -> x.pad(-3, -2), se, "crop more than the axis holds"),
                new Bad("unknown pad mode", (x, m) -> x.pad(new int[] {1, 1}, "wrap"), IllegalArgumentException.class, "\"wrap\""),
                new Bad("value with reflect", (x, m) -> x.pad(new int[] {1, 1}, "reflect", 2), IllegalArgumentException.class, "takes no value"),
                new Bad("flip the same axis twice", (x, m) -> x.flip(2, -1), se, "axis 2 appears twice"),
                new Bad("roll shifts and dims differ", (x, m) -> x.roll(new int[] {1, 2}, new int[] {0}), se, "2 shifts and 1 dims"),
                new Bad("repeat fewer sizes than axes", (x, m) -> x.repeat(2, 2), se, "repeat", "fewer than the 3 axes"),
                new Bad("tril of a vector", (x, m) -> x.flatten().tril(), se, "tril", "at least 2 axes"),
                new Bad("split sizes not summing", (x, m) -> x.split(new int[] {1, 2}, 2), se, "sum to 3", "has 4"),
                new Bad("chunk zero", (x, m) -> x.chunk(0, 2), se, "chunks must be > 0"),
                new Bad("unflatten sizes not multiplying", (x, m) -> x.unflatten(2, 3, 2), se, "[3, 2]", "size 4 of axis 2"),
                new Bad("index_select out of range", (x, m) -> x.indexSelect(2, 0, 4), se, "index 4 out of range for axis 2"),
                new Bad("index_select of a float index", (x, m) -> x.indexSelect(0, x.flatten()), se, "must be i32"),
                new Bad("masked_fill of a float mask", (x, m) -> x.maskedFill(x, 1), se, "bool mask"),
                new Bad("masked_fill mask that grows the tensor", (x, m) -> x.maskedFill(m, 1), se, "does not broadcast to the shape [1,1,4]"),
                new Bad("einsum ellipsis", (x, m) -> Tensor.einsum("...j->j", x), se, "einsum \"...j->j\"", "ellipsis"),
                new Bad("einsum operand count", (x, m) -> Tensor.einsum("ij,jk->ik", x), se, "2 operand subscripts but 1 operands"),
                new Bad("einsum rank", (x, m) -> Tensor.einsum("ij->i", x), se, "operand 0 has 3 axes"),
                new Bad("einsum size mismatch", (x, m) -> Tensor.einsum("abc,cba->", x, x), se, "subscript c has size 4 in operand 0 but 1 in operand 1 [1,1,4]"),
                new Bad("einsum unknown output", (x, m) -> Tensor.einsum("abc->z", x), se, "output subscript z names no operand axis"));
        return bad.stream().map(b -> DynamicTest.dynamicTest(b.name(), () -> {
            GraphBuilder g = new GraphBuilder();
            Tensor x = g.input("x", DType.F32, 1, 1, 4);
            Tensor m = g.input("m", DType.F32, 2, 1, 4).gt(g.scalar(0));
            RuntimeException e = assertThrows(b.type(), () -> b.call().run(x, m));
            for (String f : b.fragments()) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }));
    }
}
