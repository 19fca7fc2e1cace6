package dev.jasg.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the losses against central differences, in double precision on the reference
 * backend (F64 feeds), then the same gradient graph on the CPU backend in float.
 */
class LossGradientTest {
    private static final double H = 1e-6;

    private static HostTensor f64(Random rnd, double lo, double hi, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
        return HostTensor.ofDoubles(v, dims);
    }

    private static HostTensor f64(double[] v, int... dims) {
        return HostTensor.ofDoubles(v, dims);
    }

    /** The forward graph over inputs {@code x0, x1, ...} of the values' shapes, float ones as {@code floatType}. */
    private static Graph forward(String what, Function<Tensor[], Tensor> lossFn, HostTensor[] in, DType floatType, List<Tensor> wrt) {
        GraphBuilder b = new GraphBuilder();
        Tensor[] xs = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) xs[i] = b.input("x" + i, in[i].dtype().isFloat() ? floatType : in[i].dtype(), in[i].shape());
        Tensor loss = lossFn.apply(xs);
        assertEquals(0, loss.rank(), what + ": the loss must be a scalar");
        b.output("loss", loss);
        for (Tensor x : xs) if (x.dtype().isFloat()) wrt.add(x);
        wrt.add(0, loss);
        return b.build();
    }

    /**
     * Checks {@code d loss / d x} for every float input {@code x} against central differences
     * in double precision, then checks the CPU backend's float gradients against those;
     * {@code loss} must be a scalar (a reduction other than NONE).
     */
    private static void gradCheck(String what, Function<Tensor[], Tensor> lossFn, HostTensor... in) {
        List<Tensor> wrt = new ArrayList<>(), wrt32 = new ArrayList<>();
        Graph fwd = forward(what, lossFn, in, DType.F64, wrt), fwd32 = forward(what, lossFn, in, DType.F32, wrt32);
        Tensor loss = wrt.remove(0), loss32 = wrt32.remove(0);
        Graph grad = Autograd.gradients(fwd, loss, wrt), grad32 = Autograd.gradients(fwd32, loss32, wrt32);

        Map<String, HostTensor> feeds = LossHarness.feeds(in);
        Map<String, HostTensor> feeds32 = new LinkedHashMap<>();
        feeds.forEach((k, v) -> feeds32.put(k, v.dtype().isFloat() ? HostTensor.fromDoubles(DType.F32, v.shape(), v.toDoubles()) : v));
        try (Executable f = LossHarness.REFERENCE.compile(fwd); Executable g = LossHarness.REFERENCE.compile(grad);
             Executable gCpu = LossHarness.CPU.compile(grad32)) {
            Outputs analyticOut = g.run(feeds);
            Map<String, double[]> analytic = new LinkedHashMap<>();
            for (Tensor x : wrt) {
                String name = ((Op.Input) x.node().op()).name();
                analytic.put(name, analyticOut.get("grad:" + name).toDoubles());
            }
            Outputs cpuOut = gCpu.run(feeds32);
            for (Tensor x : wrt) {
                String name = ((Op.Input) x.node().op()).name();
                double[] a = analytic.get(name);
                double[] cpu = cpuOut.get("grad:" + name).toDoubles();
                double[] base = feeds.get(name).toDoubles();
                int[] dims = feeds.get(name).shape().dims();
                for (int k = 0; k < base.length; k++) {
                    double[] p = base.clone(), m = base.clone();
                    p[k] += H;
                    m[k] -= H;
                    feeds.put(name, f64(p, dims));
                    double lp = f.run(feeds).scalar("loss");
                    feeds.put(name, f64(m, dims));
                    double lm = f.run(feeds).scalar("loss");
                    feeds.put(name, f64(base, dims));
                    double numeric = (lp - lm) / (2 * H);
                    if (!(Math.abs(numeric - a[k]) <= 1e-6 * Math.max(1, Math.abs(numeric)))) {
                        fail(what + ": d loss / d " + name + "[" + k + "] analytic " + a[k] + " numeric " + numeric);
                    }
                    if (!(Math.abs(cpu[k] - a[k]) <= 1e-4 * Math.max(1, Math.abs(a[k])))) {
                        fail(what + ": cpu d loss / d " + name + "[" + k + "] is " + cpu[k] + " but the reference gives " + a[k]);
                    }
                }
            }
        }
    }

    @Test
    void regressionLosses() {
        Random rnd = new Random(1);
        HostTensor x = f64(rnd, -2, 2, 3, 4), y = f64(rnd, -2, 2, 3, 4);
        gradCheck("mse", t -> Losses.mseLoss(t[0], t[1]), x, y);
        gradCheck("l1 sum", t -> Losses.l1Loss(t[0], t[1], Reduction.SUM), x, y);
        gradCheck("smooth_l1 beta 1.5", t -> Losses.smoothL1Loss(t[0], t[1], 1.5, Reduction.MEAN), x, y);
        gradCheck("huber delta 0.7", t -> Losses.huberLoss(t[0], t[1], 0.7, Reduction.SUM), x, y);
    }

    @Test
    void crossEntropyWithAllOptions() {
        Random rnd = new Random(2);
        HostTensor logits = f64(rnd, -3, 3, 5, 4);
        HostTensor y = HostTensor.ofInts(new int[] {3, 0, -100, 2, 1}, 5);
        HostTensor w = f64(new double[] {0.5, 1.5, 1, 2}, 4);
        gradCheck("cross_entropy", t -> Losses.crossEntropy(t[0], t[1]), logits, y);
        // the class weight is an input too, so its gradient is checked as well
        gradCheck("cross_entropy weighted smoothed", t -> Losses.crossEntropy(t[0], t[1], t[2], -100, 0.15, Reduction.MEAN), logits, y, w);
        HostTensor probs = f64(new double[] {0.1, 0.2, 0.3, 0.4, 1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25, 0, 0, 0.5, 0.5, 0.7, 0.1, 0.1, 0.1}, 5, 4);
        gradCheck("cross_entropy probabilities", t -> Losses.crossEntropy(t[0], t[1], null, -100, 0.1, Reduction.MEAN), logits, probs);
        HostTensor spatial = f64(rnd, -2, 2, 2, 3, 2);
        gradCheck("cross_entropy spatial", t -> Losses.crossEntropy(t[0], t[1]), spatial, HostTensor.ofInts(new int[] {0, 2, 1, 1}, 2, 2));
    }

    @Test
    void binaryAndDivergenceLosses() {
        Random rnd = new Random(3);
        HostTensor logits = f64(rnd, -3, 3, 3, 2), target = f64(rnd, 0, 1, 3, 2);
        gradCheck("bce_with_logits pos_weight", t -> Losses.bceWithLogits(t[0], t[1], null, t[2], Reduction.MEAN), logits, target, f64(new double[] {2, 0.5}, 2));
        gradCheck("focal", t -> Losses.focal(t[0], t[1]), logits, target);
        gradCheck("bce", t -> Losses.binaryCrossEntropy(t[0], t[1]), f64(rnd, 0.05, 0.95, 3, 2), target);
        HostTensor logQ = f64(new double[] {Math.log(0.2), Math.log(0.3), Math.log(0.5), Math.log(0.6), Math.log(0.3), Math.log(0.1)}, 2, 3);
        HostTensor p = f64(new double[] {0.1, 0.6, 0.3, 0.5, 0.25, 0.25}, 2, 3);
        gradCheck("kl_div batchmean", t -> Losses.klDiv(t[0], t[1], Reduction.BATCHMEAN), logQ, p);
        gradCheck("kl_div log_target", t -> Losses.klDiv(t[0], t[1], true, Reduction.SUM), logQ, logQ.reshape(3, 2).reshape(2, 3));
    }

    @Test
    void embeddingAndMarginLosses() {
        Random rnd = new Random(4);
        HostTensor a = f64(rnd, -1, 1, 3, 4), p = f64(rnd, -1, 1, 3, 4), n = f64(rnd, -1, 1, 3, 4);
        gradCheck("triplet margin 3", t -> Losses.tripletMargin(t[0], t[1], t[2], 3, 2, Reduction.MEAN), a, p, n);
        gradCheck("cosine_embedding", t -> Losses.cosineEmbedding(t[0], t[1], t[2], -0.9, Reduction.SUM), a, p, HostTensor.ofInts(new int[] {1, -1, -1}, 3));
        gradCheck("squared hinge", t -> Losses.squaredHinge(t[0], t[1]), f64(rnd, -1, 1, 3, 5), HostTensor.ofInts(new int[] {4, 0, 2}, 3));
    }
}
