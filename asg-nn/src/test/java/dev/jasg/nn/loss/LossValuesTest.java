package dev.jasg.nn.loss;

import static dev.jasg.nn.loss.LossHarness.check;
import static dev.jasg.nn.loss.LossHarness.checkReductions;
import static dev.jasg.nn.loss.LossHarness.f32;
import static dev.jasg.nn.loss.LossHarness.i32;
import static dev.jasg.nn.loss.LossHarness.logSumExp;
import static dev.jasg.nn.loss.LossHarness.sum;

import dev.jasg.core.HostTensor;
import org.junit.jupiter.api.Test;

/** Every loss on small cases whose expected values are written out or computed in plain double arithmetic here. */
class LossValuesTest {
    private static final HostTensor X = f32(new double[] {1, 2, 3, 4}, 2, 2);
    private static final HostTensor Y = f32(new double[] {1.5, 2, 2, 6}, 2, 2);

    @Test
    void mseAndL1() {
        // d = x - y = -0.5, 0, 1, -2
        checkReductions("mse", new double[] {0.25, 0, 1, 4}, r -> t -> Losses.mseLoss(t[0], t[1], r), X, Y);
        checkReductions("l1", new double[] {0.5, 0, 1, 2}, r -> t -> Losses.l1Loss(t[0], t[1], r), X, Y);
        check("mse default mean", new double[] {5.25 / 4}, t -> Losses.mseLoss(t[0], t[1]), X, Y);
        check("l1 default mean", new double[] {3.5 / 4}, t -> Losses.l1Loss(t[0], t[1]), X, Y);
    }

    @Test
    void smoothL1AndHuber() {
        // |d| < beta: 0.5 d^2 / beta, else |d| - beta / 2
        checkReductions("smooth_l1 beta 1", new double[] {0.125, 0, 0.5, 1.5}, r -> t -> Losses.smoothL1Loss(t[0], t[1], 1, r), X, Y);
        checkReductions("smooth_l1 beta 2", new double[] {0.0625, 0, 0.25, 1}, r -> t -> Losses.smoothL1Loss(t[0], t[1], 2, r), X, Y);
        check("smooth_l1 beta 0 is l1", new double[] {0.5, 0, 1, 2}, t -> Losses.smoothL1Loss(t[0], t[1], 0, Reduction.NONE), X, Y);
        check("smooth_l1 default", new double[] {2.125 / 4}, t -> Losses.smoothL1Loss(t[0], t[1]), X, Y);
        // |d| < delta: 0.5 d^2, else delta (|d| - delta / 2)
        checkReductions("huber delta 1", new double[] {0.125, 0, 0.5, 1.5}, r -> t -> Losses.huberLoss(t[0], t[1], 1, r), X, Y);
        checkReductions("huber delta 0.5", new double[] {0.125, 0, 0.375, 0.875}, r -> t -> Losses.huberLoss(t[0], t[1], 0.5, r), X, Y);
        check("huber default", new double[] {2.125 / 4}, t -> Losses.huberLoss(t[0], t[1]), X, Y);
    }

    private static final double[][] LOGITS = {{1, 2, 3}, {1, 0, -1}, {0.5, 0.5, 2}, {-1, 3, 0}};
    private static final HostTensor LOGITS_T = f32(flat(LOGITS), 4, 3);

    /** {@code -log softmax(row)[c]} */
    private static double nll(double[] row, int c) {
        return logSumExp(row) - row[c];
    }

    @Test
    void crossEntropyWithClassIndices() {
        int[] y = {2, 0, 1, 1};
        double[] per = new double[4];
        for (int i = 0; i < 4; i++) per[i] = nll(LOGITS[i], y[i]);
        checkReductions("cross_entropy", per, r -> t -> Losses.crossEntropy(t[0], t[1], r), LOGITS_T, i32(y, 4));
        check("cross_entropy default", new double[] {sum(per) / 4}, t -> Losses.crossEntropy(t[0], t[1]), LOGITS_T, i32(y, 4));
        check("nll_loss of log-probabilities", new double[] {sum(per) / 4},
                t -> Losses.nllLoss(t[0].logSoftmax(1), t[1]), LOGITS_T, i32(y, 4));
        check("nll_loss none", per, t -> Losses.nllLoss(t[0].logSoftmax(1), t[1], Reduction.NONE), LOGITS_T, i32(y, 4));
    }

    @Test
    void crossEntropyWithWeightsAndIgnoredTargets() {
        double[] w = {0.2, 0.3, 0.5};
        int[] y = {2, -100, 1, 0};
        double[] per = new double[4];
        double weightSum = 0;
        for (int i = 0; i < 4; i++) {
            if (y[i] == -100) continue;
            per[i] = w[y[i]] * nll(LOGITS[i], y[i]);
            weightSum += w[y[i]];
        }
        HostTensor weight = f32(w, 3);
        check("weighted none", per, t -> Losses.crossEntropy(t[0], t[1], t[2], -100, 0, Reduction.NONE), LOGITS_T, i32(y, 4), weight);
        check("weighted sum", new double[] {sum(per)}, t -> Losses.crossEntropy(t[0], t[1], t[2], -100, 0, Reduction.SUM), LOGITS_T, i32(y, 4), weight);
        // torch divides by the weights of the targets that count: w[2] + w[1] + w[0] = 1.0 here, not 4
        check("weighted mean", new double[] {sum(per) / weightSum}, t -> Losses.crossEntropy(t[0], t[1], t[2], -100, 0, Reduction.MEAN),
                LOGITS_T, i32(y, 4), weight);
        check("nll weighted mean", new double[] {sum(per) / weightSum},
                t -> Losses.nllLoss(t[0].logSoftmax(1), t[1], t[2], -100, Reduction.MEAN), LOGITS_T, i32(y, 4), weight);

        // ignore_index 1 without weights: the mean is over the 3 targets not equal to 1
        int[] y2 = {2, 0, 1, 1};
        double kept = nll(LOGITS[0], 2) + nll(LOGITS[1], 0);
        check("ignore_index 1", new double[] {kept / 2}, t -> Losses.crossEntropy(t[0], t[1], null, 1, 0, Reduction.MEAN), LOGITS_T, i32(y2, 4));
        check("ignore_index 1 none", new double[] {nll(LOGITS[0], 2), nll(LOGITS[1], 0), 0, 0},
                t -> Losses.crossEntropy(t[0], t[1], null, 1, 0, Reduction.NONE), LOGITS_T, i32(y2, 4));
    }

    @Test
    void crossEntropyWithLabelSmoothing() {
        double e = 0.1;
        int[] y = {2, 0, -100, 1};
        double[] w = {0.2, 0.3, 0.5};
        double[] per = new double[4], perW = new double[4];
        double count = 0, weightSum = 0;
        for (int i = 0; i < 4; i++) {
            if (y[i] == -100) continue;
            double uniform = 0, uniformW = 0;
            for (int c = 0; c < 3; c++) {
                uniform += nll(LOGITS[i], c);
                uniformW += w[c] * nll(LOGITS[i], c);
            }
            per[i] = (1 - e) * nll(LOGITS[i], y[i]) + e / 3 * uniform;
            perW[i] = (1 - e) * w[y[i]] * nll(LOGITS[i], y[i]) + e / 3 * uniformW;
            count++;
            weightSum += w[y[i]];
        }
        check("smoothed none", per, t -> Losses.crossEntropy(t[0], t[1], null, -100, e, Reduction.NONE), LOGITS_T, i32(y, 4));
        check("smoothed mean", new double[] {sum(per) / count}, t -> Losses.crossEntropy(t[0], t[1], null, -100, e, Reduction.MEAN), LOGITS_T, i32(y, 4));
        check("smoothed weighted mean", new double[] {sum(perW) / weightSum},
                t -> Losses.crossEntropy(t[0], t[1], t[2], -100, e, Reduction.MEAN), LOGITS_T, i32(y, 4), f32(w, 3));
        check("smoothed weighted sum", new double[] {sum(perW)},
                t -> Losses.crossEntropy(t[0], t[1], t[2], -100, e, Reduction.SUM), LOGITS_T, i32(y, 4), f32(w, 3));
    }

    @Test
    void crossEntropyWithClassProbabilities() {
        double[][] p = {{0.1, 0.2, 0.7}, {1, 0, 0}, {0.3, 0.3, 0.4}, {0, 0.5, 0.5}};
        double[] w = {0.2, 0.3, 0.5};
        double e = 0.2;
        double[] per = new double[4], perSmoothW = new double[4];
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 3; c++) {
                per[i] += p[i][c] * nll(LOGITS[i], c);
                perSmoothW[i] += w[c] * ((1 - e) * p[i][c] + e / 3) * nll(LOGITS[i], c);
            }
        }
        HostTensor probs = f32(flat(p), 4, 3);
        checkReductions("probability targets", per, r -> t -> Losses.crossEntropy(t[0], t[1], r), LOGITS_T, probs);
        // the mean over probability targets divides by N, not by the weights
        check("probability targets weighted smoothed mean", new double[] {sum(perSmoothW) / 4},
                t -> Losses.crossEntropy(t[0], t[1], t[2], -100, e, Reduction.MEAN), LOGITS_T, probs, f32(w, 3));
    }

    @Test
    void crossEntropyOverSpatialAxesAndUnbatched() {
        // input [N=2, C=3, d=2]: element (n, :, k) is a class-score vector
        double[] in = {1, 2, 0, -1, 3, 0.5, /* n=1 */ 0, 0, 1, 2, -2, 1};
        int[] y = {2, 0, 1, -100};
        double[] per = new double[4];
        for (int n = 0; n < 2; n++) {
            for (int k = 0; k < 2; k++) {
                double[] row = new double[3];
                for (int c = 0; c < 3; c++) row[c] = in[n * 6 + c * 2 + k];
                int target = y[n * 2 + k];
                per[n * 2 + k] = target < 0 ? 0 : nll(row, target);
            }
        }
        check("spatial none", per, t -> Losses.crossEntropy(t[0], t[1], Reduction.NONE), f32(in, 2, 3, 2), i32(y, 2, 2));
        check("spatial mean", new double[] {sum(per) / 3}, t -> Losses.crossEntropy(t[0], t[1]), f32(in, 2, 3, 2), i32(y, 2, 2));
        check("unbatched", new double[] {nll(new double[] {1, 2, 3}, 1)}, t -> Losses.crossEntropy(t[0], t[1]),
                f32(new double[] {1, 2, 3}, 3), i32(new int[] {1}));
    }

    @Test
    void multiMarginHinge() {
        // torch's documented example: x = [0.1, 0.2, 0.4, 0.8], y = 3 gives 0.325 (p = 1)
        double[] x = {0.1, 0.2, 0.4, 0.8, /* row 2 */ 0.5, -0.5, 0.9, 0.0};
        int[] y = {3, 0};
        double[] hinge = {(0.3 + 0.4 + 0.6) / 4, (0 + 0.0 + 1.4 + 0.5) / 4};
        double[] squared = {(0.09 + 0.16 + 0.36) / 4, (0 + 1.96 + 0.25) / 4};
        checkReductions("hinge", hinge, r -> t -> Losses.hinge(t[0], t[1], 1, null, r), f32(x, 2, 4), i32(y, 2));
        checkReductions("squared hinge", squared, r -> t -> Losses.squaredHinge(t[0], t[1], 1, null, r), f32(x, 2, 4), i32(y, 2));
        check("hinge default", new double[] {sum(hinge) / 2}, t -> Losses.hinge(t[0], t[1]), f32(x, 2, 4), i32(y, 2));
        double[] w = {2, 1, 1, 3};
        check("hinge weighted", new double[] {3 * hinge[0], 2 * hinge[1]}, t -> Losses.hinge(t[0], t[1], 1, t[2], Reduction.NONE),
                f32(x, 2, 4), i32(y, 2), f32(w, 4));
        // margin 0.5: row 1 gives max(0, 0.5 - 0.8 + x_j) = 0, 0, 0.1; row 2 gives 0, 0.9, 0
        check("hinge margin 0.5", new double[] {0.1 / 4, 0.9 / 4}, t -> Losses.hinge(t[0], t[1], 0.5, null, Reduction.NONE), f32(x, 2, 4), i32(y, 2));
    }

    @Test
    void binaryCrossEntropyClampsTheLog() {
        double[] x = {0.9, 0.2, 0.5, 0.0, 1.0};
        double[] y = {1, 0, 1, 1, 1};
        // x = 0 with y = 1 reads log(0) = -inf, clamped to -100; x = 1 with y = 1 has (1 - y) = 0 times the clamped -100
        double[] per = {-Math.log(0.9), -Math.log(0.8), -Math.log(0.5), 100, 0};
        checkReductions("bce", per, r -> t -> Losses.binaryCrossEntropy(t[0], t[1], r), f32(x, 5), f32(y, 5));
        double[] w = {1, 2, 3, 0.5, 1};
        double[] perW = new double[5];
        for (int i = 0; i < 5; i++) perW[i] = per[i] * w[i];
        check("bce weighted", perW, t -> Losses.binaryCrossEntropy(t[0], t[1], t[2], Reduction.NONE), f32(x, 5), f32(y, 5), f32(w, 5));
    }

    @Test
    void bceWithLogitsIsStable() {
        double[] x = {2, -1, 0, 30, -30, 0.5};
        double[] y = {1, 0, 1, 0, 1, 0.25};
        double[] per = new double[6];
        for (int i = 0; i < 6; i++) per[i] = Math.max(x[i], 0) - x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
        checkReductions("bce_with_logits", per, r -> t -> Losses.bceWithLogits(t[0], t[1], r), f32(x, 2, 3), f32(y, 2, 3));
        // pos_weight per class along the last axis
        double[] pw = {3, 1, 0.5};
        double[] perP = new double[6];
        for (int i = 0; i < 6; i++) {
            double lw = 1 + (pw[i % 3] - 1) * y[i];
            perP[i] = (1 - y[i]) * x[i] + lw * (Math.log1p(Math.exp(-Math.abs(x[i]))) + Math.max(-x[i], 0));
        }
        check("bce_with_logits pos_weight", perP, t -> Losses.bceWithLogits(t[0], t[1], null, t[2], Reduction.NONE),
                f32(x, 2, 3), f32(y, 2, 3), f32(pw, 3));
        double[] w = {2, 0.5};
        check("bce_with_logits weight and pos_weight sum", new double[] {2 * (perP[0] + perP[1] + perP[2]) + 0.5 * (perP[3] + perP[4] + perP[5])},
                t -> Losses.bceWithLogits(t[0], t[1], t[3], t[2], Reduction.SUM), f32(x, 2, 3), f32(y, 2, 3), f32(pw, 3), f32(w, 2, 1));
    }

    @Test
    void sigmoidFocalLoss() {
        double[] x = {2, -1, 0, 0.5};
        double[] y = {1, 0, 1, 0};
        double[] per = new double[4], perG = new double[4];
        for (int i = 0; i < 4; i++) {
            double p = 1 / (1 + Math.exp(-x[i]));
            double ce = Math.max(x[i], 0) - x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
            double pt = p * y[i] + (1 - p) * (1 - y[i]);
            double at = 0.25 * y[i] + 0.75 * (1 - y[i]);
            per[i] = at * ce * Math.pow(1 - pt, 2);
            perG[i] = ce * Math.pow(1 - pt, 1.5);
        }
        checkReductions("focal", per, r -> t -> Losses.focal(t[0], t[1], 0.25, 2, r), f32(x, 4), f32(y, 4));
        check("focal default mean", new double[] {sum(per) / 4}, t -> Losses.focal(t[0], t[1]), f32(x, 4), f32(y, 4));
        check("focal no alpha gamma 1.5", perG, t -> Losses.focal(t[0], t[1], -1, 1.5, Reduction.NONE), f32(x, 4), f32(y, 4));
    }

    @Test
    void klDivergence() {
        double[][] q = {{0.2, 0.3, 0.5}, {0.1, 0.6, 0.3}};
        double[][] p = {{0.25, 0.25, 0.5}, {0, 0.5, 0.5}};
        double[] logQ = new double[6], per = new double[6], logP = new double[6], perLog = new double[6];
        for (int i = 0; i < 6; i++) {
            double qi = q[i / 3][i % 3], pi = p[i / 3][i % 3];
            logQ[i] = Math.log(qi);
            per[i] = pi == 0 ? 0 : pi * (Math.log(pi) - Math.log(qi));
            logP[i] = Math.log(pi + 0.01);
            perLog[i] = (pi + 0.01) * (logP[i] - logQ[i]);
        }
        HostTensor in = f32(logQ, 2, 3);
        checkReductions("kl_div", per, r -> t -> Losses.klDiv(t[0], t[1], r), in, f32(flat(p), 2, 3));
        check("kl_div batchmean", new double[] {sum(per) / 2}, t -> Losses.klDiv(t[0], t[1], Reduction.BATCHMEAN), in, f32(flat(p), 2, 3));
        check("kl_div log_target", perLog, t -> Losses.klDiv(t[0], t[1], true, Reduction.NONE), in, f32(logP, 2, 3));
        check("kl_div log_target batchmean", new double[] {sum(perLog) / 2}, t -> Losses.klDiv(t[0], t[1], true, Reduction.BATCHMEAN), in, f32(logP, 2, 3));
    }

    @Test
    void hingeEmbedding() {
        double[] x = {0.3, 1.5, 0.2, 2};
        double[] y = {1, -1, -1, 1};
        checkReductions("hinge_embedding", new double[] {0.3, 0, 0.8, 2}, r -> t -> Losses.hingeEmbedding(t[0], t[1], 1, r), f32(x, 4), f32(y, 4));
        check("hinge_embedding margin 2", new double[] {0.3, 0.5, 1.8, 2}, t -> Losses.hingeEmbedding(t[0], t[1], 2, Reduction.NONE), f32(x, 4), f32(y, 4));
        check("hinge_embedding default", new double[] {3.1 / 4}, t -> Losses.hingeEmbedding(t[0], t[1]), f32(x, 4), f32(y, 4));
    }

    @Test
    void cosineEmbedding() {
        double[][] a = {{1, 0}, {1, 1}, {1, 2}};
        double[][] b = {{0, 1}, {1, 1}, {2, 1}};
        double[] y = {1, -1, -1};
        double[] per0 = new double[3], per5 = new double[3];
        for (int i = 0; i < 3; i++) {
            double dot = a[i][0] * b[i][0] + a[i][1] * b[i][1];
            double n1 = a[i][0] * a[i][0] + a[i][1] * a[i][1] + 1e-12, n2 = b[i][0] * b[i][0] + b[i][1] * b[i][1] + 1e-12;
            double cos = dot / Math.sqrt(n1 * n2);
            per0[i] = y[i] == 1 ? 1 - cos : Math.max(0, cos);
            per5[i] = y[i] == 1 ? 1 - cos : Math.max(0, cos - 0.5);
        }
        // cosines 0, 1, 0.8
        checkReductions("cosine_embedding", per0, r -> t -> Losses.cosineEmbedding(t[0], t[1], t[2], 0, r),
                f32(flat(a), 3, 2), f32(flat(b), 3, 2), f32(y, 3));
        check("cosine_embedding margin 0.5", per5, t -> Losses.cosineEmbedding(t[0], t[1], t[2], 0.5, Reduction.NONE),
                f32(flat(a), 3, 2), f32(flat(b), 3, 2), f32(y, 3));
        check("cosine_embedding int targets", new double[] {sum(per0) / 3}, t -> Losses.cosineEmbedding(t[0], t[1], t[2]),
                f32(flat(a), 3, 2), f32(flat(b), 3, 2), i32(new int[] {1, -1, -1}, 3));
    }

    @Test
    void tripletMargin() {
        double[][] an = {{0, 0}, {1, 1}};
        double[][] po = {{3, 4}, {1, 2}};
        double[][] ne = {{1, 0}, {4, 5}};
        double[] per2 = new double[2], per1 = new double[2], per3 = new double[2], perSwap = new double[2];
        for (int i = 0; i < 2; i++) {
            double dp2 = 0, dn2 = 0, dp1 = 0, dn1 = 0, dp3 = 0, dn3 = 0, ds2 = 0;
            for (int k = 0; k < 2; k++) {
                double u = an[i][k] - po[i][k] + 1e-6, v = an[i][k] - ne[i][k] + 1e-6, s = po[i][k] - ne[i][k] + 1e-6;
                dp2 += u * u;
                dn2 += v * v;
                ds2 += s * s;
                dp1 += Math.abs(u);
                dn1 += Math.abs(v);
                dp3 += Math.pow(Math.abs(u), 3);
                dn3 += Math.pow(Math.abs(v), 3);
            }
            per2[i] = Math.max(0, 1 + Math.sqrt(dp2) - Math.sqrt(dn2));
            per1[i] = Math.max(0, 2 + dp1 - dn1);
            per3[i] = Math.max(0, 1 + Math.cbrt(dp3) - Math.cbrt(dn3));
            perSwap[i] = Math.max(0, 1 + Math.sqrt(dp2) - Math.min(Math.sqrt(dn2), Math.sqrt(ds2)));
        }
        HostTensor a = f32(flat(an), 2, 2), p = f32(flat(po), 2, 2), n = f32(flat(ne), 2, 2);
        checkReductions("triplet p=2", per2, r -> t -> Losses.tripletMargin(t[0], t[1], t[2], 1, 2, r), a, p, n);
        check("triplet default", new double[] {sum(per2) / 2}, t -> Losses.tripletMargin(t[0], t[1], t[2]), a, p, n);
        check("triplet p=1 margin 2", per1, t -> Losses.tripletMargin(t[0], t[1], t[2], 2, 1, Reduction.NONE), a, p, n);
        check("triplet p=3", per3, t -> Losses.tripletMargin(t[0], t[1], t[2], 1, 3, Reduction.NONE), a, p, n);
        check("triplet swap", perSwap, t -> Losses.tripletMargin(t[0], t[1], t[2], 1, 2, 1e-6, true, Reduction.NONE), a, p, n);
    }

    @Test
    void marginRanking() {
        double[] x1 = {1, 2, 3}, x2 = {2, 2, 1}, y = {1, -1, 1};
        checkReductions("margin_ranking", new double[] {1, 0, 0}, r -> t -> Losses.marginRanking(t[0], t[1], t[2], 0, r), f32(x1, 3), f32(x2, 3), f32(y, 3));
        check("margin_ranking margin 0.5", new double[] {1.5, 0.5, 0}, t -> Losses.marginRanking(t[0], t[1], t[2], 0.5, Reduction.NONE),
                f32(x1, 3), f32(x2, 3), f32(y, 3));
        check("margin_ranking default", new double[] {1.0 / 3}, t -> Losses.marginRanking(t[0], t[1], t[2]), f32(x1, 3), f32(x2, 3), f32(y, 3));
    }

    static double[] flat(double[][] m) {
        int n = 0;
        for (double[] r : m) n += r.length;
        double[] out = new double[n];
        int k = 0;
        for (double[] r : m) for (double v : r) out[k++] = v;
        return out;
    }
}
