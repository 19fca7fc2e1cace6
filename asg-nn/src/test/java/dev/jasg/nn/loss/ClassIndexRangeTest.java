package dev.jasg.nn.loss;

import dev.jasg.core.Backend;
import dev.jasg.core.Executable;
import dev.jasg.core.FeedException;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static dev.jasg.nn.loss.LossHarness.BACKENDS;
import static dev.jasg.nn.loss.LossHarness.f32;
import static dev.jasg.nn.loss.LossHarness.i32;
import static dev.jasg.nn.loss.LossHarness.run;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13 item 7: a class index outside {@code [0, C)} (other than the ignored one) is an error when the batch
 * is fed, as in PyTorch, on every backend; before, it silently became a row of zeros.
 */
class ClassIndexRangeTest {
    private static final HostTensor LOGITS = f32(new double[] {1, 2, 3, 0, 1, -1, 0.5, 0.5, 2, -1, 3, 0}, 4, 3);

    record Row(String name, Function<Tensor[], Tensor> loss, int[] labels, String... mustName) {}

    static final List<Row> BAD = List.of(
            new Row("cross_entropy, label 12 of 3 classes", t -> Losses.crossEntropy(t[0], t[1]), new int[] {0, 12, 1, 2},
                    "'x1'", "12", "[1]", "[0, 3)", "cross_entropy over 3 classes"),
            new Row("cross_entropy, label -1 with ignore_index -100", t -> Losses.crossEntropy(t[0], t[1]), new int[] {0, 1, -1, 2},
                    "-1", "[2]", "ignored -100"),
            new Row("nll_loss, label 3 of 3 classes", t -> Losses.nllLoss(t[0].logSoftmax(1), t[1]), new int[] {3, 0, 0, 0},
                    "3", "[0]", "nll_loss over 3 classes"),
            new Row("multi_margin_loss, label -100 (no ignore_index there)", t -> Losses.hinge(t[0], t[1]), new int[] {0, 1, 2, -100},
                    "-100", "multi_margin_loss"),
            new Row("cross_entropy with ignore_index 1, label 5", t -> Losses.crossEntropy(t[0], t[1], null, 1, 0, Reduction.MEAN),
                    new int[] {5, 1, 1, 0}, "5", "ignore_index 1"));

    @Test
    void outOfRangeLabelsAreRefusedNamingInputValueAndClassCount() {
        for (Backend b : BACKENDS) {
            for (Row r : BAD) {
                FeedException e = assertThrows(FeedException.class, () -> run(b, r.loss(), LOGITS, i32(r.labels(), 4)), r.name() + " on " + b.name());
                for (String s : r.mustName()) assertTrue(e.getMessage().contains(s), r.name() + " on " + b.name() + ": '" + s + "' not in: " + e.getMessage());
            }
        }
    }

    /**
     * A bad batch after good ones on the same executable is refused too: the runs that reuse the last plan without binding
     * the feeds again (the cpu backend's, for a warm step that allocates nothing) still check the declared ranges.
     */
    @Test
    void aBadBatchAfterGoodOnesIsRefused() {
        for (Backend b : BACKENDS) {
            for (Row r : BAD) {
                Graph g = LossHarness.graph(r.loss(), LOGITS, i32(new int[] {0, 1, 2, 0}, 4));
                try (Executable e = b.compile(g)) {
                    HostTensor good = i32(new int[] {0, 1, 2, 0}, 4), bad = i32(r.labels(), 4);
                    if (r.name().contains("ignore_index 1")) good = i32(new int[] {0, 1, 1, 0}, 4);
                    for (int i = 0; i < 3; i++) e.run(LossHarness.feeds(LOGITS, good)).get("loss");
                    FeedException ex = assertThrows(FeedException.class, () -> e.run(LossHarness.feeds(LOGITS, bad)), r.name() + " on " + b.name());
                    for (String s : r.mustName()) assertTrue(ex.getMessage().contains(s), r.name() + " on " + b.name() + ": '" + s + "' not in: " + ex.getMessage());
                    float[] loss = new float[1];
                    assertThrows(FeedException.class, () -> e.runInto(LossHarness.feeds(LOGITS, bad), "loss", loss), r.name() + " on " + b.name() + " (runInto)");
                    e.run(LossHarness.feeds(LOGITS, good)).get("loss");   // and a good batch runs again
                }
            }
        }
    }

    @Test
    void labelsInRangeAndTheIgnoredOneStillRun() {
        for (Backend b : BACKENDS) {
            run(b, t -> Losses.crossEntropy(t[0], t[1]), LOGITS, i32(new int[] {0, 2, -100, 1}, 4));
            run(b, t -> Losses.crossEntropy(t[0], t[1], null, -1, 0, Reduction.MEAN), LOGITS, i32(new int[] {0, 2, -1, 1}, 4));
        }
    }
}
