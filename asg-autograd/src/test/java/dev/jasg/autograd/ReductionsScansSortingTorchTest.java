package dev.jasg.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Reductions, scans, sorting and indexing along an axis against values PyTorch 1.13 computed in float64
 * (Debian's python3-torch). Each expected value comes from the one-liner in the comment above it, run after
 * {@code import torch, math; d = torch.float64}; gradients are of {@code (f(x) * w).sum()}, {@code w} ones unless given:
 * {@code x = x.requires_grad_(); (f(x) * w).sum().backward(); x.grad}.
 */
class ReductionsScansSortingTorchTest {
    private static final double TOL = 1e-9;
    private static final double INF = Double.POSITIVE_INFINITY;

    // x = torch.tensor([[1.,-3.,0.5],[2.,0.,-4.]], dtype=d)
    private static final HostTensor N = HostTensor.ofDoubles(new double[] {1, -3, 0.5, 2, 0, -4}, 2, 3);
    // p = torch.tensor([[2.,0.,3.,-1.],[0.,4.,0.,5.],[1.5,-2.,0.5,3.]], dtype=d)
    private static final HostTensor P = HostTensor.ofDoubles(new double[] {2, 0, 3, -1, 0, 4, 0, 5, 1.5, -2, 0.5, 3}, 3, 4);
    // X = torch.arange(1., 13., dtype=d).reshape(3, 4)
    private static final HostTensor X = HostTensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4);

    private static Tensor in(GraphBuilder b, HostTensor v) {
        return b.input("x", DType.F64, v.shape());
    }

    /** The outputs of {@code f(x)} on the reference backend, in order. */
    private static double[][] values(HostTensor x, Function<Tensor, Tensor[]> f) {
        GraphBuilder b = new GraphBuilder();
        Tensor[] ys = f.apply(in(b, x));
        for (int i = 0; i < ys.length; i++) b.output("y" + i, ys[i]);
        Map<String, double[]> out = GradCheck.run(b.build(), Map.of("x", x));
        double[][] r = new double[ys.length][];
        for (int i = 0; i < r.length; i++) r[i] = out.get("y" + i);
        return r;
    }

    private static double[] value(HostTensor x, Function<Tensor, Tensor> f) {
        return values(x, t -> new Tensor[] {f.apply(t)})[0];
    }

    /** The gradient of {@code sum(f(x) * w)} ({@code w} null: ones). */
    private static double[] grad(HostTensor x, double[] w, Function<Tensor, Tensor> f) {
        GraphBuilder b = new GraphBuilder();
        Tensor xt = in(b, x);
        Tensor y = f.apply(xt);
        Tensor loss = w == null ? y.sum() : y.mul(b.constant(HostTensor.fromDoubles(DType.F64, y.shape(), w))).sum();
        Graph g = Autograd.gradients(b.build(), loss, List.of(xt));
        return GradCheck.run(g, Map.of("x", x)).get("grad:x");
    }

    private static Tensor ints(Tensor like, int[] v, int... dims) {
        return like.builder().constant(HostTensor.ofInts(v, dims));
    }

    private static void near(double[] want, double[] got, String what) {
        assertArrayEquals(want, got, TOL, what);
    }

    @Test
    void sortIsStableWithTiesBothWays() {
        HostTensor x = HostTensor.ofDoubles(new double[] {2, 1, 2, 0, 1, 2, 3, 3, 1, 1, 3, 0}, 2, 6);
        // torch.sort(x, dim=1, stable=True)
        double[][] up = values(x, t -> t.sort(1, false));
        near(new double[] {0, 1, 1, 2, 2, 2, 0, 1, 1, 3, 3, 3}, up[0], "ascending values");
        near(new double[] {3, 1, 4, 0, 2, 5, 5, 2, 3, 0, 1, 4}, up[1], "ascending indices");
        // torch.sort(x, dim=1, descending=True, stable=True)
        double[][] down = values(x, t -> t.sort(1, true));
        near(new double[] {2, 2, 2, 1, 1, 0, 3, 3, 3, 1, 1, 0}, down[0], "descending values");
        near(new double[] {0, 2, 5, 1, 4, 3, 0, 1, 4, 2, 3, 5}, down[1], "descending indices");
    }

    @Test
    void topkValuesIndicesAndGradient() {
        HostTensor t = HostTensor.ofDoubles(new double[] {0.3, -1.2, 2.5, 0.7, 1.1, 4.0, -0.5, 0.2, 3.3, -2.0}, 2, 5);
        // torch.topk(t, 3)
        double[][] top = values(t, x -> x.topk(3));
        near(new double[] {2.5, 1.1, 0.7, 4.0, 3.3, 0.2}, top[0], "topk values");
        near(new double[] {2, 4, 3, 0, 3, 2}, top[1], "topk indices");
        // w = [[1,2,3],[4,5,6]]; f = lambda z: torch.topk(z, 3).values
        near(new double[] {0, 0, 1, 3, 2, 4, 0, 6, 5, 0}, grad(t, new double[] {1, 2, 3, 4, 5, 6}, x -> x.topk(3)[0]), "topk gradient");
        // torch.topk(t, 2, largest=False)
        double[][] low = values(t, x -> x.topk(2, -1, false, true));
        near(new double[] {-1.2, 0.3, -2.0, -0.5}, low[0], "smallest values");
        near(new double[] {1, 0, 4, 1}, low[1], "smallest indices");
    }

    @Test
    void normVariants() {
        // torch.norm(x)
        near(new double[] {5.5}, value(N, Tensor::norm), "2-norm");
        near(new double[] {1 / 5.5, -3 / 5.5, 0.5 / 5.5, 2 / 5.5, 0, -4 / 5.5}, grad(N, null, Tensor::norm), "2-norm gradient");
        // torch.norm(x, 1, dim=1)
        near(new double[] {4.5, 6}, value(N, x -> x.norm(1, new int[] {1}, false)), "1-norm");
        near(new double[] {1, -1, 1, 1, 0, -1}, grad(N, null, x -> x.norm(1, new int[] {1}, false)), "1-norm gradient");
        // torch.norm(x, float('inf'), dim=0, keepdim=True)
        near(new double[] {2, 3, 4}, value(N, x -> x.norm(INF, new int[] {0}, true)), "inf-norm");
        near(new double[] {0, -1, 0, 1, 0, -1}, grad(N, null, x -> x.norm(INF, new int[] {0}, true)), "inf-norm gradient");
        // torch.norm(x, float('-inf'), dim=1)
        near(new double[] {0.5, 0}, value(N, x -> x.norm(-INF, new int[] {1}, false)), "-inf-norm");
        near(new double[] {0, 0, 1, 0, 0, 0}, grad(N, null, x -> x.norm(-INF, new int[] {1}, false)), "-inf-norm gradient");
        // torch.norm(x, 'fro', dim=(0,1))
        near(new double[] {5.5}, value(N, x -> x.norm("fro", new int[] {0, 1}, false)), "fro");
        // torch.norm(x, 3, dim=1)
        near(new double[] {3.0411009978, 4.1601676461}, round10(value(N, x -> x.norm(3, new int[] {1}, false))), "3-norm");
        near(new double[] {0.1081280355, -0.9731523193, 0.0270320089, 0.2311204248, 0, -0.9244816991},
                round10(grad(N, null, x -> x.norm(3, new int[] {1}, false))), "3-norm gradient");
        // torch.norm(x, 0)
        near(new double[] {5}, value(N, x -> x.norm(0)), "0-norm");
        // z = torch.tensor([[0.,0.],[3.,4.]], dtype=d); torch.norm(z, 2, dim=1): gradient 0 at a zero norm, not NaN
        HostTensor z = HostTensor.ofDoubles(new double[] {0, 0, 3, 4}, 2, 2);
        near(new double[] {0, 5}, value(z, x -> x.norm(2, new int[] {1}, false)), "2-norm of a zero row");
        near(new double[] {0, 0, 0.6, 0.8}, grad(z, null, x -> x.norm(2, new int[] {1}, false)), "2-norm gradient at zero");
        // torch.norm(torch.tensor([[1.,-3.,3.]], dtype=d), float('inf'), dim=1): ties share the gradient
        near(new double[] {0, -0.5, 0.5}, grad(HostTensor.ofDoubles(new double[] {1, -3, 3}, 1, 3), null,
                x -> x.norm(INF, new int[] {1}, false)), "inf-norm ties");
    }

    @Test
    void prodAndCumprodGradientsWithZeros() {
        // torch.prod(p, 1): one zero gives the product of the others, two zeros give 0
        near(new double[] {0, 0, -4.5}, value(P, x -> x.prod(1, false)), "prod");
        near(new double[] {0, -6, 0, 0, 0, 0, 0, 0, -3, 2.25, -9, -1.5}, grad(P, null, x -> x.prod(1, false)), "prod gradient");
        // torch.prod(torch.tensor([[2.,0.],[3.,-1.]], dtype=d))
        near(new double[] {0, -6, 0, 0}, grad(HostTensor.ofDoubles(new double[] {2, 0, 3, -1}, 2, 2), null, Tensor::prod), "prod all gradient");
        // wc = torch.tensor([[1.,-1,2,0.5],[0.5,1,-2,1],[1,1,1,1]], dtype=d); torch.cumprod(p, 1)
        double[] wc = {1, -1, 2, 0.5, 0.5, 1, -2, 1, 1, 1, 1, 1};
        near(new double[] {2, 0, 0, 0, 0, 0, 0, 0, 1.5, -3, -1.5, -4.5}, value(P, x -> x.cumprod(1)), "cumprod");
        near(new double[] {1, 7, 0, 0, 4.5, 0, 0, 0, -5, 4.5, -12, -1.5}, grad(P, wc, x -> x.cumprod(1)), "cumprod gradient");
        // torch.cumsum(p, 0)
        near(new double[] {2, 0, 3, -1, 2, 4, 3, 4, 3.5, 2, 3.5, 7}, value(P, x -> x.cumsum(0)), "cumsum");
        near(new double[] {2.5, 1, 1, 2.5, 1.5, 2, -1, 2, 1, 1, 1, 1}, grad(P, wc, x -> x.cumsum(0)), "cumsum gradient");
    }

    @Test
    void gatherAndScatterAlongAxisOne() {
        int[] rep = {0, 3, 2, 2, 1, 0}, distinct = {0, 3, 2, 1, 1, 0};
        // I = torch.tensor([[0,3],[2,2],[1,0]]); torch.gather(X, 1, I)
        near(new double[] {1, 4, 7, 7, 10, 9}, value(X, x -> x.gather(1, ints(x, rep, 3, 2))), "gather");
        // w = [[1,2],[3,4],[5,6]]: the repeated index sums its gradients
        near(new double[] {1, 0, 0, 2, 0, 0, 7, 0, 6, 5, 0, 0},
                grad(X, new double[] {1, 2, 3, 4, 5, 6}, x -> x.gather(1, ints(x, rep, 3, 2))), "gather gradient");
        // S = torch.tensor([[10.,20],[30,40],[50,60]], dtype=d); J = [[0,3],[2,1],[1,0]]; torch.scatter(X, 1, J, S)
        HostTensor s = HostTensor.ofDoubles(new double[] {10, 20, 30, 40, 50, 60}, 3, 2);
        near(new double[] {10, 2, 3, 20, 5, 40, 30, 8, 60, 50, 11, 12},
                value(X, x -> x.scatter(1, ints(x, distinct, 3, 2), x.builder().constant(s))), "scatter");
        // torch.scatter_add(X, 1, I, S)
        near(new double[] {11, 2, 3, 24, 5, 6, 77, 8, 69, 60, 11, 12},
                value(X, x -> x.scatterAdd(1, ints(x, rep, 3, 2), x.builder().constant(s))), "scatter_add");
        // torch.scatter(X, 1, J, -1.)
        near(new double[] {-1, 2, 3, -1, 5, -1, -1, 8, -1, -1, 11, 12}, value(X, x -> x.scatter(1, ints(x, distinct, 3, 2), -1)), "scatter value");
        // torch.take_along_dim(X, torch.tensor([[3,0]]), 1)
        near(new double[] {4, 1, 8, 5, 12, 9}, value(X, x -> x.takeAlongDim(ints(x, new int[] {3, 0}, 1, 2), 1)), "take_along_dim");
    }

    @Test
    void gatherOverASymbolicBatchMatchesTheConcreteOne() {
        int[] rep = {0, 3, 2, 2, 1, 0};
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F64, Shape.symbolic("B", 4));
        Tensor idx = b.input("i", DType.I32, Shape.symbolic("B", 2));
        b.output("y", x.gather(1, idx));
        double[] got = GradCheck.run(b.build(), Map.of("x", X, "i", HostTensor.ofInts(rep, 3, 2))).get("y");
        near(new double[] {1, 4, 7, 7, 10, 9}, got, "gather over [B,4]");
    }

    @Test
    void logsumexpIsStable() {
        // torch.logsumexp(torch.tensor([[1000.,1000.],[-math.inf,-math.inf],[0.,math.log(2)]], dtype=d), 1)
        HostTensor l = HostTensor.ofDoubles(new double[] {1000, 1000, -INF, -INF, 0, Math.log(2)}, 3, 2);
        near(new double[] {1000.6931471806, -INF, 1.0986122887}, round10(value(l, x -> x.logsumexp(1, false))), "logsumexp");
        HostTensor f = HostTensor.ofDoubles(new double[] {1000, 1000, 0, Math.log(2)}, 2, 2);
        near(new double[] {0.5, 0.5, 1 / 3.0, 2 / 3.0}, grad(f, null, x -> x.logsumexp(1, false)), "logsumexp gradient");
    }

    @Test
    void maxWithIndicesGivesOneIndexTheGradientAmaxSplitsIt() {
        HostTensor m = HostTensor.ofDoubles(new double[] {1, 3, 3, 2}, 1, 4);
        // torch.max(m, 1): (3, index 1), the gradient all to index 1
        double[][] v = values(m, x -> x.maxWithIndices(1, false));
        near(new double[] {3}, v[0], "max values");
        near(new double[] {1}, v[1], "max indices");
        near(new double[] {0, 1, 0, 0}, grad(m, null, x -> x.maxWithIndices(1, false)[0]), "max(dim) gradient");
        // torch.amax(m, 1): the gradient shared by the tied maxima
        near(new double[] {0, 0.5, 0.5, 0}, grad(m, null, x -> x.amax(new int[] {1}, false)), "amax gradient");
    }

    private static double[] round10(double[] v) {
        double[] r = v.clone();
        for (int i = 0; i < r.length; i++) if (Double.isFinite(r[i])) r[i] = Math.round(r[i] * 1e10) / 1e10;
        return r;
    }
}
