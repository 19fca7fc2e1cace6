package dev.jasg.autograd;

import static dev.jasg.autograd.GradCheck.check;
import static dev.jasg.autograd.GradCheck.inputs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Composite expressions and second derivatives against central differences in double precision. */
class AutogradNumericTest {

    @Test
    void twoLayerMlpWithSoftmaxCrossEntropy() {
        float[] oneHot = new float[4 * 3];
        int[] labels = {0, 2, 1, 2};
        for (int i = 0; i < labels.length; i++) oneHot[i * 3 + labels[i]] = 1;
        HostTensor target = HostTensor.of(DType.F64, Shape.of(4, 3), oneHot);
        check("mlp", x -> {
            Tensor h = x[0].matmul(x[1]).add(x[2]).relu();
            Tensor logits = h.matmul(x[3]).add(x[4]);
            Tensor t = x[0].builder().constant(target);
            return logits.logSoftmax(1).mul(t).sum(1).mean().neg();
        }, inputs(40, -1, 1, Shape.of(4, 5), Shape.of(5, 6), Shape.of(6), Shape.of(6, 3), Shape.of(3)));
    }

    @Test
    void diamondAccumulatesEveryUse() {
        check("diamond", x -> {
            Tensor h = x[0].exp();
            return h.mul(h.sin()).add(h).div(x[1].add(h));
        }, inputs(41, 0.1, 1, Shape.of(2, 3), Shape.of(3)));
    }

    @Test
    void broadcastingAddOfColumnAndRow() {
        check("[3,1]+[4]", x -> x[0].add(x[1]).tanh(), inputs(42, -1, 1, Shape.of(3, 1), Shape.of(4)));
    }

    @Test
    void matmulWithOneDimensionalOperands() {
        check("v @ M @ u", x -> x[0].matmul(x[1]).matmul(x[2]), inputs(43, -1, 1, Shape.of(3), Shape.of(3, 4), Shape.of(4)));
    }

    @Test
    void detachPassesTheValueButNoGradient() {
        double[] xs = {-1.5, -0.2, 0.7, 2.0};
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, xs.length);
        Tensor loss = x.mul(x.detach()).sum();  // value sum x^2; gradient x (only the first factor), not 2x
        b.output("loss", loss);
        Graph fwd = b.build();
        Graph g = Autograd.gradients(fwd, loss, List.of(x));
        Map<String, double[]> out = GradCheck.run(g, Map.of("x", HostTensor.ofDoubles(xs, xs.length)));
        for (int i = 0; i < xs.length; i++) assertEquals(xs[i], out.get("grad:x")[i], 0);
    }

    @Test
    void secondDerivativeOfSumOfCubesIsSixX() {
        double[] xs = {-1.5, -0.2, 0.7, 2.0};
        double[] d2 = secondDerivativeDiagonal(x -> x.pow(3).sum(), xs);
        for (int i = 0; i < xs.length; i++) assertEquals(6 * xs[i], d2[i], 1e-12);
    }

    @Test
    void secondDerivativeOfSumOfTanh() {
        double[] xs = {-1.5, -0.2, 0.7, 2.0};
        double[] d2 = secondDerivativeDiagonal(x -> x.tanh().sum(), xs);
        for (int i = 0; i < xs.length; i++) {
            double t = Math.tanh(xs[i]);
            assertEquals(-2 * t * (1 - t * t), d2[i], 1e-12);
        }
    }

    @Test
    void hessianVectorProductsMatchDifferencesOfGradients() {
        Shape s = Shape.of(2, 3);
        hvp("tanh*sigmoid", x -> x[0].tanh().mul(x[1].sigmoid()).sum(), s, s);
        hvp("gelu/div", x -> x[0].gelu().div(x[1].exp().add(1)).sum(), s, s);
        hvp("pow", x -> x[0].exp().pow(x[1]).sum(), s, s);
        hvp("softmax ce", x -> x[0].mul(x[1]).logSoftmax(1).select(1, 0).sum().add(x[0].softmax(0).square().sum()), s, s);
        hvp("matmul mean", x -> x[0].matmul(x[1].mT()).tanh().mean(), s, s);
        hvp("erf silu", x -> x[0].erf().mul(x[1].silu()).sum().add(x[0].mul(x[1]).gelu("tanh").sum()), s, s);
        hvp("rsqrt log", x -> x[0].square().add(1).rsqrt().mul(x[1].square().add(1).log()).sum(), s, s);
        hvp("softplus elu clamp", x -> x[0].mul(x[1]).softplus(1.5, 20).add(x[1].elu(0.5).mul(x[0])).clamp(-5, 1.2).sum(), s, s);
        hvp("max maximum", x -> x[0].mul(x[1]).max(1, false).sum().add(x[0].maximum(x[1].mul(0.9)).mul(x[0]).sum()), s, s);
        hvp("shape ops", x -> Tensor.concat(0, x[0].permute(1, 0).slice(0, 0, 3, 2), x[1].mT()).expm1().mul(x[0].sum(1).unsqueeze(0)).sum(), s, s);
        hvp("normalize", x -> x[0].normalize(new int[] {1}, 1e-5).mul(x[1]).square().sum(), s, s);
        hvp("normalize two axes", x -> x[0].mul(x[1]).normalize(new int[] {0, 1}, 1e-3).tanh().sum(), s, s);
        hvp("gather scatter_add", x -> x[0].gather(x[0].builder().constant(dev.jasg.core.HostTensor.ofInts(new int[] {1, 0}, 2)))
                .tanh().mul(x[1]).scatterAdd(x[0].builder().constant(dev.jasg.core.HostTensor.ofInts(new int[] {1, 1}, 2)), 3)
                .exp().sum(), s, s);
        hvp("where sqrt", x -> x[0].gt(0.7).where(x[1].sqrt(), x[0].log1p()).mul(x[0]).sum(), s, s);
    }

    @Test
    void hessianVectorProductsThroughConvolutionAndPooling() {
        Shape x = Shape.of(2, 2, 5, 4), w = Shape.of(4, 1, 2, 3);
        ConvGeometry geo = new ConvGeometry(2, 1, 1, 0, 0, 1, 1, 2, 2);
        hvp("conv2d tanh", t -> t[0].conv2d(t[1], geo).tanh().sum(), x, w);
        hvp("conv_transpose2d square", t -> t[0].convTranspose2d(t[1], ConvGeometry.of(2, 1, 1, 1), 1, 0).square().sum(),
                Shape.of(1, 3, 3, 2), Shape.of(3, 2, 3, 2));
        hvp("max_pool2d of a square", t -> t[0].mul(t[1]).maxPool2d(PoolWindow.Fixed.of(2, 2, 0)).square().sum(), x, x);
    }

    @Test
    void symbolicBatchGradients() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, "B", 3);
        Tensor w = b.input("w", DType.F64, 3);
        Tensor loss = x.add(w).square().mean();
        Graph g = Autograd.gradients(b.build(), loss, List.of(w, x));
        assertEquals(Shape.of(3), g.output("grad:w").shape());
        assertEquals(Shape.symbolic("B", 3), g.output("grad:x").shape());
        double[] xv = {0.1, 0.2, 0.3, -0.4, 0.5, 0.6};
        double[] wv = {1, -2, 3};
        Map<String, double[]> out = GradCheck.run(g, Map.of("x", HostTensor.ofDoubles(xv, 2, 3), "w", HostTensor.ofDoubles(wv, 3)));
        for (int j = 0; j < 3; j++) {
            double expected = 0;
            for (int i = 0; i < 2; i++) expected += 2 * (xv[i * 3 + j] + wv[j]) / 6;
            assertEquals(expected, out.get("grad:w")[j], 1e-12);
            assertEquals(2 * (xv[j] + wv[j]) / 6, out.get("grad:x")[j], 1e-12);
        }
    }

    /** d/dx_i of (d f / d x_i), via a gradient graph continuing the first gradient graph. */
    private static double[] secondDerivativeDiagonal(Function<Tensor, Tensor> f, double[] values) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, values.length);
        Tensor loss = f.apply(x);
        Graph fwd = b.build();
        Graph g1 = Autograd.gradients(fwd, loss, List.of(x));
        GraphBuilder c = new GraphBuilder(g1);
        Tensor s = c.tensor(g1.outputs().get("grad:x")).sum();
        c.output("sum_grad", s);
        Graph g1s = c.build();
        Graph g2 = Autograd.gradients(g1s, s, List.of(x));
        assertTrue(g2.extendsGraph(fwd));
        return GradCheck.run(g2, Map.of("x", HostTensor.ofDoubles(values, values.length))).get("grad:x");
    }

    /**
     * Checks H r for every input pair: the second gradient of {@code sum(r * grad f)} with
     * respect to {@code x_j} against central differences of the evaluated first gradient.
     */
    private static void hvp(String what, Function<Tensor[], Tensor> f, Shape... shapes) {
        GraphBuilder b = new GraphBuilder();
        Tensor[] xs = new Tensor[shapes.length];
        for (int i = 0; i < xs.length; i++) xs[i] = b.input("x" + i, DType.F64, shapes[i]);
        Tensor loss = f.apply(xs);
        Graph fwd = b.build();
        Graph g1 = Autograd.gradients(fwd, loss, List.of(xs));
        GraphBuilder c = new GraphBuilder(g1);
        Random rnd = new Random(what.hashCode());
        Tensor contracted = null;
        for (int i = 0; i < xs.length; i++) {
            Tensor gi = c.tensor(g1.outputs().get("grad:x" + i));
            Tensor term = gi.mul(c.constant(GradCheck.random(rnd, shapes[i], 0.5, 1.5))).sum();
            contracted = contracted == null ? term : contracted.add(term);
        }
        c.output("contracted", contracted);
        Graph g1c = c.build();
        Tensor[] again = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) again[i] = xs[i];
        Graph g2 = Autograd.gradients(g1c, contracted.id(), java.util.Arrays.stream(again).mapToInt(Tensor::id).toArray());

        Map<String, HostTensor> feeds = new HashMap<>();
        List<HostTensor> values = inputs(what.hashCode() + 1, 0.2, 1.2, shapes);
        for (int i = 0; i < xs.length; i++) feeds.put("x" + i, values.get(i));
        Map<String, double[]> out = GradCheck.run(g2, feeds);
        double h = 1e-6;
        for (int j = 0; j < xs.length; j++) {
            double[] analytic = out.get("grad:x" + j);
            double[] base = values.get(j).toDoubles();
            for (int k = 0; k < base.length; k++) {
                double[] p = base.clone(), m = base.clone();
                p[k] += h;
                m[k] -= h;
                feeds.put("x" + j, HostTensor.ofDoubles(p, shapes[j].dims()));
                double lp = GradCheck.run(g1c, feeds).get("contracted")[0];
                feeds.put("x" + j, HostTensor.ofDoubles(m, shapes[j].dims()));
                double lm = GradCheck.run(g1c, feeds).get("contracted")[0];
                feeds.put("x" + j, values.get(j));
                double numeric = (lp - lm) / (2 * h);
                assertEquals(numeric, analytic[k], 1e-6 * Math.max(1, Math.abs(numeric)), what + ": x" + j + "[" + k + "]\n" + g2.toText());
            }
        }
    }
}
