package dev.jasg.autograd;

import static dev.jasg.autograd.GradCheck.check;
import static dev.jasg.autograd.GradCheck.inputs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every VJP rule against central differences in double precision. */
class VjpRulesTest {
    private static final Shape S23 = Shape.of(2, 3);

    private static void unary(String name, Function<Tensor, Tensor> f, double lo, double hi) {
        check(name, x -> f.apply(x[0]), inputs(name.hashCode(), lo, hi, S23));
    }

    @Test
    void unaryOps() {
        unary("neg", Tensor::neg, -2, 2);
        unary("abs", Tensor::abs, -2, 2);
        unary("sign", Tensor::sign, -2, 2);
        unary("exp", Tensor::exp, -2, 2);
        unary("expm1", Tensor::expm1, -2, 2);
        unary("log", Tensor::log, 0.3, 3);
        unary("log1p", Tensor::log1p, -0.5, 2);
        unary("sqrt", Tensor::sqrt, 0.3, 3);
        unary("rsqrt", Tensor::rsqrt, 0.3, 3);
        unary("sin", Tensor::sin, -3, 3);
        unary("cos", Tensor::cos, -3, 3);
        unary("erf", Tensor::erf, -2, 2);
        unary("relu", Tensor::relu, -2, 2);
        unary("sigmoid", Tensor::sigmoid, -3, 3);
        unary("tanh", Tensor::tanh, -2, 2);
        unary("gelu", Tensor::gelu, -3, 3);
        unary("gelu_tanh", x -> x.gelu("tanh"), -3, 3);
        unary("silu", Tensor::silu, -3, 3);
        unary("softplus", x -> x.softplus(2, 1.5), -2, 2);
        unary("elu", x -> x.elu(0.7), -2, 2);
        unary("leaky_relu", x -> x.leakyRelu(0.1), -2, 2);
        unary("clamp", x -> x.clamp(-0.5, 0.7), -2, 2);
        unary("clamp_min", x -> x.clampMin(0.2), -2, 2);
    }

    @Test
    void binaryOpsWithBroadcasting() {
        Shape[][] pairs = {{S23, S23}, {S23, Shape.of(3)}, {Shape.of(2, 1), Shape.of(1, 3)}, {Shape.scalar(), S23}};
        for (Shape[] p : pairs) {
            String s = " " + p[0] + p[1];
            check("add" + s, x -> x[0].add(x[1]), inputs(1, -2, 2, p));
            check("sub" + s, x -> x[0].sub(x[1]), inputs(2, -2, 2, p));
            check("mul" + s, x -> x[0].mul(x[1]), inputs(3, -2, 2, p));
            check("div" + s, x -> x[0].div(x[1]), inputs(4, 0.5, 2, p));
            check("pow" + s, x -> x[0].pow(x[1]), inputs(5, 0.5, 2, p));
            check("maximum" + s, x -> x[0].maximum(x[1]), inputs(6, -2, 2, p));
            check("minimum" + s, x -> x[0].minimum(x[1]), inputs(7, -2, 2, p));
        }
        check("pow const", x -> x[0].pow(3), inputs(8, -2, 2, S23));
    }

    @Test
    void maximumSplitsTiesEvenly() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, 3);
        Tensor y = b.input("y", DType.F64, 3);
        Tensor loss = x.maximum(y).sum();
        Graph g = Autograd.gradients(b.build(), loss, List.of(x, y));
        Map<String, double[]> out = GradCheck.run(g, Map.of(
                "x", HostTensor.ofDoubles(new double[] {1, 2, 3}, 3), "y", HostTensor.ofDoubles(new double[] {0, 2, 4}, 3)));
        assertArrayEquals(new double[] {1, 0.5, 0}, out.get("grad:x"));
        assertArrayEquals(new double[] {0, 0.5, 1}, out.get("grad:y"));
    }

    @Test
    void powExponentGradientIsZeroAtZeroBase() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, 2);
        Tensor e = b.input("e", DType.F64, 2);
        Tensor loss = x.pow(e).sum();
        Graph g = Autograd.gradients(b.build(), loss, List.of(e));
        double[] ge = GradCheck.run(g, Map.of("x", HostTensor.ofDoubles(new double[] {0, 2}, 2), "e", HostTensor.ofDoubles(new double[] {2, 3}, 2))).get("grad:e");
        assertEquals(0, ge[0]);
        assertEquals(8 * Math.log(2), ge[1], 1e-12);
    }

    @Test
    void whereAndMask() {
        HostTensor m = HostTensor.of(DType.BOOL, Shape.of(2, 1), new float[] {1, 0});
        check("where", x -> x[0].builder().constant(m).where(x[0], x[1]), inputs(9, -2, 2, S23, Shape.of(3)));
    }

    @Test
    void reductions() {
        Shape s = Shape.of(2, 3, 4);
        for (boolean keep : new boolean[] {false, true}) {
            check("sum " + keep, x -> x[0].sum(new int[] {0, 2}, keep), inputs(10, -2, 2, s));
            check("mean " + keep, x -> x[0].mean(new int[] {1}, keep), inputs(11, -2, 2, s));
            check("max " + keep, x -> x[0].max(new int[] {1, 2}, keep), inputs(12, -2, 2, s));
            check("min " + keep, x -> x[0].min(new int[] {0}, keep), inputs(13, -2, 2, s));
        }
        check("mean all", x -> x[0].mean(), inputs(14, -2, 2, s));
        check("empty axes", x -> x[0].builder().apply(new Op.Reduce(dev.jasg.core.ReduceOp.MEAN, dev.jasg.core.Ints.of(), false), x[0]),
                inputs(15, -2, 2, s));
        check("count", x -> x[0].mul(x[0].count(1)), inputs(16, -2, 2, S23));
        check("argmax beside a path", x -> x[0].mul(x[0].argmax(1, true).cast(DType.F64)), inputs(17, -2, 2, S23));
    }

    @Test
    void maxSharesTiesEvenly() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, 4);
        Tensor loss = x.max();
        Graph g = Autograd.gradients(b.build(), loss, List.of(x));
        double[] gx = GradCheck.run(g, Map.of("x", HostTensor.ofDoubles(new double[] {3, 1, 3, 2}, 4))).get("grad:x");
        assertArrayEquals(new double[] {0.5, 0, 0.5, 0}, gx);
    }

    @Test
    void matmulShapes() {
        Shape[][] cases = {
            {Shape.of(2, 3), Shape.of(3, 4)}, {Shape.of(3), Shape.of(3, 4)}, {Shape.of(2, 3), Shape.of(3)},
            {Shape.of(3), Shape.of(3)}, {Shape.of(2, 2, 3), Shape.of(3, 4)}, {Shape.of(2, 1, 2, 3), Shape.of(3, 3, 2)},
            {Shape.of(3), Shape.of(2, 3, 2)}, {Shape.of(2, 2, 3), Shape.of(3)}};
        for (Shape[] c : cases) check("matmul " + c[0] + c[1], x -> x[0].matmul(x[1]), inputs(18, -1, 1, c));
    }

    @Test
    void shapeOps() {
        Shape s = Shape.of(2, 3, 4);
        check("reshape", x -> x[0].reshape(4, 6), inputs(19, -1, 1, s));
        check("permute", x -> x[0].permute(2, 0, 1), inputs(20, -1, 1, s));
        check("expand", x -> x[0].expand(2, 3, 4), inputs(21, -1, 1, Shape.of(3, 1)));
        check("slice", x -> x[0].slice(2, 1, 4, 2), inputs(22, -1, 1, s));
        check("slice_scatter", x -> x[0].builder().apply(new Op.SliceScatter(1, 1, 2, 7), x[0]), inputs(23, -1, 1, s));
        check("concat", x -> Tensor.concat(1, x[0], x[1], x[2]), inputs(24, -1, 1, Shape.of(2, 1), Shape.of(2, 3), Shape.of(2, 2)));
        check("stack", x -> Tensor.stack(0, x[0], x[1]), inputs(25, -1, 1, S23, S23));
        check("select", x -> x[0].select(1, 2), inputs(26, -1, 1, s));
    }

    @Test
    void softmaxes() {
        check("softmax 1", x -> x[0].softmax(1), inputs(27, -2, 2, S23));
        check("softmax 0", x -> x[0].softmax(0), inputs(28, -2, 2, S23));
        check("log_softmax 1", x -> x[0].logSoftmax(1), inputs(29, -2, 2, S23));
        check("log_softmax 0", x -> x[0].logSoftmax(0), inputs(30, -2, 2, S23));
    }

    @Test
    void castBetweenFloatsCastsTheGradientBack() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, 3);
        Tensor loss = x.cast(DType.F32).mul(3).cast(DType.F64).sum();
        Graph g = Autograd.gradients(b.build(), loss, List.of(x));
        assertEquals(DType.F64, g.output("grad:x").dtype());
        double[] gx = GradCheck.run(g, Map.of("x", HostTensor.ofDoubles(new double[] {0.1, 0.2, 0.3}, 3))).get("grad:x");
        assertArrayEquals(new double[] {3, 3, 3}, gx);
    }
}
