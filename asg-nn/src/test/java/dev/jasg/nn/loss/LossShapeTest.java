package dev.jasg.nn.loss;

import static dev.jasg.nn.loss.LossHarness.f32;
import static dev.jasg.nn.loss.LossHarness.i32;
import static dev.jasg.nn.loss.LossHarness.logSumExp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Symbolic batch sizes, result shapes and the errors for mismatched arguments. */
class LossShapeTest {
    @Test
    void symbolicBatchRunsWithTwoBatchSizes() {
        GraphBuilder b = new GraphBuilder();
        Tensor logits = b.input("logits", DType.F32, "B", 3);
        Tensor labels = b.input("labels", DType.I32, "B");
        Tensor x = b.input("x", DType.F32, "B", 2);
        Tensor y = b.input("y", DType.F32, "B", 2);
        b.output("ce", Losses.crossEntropy(logits, labels, null, -100, 0.1, Reduction.MEAN));
        b.output("ce_none", Losses.crossEntropy(logits, labels, Reduction.NONE));
        b.output("mse", Losses.mseLoss(x, y));
        b.output("kl", Losses.klDiv(logits.logSoftmax(1), logits.softmax(1).mul(0.5).add(1.0 / 6), Reduction.BATCHMEAN));
        assertEquals(Shape.symbolic("B"), b.node(b.build().outputs().get("ce_none")).shape());
        Graph g = b.build();
        double[][] rows = {{1, 2, 3}, {1, 0, -1}, {0.5, 0.5, 2}};
        int[] lab = {2, 0, 1};
        for (Backend backend : LossHarness.BACKENDS) {
            try (Executable e = backend.compile(g)) {
                for (int n : new int[] {2, 3}) {
                    double[] flat = new double[n * 3];
                    int[] l = new int[n];
                    double ce = 0, mse = 0, kl = 0;
                    double[] xv = new double[n * 2], yv = new double[n * 2];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(rows[i], 0, flat, i * 3, 3);
                        l[i] = lab[i];
                        double lse = logSumExp(rows[i]);
                        double uniform = 0;
                        for (int c = 0; c < 3; c++) uniform += lse - rows[i][c];
                        ce += 0.9 * (lse - rows[i][lab[i]]) + 0.1 / 3 * uniform;
                        for (int c = 0; c < 3; c++) {
                            double logq = rows[i][c] - lse, p = 0.5 * Math.exp(logq) + 1.0 / 6;
                            kl += p * (Math.log(p) - logq);
                        }
                        for (int k = 0; k < 2; k++) {
                            xv[i * 2 + k] = i + k;
                            yv[i * 2 + k] = 2 * i - k;
                            mse += Math.pow(xv[i * 2 + k] - yv[i * 2 + k], 2);
                        }
                    }
                    var out = e.run(Map.of("logits", f32(flat, n, 3), "labels", i32(l, n), "x", f32(xv, n, 2), "y", f32(yv, n, 2)));
                    String at = backend.name() + " B=" + n;
                    assertEquals(ce / n, out.scalar("ce"), 1e-5, "cross entropy " + at);
                    assertEquals(mse / (2 * n), out.scalar("mse"), 1e-5, "mse " + at);
                    assertEquals(kl / n, out.scalar("kl"), 1e-5, "kl batchmean " + at);
                    assertArrayEquals(new int[] {n}, out.get("ce_none").shape().dims(), "per-sample shape " + at);
                }
            }
        }
    }

    @Test
    void symbolicBatchGradients() {
        GraphBuilder b = new GraphBuilder();
        Tensor logits = b.input("logits", DType.F32, "B", 2);
        Tensor labels = b.input("labels", DType.I32, "B");
        Tensor loss = Losses.crossEntropy(logits, labels);
        b.output("loss", loss);
        Graph fwd = b.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(logits));
        for (Backend backend : LossHarness.BACKENDS) {
            try (Executable e = backend.compile(grad)) {
                for (int n : new int[] {1, 4}) {
                    // zero logits: softmax is 1/2 everywhere, so d mean / d logit = (1/2 - onehot) / n
                    int[] l = new int[n];
                    for (int i = 0; i < n; i++) l[i] = i % 2;
                    double[] g = e.run(Map.of("logits", f32(new double[n * 2], n, 2), "labels", i32(l, n))).get("grad:logits").toDoubles();
                    for (int i = 0; i < n; i++) {
                        for (int c = 0; c < 2; c++) assertEquals((0.5 - (l[i] == c ? 1 : 0)) / n, g[i * 2 + c], 1e-6, backend.name() + " B=" + n);
                    }
                }
            }
        }
    }

    @Test
    void bceWithLogitsGradientAtZeroLogits() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, 3);
        Tensor y = b.input("y", DType.F32, 3);
        Tensor loss = Losses.bceWithLogits(x, y, Reduction.SUM);
        b.output("loss", loss);
        Graph grad = Autograd.gradients(b.build(), loss, List.of(x));
        for (Backend backend : LossHarness.BACKENDS) {
            try (Executable e = backend.compile(grad)) {
                double[] g = e.run(Map.of("x", f32(new double[3], 3), "y", f32(new double[] {1, 0, 0.25}, 3))).get("grad:x").toDoubles();
                // sigmoid(0) - y, exactly, also where |x| and max(x, 0) have their kinks
                assertArrayEquals(new double[] {-0.5, 0.5, 0.25}, g, 1e-6, backend.name());
            }
        }
    }

    private static void assertShapeError(String loss, Runnable r, String... mentions) {
        ShapeException e = assertThrows(ShapeException.class, r::run);
        assertTrue(e.getMessage().contains(loss), "message names the loss: " + e.getMessage());
        for (String m : mentions) assertTrue(e.getMessage().contains(m), "message mentions " + m + ": " + e.getMessage());
    }

    @Test
    void mismatchedShapesNameTheLossAndShapes() {
        GraphBuilder b = new GraphBuilder();
        Tensor a = b.input("a", DType.F32, 2, 3);
        Tensor t = b.input("t", DType.F32, 3, 2);
        Tensor logits = b.input("logits", DType.F32, "B", 4);
        Tensor badLabels = b.input("bad", DType.I32, "B", 4);
        Tensor floatLabels = b.input("fl", DType.F32, "B");
        assertShapeError("mse_loss", () -> Losses.mseLoss(a, t), "[2,3]", "[3,2]");
        assertShapeError("l1_loss", () -> Losses.l1Loss(a, t), "[2,3]", "[3,2]");
        assertShapeError("smooth_l1_loss", () -> Losses.smoothL1Loss(a, t), "[2,3]", "[3,2]");
        assertShapeError("huber_loss", () -> Losses.huberLoss(a, t), "[2,3]", "[3,2]");
        assertShapeError("binary_cross_entropy", () -> Losses.binaryCrossEntropy(a, t), "[2,3]", "[3,2]");
        assertShapeError("binary_cross_entropy_with_logits", () -> Losses.bceWithLogits(a, t), "[2,3]", "[3,2]");
        assertShapeError("kl_div", () -> Losses.klDiv(a, t), "[2,3]", "[3,2]");
        assertShapeError("sigmoid_focal_loss", () -> Losses.focal(a, t), "[2,3]", "[3,2]");
        assertShapeError("hinge_embedding_loss", () -> Losses.hingeEmbedding(a, t), "[2,3]", "[3,2]");
        assertShapeError("margin_ranking_loss", () -> Losses.marginRanking(a, t, a), "[2,3]", "[3,2]");
        assertShapeError("cosine_embedding_loss", () -> Losses.cosineEmbedding(a, t, a), "[2,3]", "[3,2]");
        assertShapeError("triplet_margin_loss", () -> Losses.tripletMargin(a, a, t), "[2,3]", "[3,2]");
        assertShapeError("cross_entropy", () -> Losses.crossEntropy(logits, badLabels), "[B,4]", "[B]");
        assertShapeError("cross_entropy", () -> Losses.crossEntropy(logits, floatLabels), "[B,4]", "[B]");
        assertShapeError("nll_loss", () -> Losses.nllLoss(logits, badLabels), "[B,4]");
        assertShapeError("multi_margin_loss", () -> Losses.hinge(logits, badLabels), "[B,4]");
        Tensor weight = b.input("w", DType.F32, 3);
        Tensor labels = b.input("labels", DType.I32, "B");
        assertShapeError("cross_entropy", () -> Losses.crossEntropy(logits, labels, weight, -100, 0, Reduction.MEAN), "[4]", "[3]");
        assertShapeError("binary_cross_entropy_with_logits", () -> Losses.bceWithLogits(a, a, null, weight.reshape(3, 1), Reduction.MEAN), "[3,1]", "[2,3]");
        assertShapeError("binary_cross_entropy", () -> Losses.binaryCrossEntropy(a, a, t, Reduction.MEAN), "[3,2]", "[2,3]");
        Tensor symbolicClasses = b.input("sc", DType.F32, 2, "C");
        assertShapeError("cross_entropy", () -> Losses.crossEntropy(symbolicClasses, b.input("l2", DType.I32, 2)), "[2,C]");
        assertShapeError("mse_loss", () -> Losses.mseLoss(labels, labels), "i32");
    }

    @Test
    void badOptionsAreRejected() {
        GraphBuilder b = new GraphBuilder();
        Tensor a = b.input("a", DType.F32, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.mseLoss(a, a, Reduction.BATCHMEAN));
        assertTrue(e.getMessage().contains("mse_loss") && e.getMessage().contains("BATCHMEAN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.smoothL1Loss(a, a, -1));
        assertThrows(IllegalArgumentException.class, () -> Losses.huberLoss(a, a, 0));
        Tensor l = b.input("l", DType.I32, 2);
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(a, l, null, -100, 1.5, Reduction.MEAN));
        assertThrows(IllegalArgumentException.class, () -> Losses.multiMargin(a, l, 3, 1, null, Reduction.MEAN));
        assertThrows(IllegalArgumentException.class, () -> Losses.tripletMargin(a, a, a, 1, 0, Reduction.MEAN));
        assertThrows(IllegalArgumentException.class, () -> Losses.focal(a, a, 0.25, -1, Reduction.MEAN));
    }

    @Test
    void reductionNoneKeepsTheElementShape() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, "B", 5, 7);
        Tensor labels = b.input("labels", DType.I32, "B", 7);
        assertEquals(Shape.symbolic("B", 7), Losses.crossEntropy(x, labels, Reduction.NONE).shape());
        assertEquals(Shape.symbolic("B", 5, 7), Losses.mseLoss(x, x, Reduction.NONE).shape());
        assertEquals(Shape.scalar(), Losses.crossEntropy(x, labels).shape());
        Tensor e = b.input("e", DType.F32, "B", 5);
        assertEquals(Shape.symbolic("B"), Losses.tripletMargin(e, e, e, 1, 2, Reduction.NONE).shape());
        assertEquals(Shape.symbolic("B"), Losses.cosineEmbedding(e, e, labels.select(1, 0), 0, Reduction.NONE).shape());
        assertThrows(ShapeException.class, () -> Losses.tripletMargin(x, x, x, 1, 2, Reduction.NONE));
    }
}
