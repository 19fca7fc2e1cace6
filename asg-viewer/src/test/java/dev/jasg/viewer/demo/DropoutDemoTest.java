package dev.jasg.viewer.demo;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.nn.data.FashionMnist;
import dev.jasg.viewer.lab.EditPreview;
import dev.jasg.viewer.lab.Insert;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's claim, measured with a fixed seed: an MLP overfitting 1,000 Fashion-MNIST images has a
 * smaller generalisation gap after Dropout(0.3) is inserted through the Model Lab than the same run
 * without the edit. A Dropout that did nothing (a passthrough) gives the control's numbers exactly,
 * and fails the test.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class DropoutDemoTest {
    @Test
    void insertingDropoutShrinksTheTrainValidationGap() throws Exception {
        assumeTrue(FashionMnist.find(Path.of(FashionMnist.DEBIAN_DIR)).isPresent(), "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        DropoutDemo.Config c = DropoutDemo.Config.small();
        long edit = c.editStep();
        try (Backend backend = Backends.create("cpu")) {
            DropoutDemo.Run control = DropoutDemo.run(backend, c, DropoutDemo.data(c), null);
            DropoutDemo.Run dropout = DropoutDemo.run(backend, c, DropoutDemo.data(c), Insert.dropout(c.p()));
            assertInstanceOf(EditPreview.Ready.class, dropout.edit(), String.valueOf(dropout.edit()));
            assertTrue(((EditPreview.Ready) dropout.edit()).applied());
            assertEquals(c.epochs(), control.points().size());
            assertEquals(c.epochs(), dropout.points().size());
            // Same seed: the same up to the edit (to float rounding of the threads' partial sums).
            for (int i = 0; i < c.editEpochs(); i++) {
                DropoutDemo.Point a = control.points().get(i), d = dropout.points().get(i);
                assertEquals(a.trainLoss(), d.trainLoss(), 1e-4, "epoch " + (i + 1));
                assertEquals(a.valLoss(), d.valLoss(), 1e-4, "epoch " + (i + 1));
            }
            // The control really overfits: training loss falls far below the held-out loss.
            DropoutDemo.Point last = control.points().get(c.epochs() - 1);
            assertTrue(last.gap() > 0.25 && last.trainAccuracy() - last.valAccuracy() > 0.08, "the control overfits: " + last);
            double gapControl = control.meanGapAfter(edit), gapDropout = dropout.meanGapAfter(edit);
            double accControl = control.meanAccuracyGapAfter(edit), accDropout = dropout.meanAccuracyGapAfter(edit);
            String figures = String.format("mean gap after the edit: control %.4f, dropout %.4f; accuracy gap: control %.4f, dropout %.4f",
                    gapControl, gapDropout, accControl, accDropout);
            System.out.println(figures);
            assertTrue(gapDropout < 0.9 * gapControl, "the loss gap shrinks by more than 10%: " + figures);
            assertTrue(accDropout < accControl, "the accuracy gap shrinks: " + figures);
        }
    }
}
