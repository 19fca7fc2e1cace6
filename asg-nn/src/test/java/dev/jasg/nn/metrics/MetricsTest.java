package dev.jasg.nn.metrics;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Parameters;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    // y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]: scikit-learn's documented example.
    static final int[] TRUE = {0, 1, 2, 0, 1, 2}, PRED = {0, 2, 1, 0, 0, 1};

    @Test
    void classificationOnHandComputedCases() {
        assertEquals(2.0 / 6, Classification.accuracy(PRED, TRUE), 1e-12);
        // Per class: precision [2/3, 0, 0], recall [1, 0, 0], f1 [0.8, 0, 0].
        assertEquals(2.0 / 9, Classification.precision(PRED, TRUE, 3, Average.MACRO), 1e-12);
        assertEquals(1.0 / 3, Classification.recall(PRED, TRUE, 3, Average.MACRO), 1e-12);
        assertEquals(0.26666666666666666, Classification.f1(PRED, TRUE, 3, Average.MACRO), 1e-12);
        assertEquals(1.0 / 3, Classification.f1(PRED, TRUE, 3, Average.MICRO), 1e-12);
        assertEquals(0.26666666666666666, Classification.f1(PRED, TRUE, 3, Average.WEIGHTED), 1e-12);
        assertEquals(2.0 / 9, Classification.precision(PRED, TRUE, 3, Average.WEIGHTED), 1e-12);

        ConfusionMatrix m = ConfusionMatrix.of(PRED, TRUE, 3);
        assertEquals(2, m.count(0, 0));
        assertEquals(1, m.count(1, 0));
        assertEquals(2, m.count(2, 1));
        assertEquals(1, m.fp(0));
        assertEquals(2, m.fn(1));
        assertEquals(3, m.tn(0));

        // Binary: tp=2, fp=1, fn=1, tn=1.
        ConfusionMatrix b = ConfusionMatrix.binary(new boolean[] {true, true, true, false, false}, new boolean[] {true, true, false, true, false});
        assertEquals(2, b.tp(1));
        assertEquals(1, b.fp(1));
        assertEquals(1, b.fn(1));
        assertEquals(1, b.tn(1));
        assertEquals(2.0 / 3, b.precision(1), 1e-12);
        assertEquals(2.0 / 3, b.f1(1), 1e-12);

        HostTensor scores = HostTensor.of(new float[] {0.1f, 0.5f, 0.4f, 0.8f, 0.15f, 0.05f}, 2, 3);
        assertEquals(0.5, Classification.topKAccuracy(scores, new int[] {2, 0}, 1));
        assertEquals(1.0, Classification.topKAccuracy(scores, new int[] {2, 0}, 2));
        assertEquals(0.5, Classification.topKAccuracy(scores, new int[] {0, 1}, 2));
        assertEquals(0.0, Classification.topKAccuracy(scores, new int[] {0, 2}, 2));
        assertEquals(0.5, Classification.accuracy(scores, HostTensor.ofInts(new int[] {1, 1}, 2)));
    }

    @Test
    void regressionOnHandComputedCases() {
        // scikit-learn's docstring example: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0.0, 2, 8].
        double[] y = {3, -0.5, 2, 7}, p = {2.5, 0.0, 2, 8};
        assertEquals(0.375, Regression.mse(p, y), 1e-12);
        assertEquals(Math.sqrt(0.375), Regression.rmse(p, y), 1e-12);
        assertEquals(0.5, Regression.mae(p, y), 1e-12);
        assertEquals(0.9486081370449679, Regression.r2(p, y), 1e-12);
        assertEquals(0.9571734475374732, Regression.explainedVariance(p, y), 1e-12);
        assertEquals(1.0, Regression.maxError(p, y), 1e-12);
        assertEquals(0.3273809523809524, Regression.mape(p, y), 1e-12);
        assertEquals(1.0, Regression.r2(new double[] {2, 2}, new double[] {2, 2}));
        assertEquals(0.0, Regression.r2(new double[] {1, 2}, new double[] {2, 2}));
    }

    @Test
    void runningStatsAndEma() {
        RunningStats s = new RunningStats();
        s.addAll(2, 4, 4, 4, 5, 5, 7, 9);
        assertEquals(5, s.mean(), 1e-12);
        assertEquals(2, s.std(), 1e-12);
        assertEquals(32.0 / 7, s.sampleVariance(), 1e-12);
        assertEquals(2, s.min());
        assertEquals(9, s.max());
        Ema e = new Ema(0.5);
        assertEquals(4, e.update(4), 1e-12);           // bias-corrected: first value is itself
        assertEquals((0.25 * 4 + 0.5 * 8) / 0.75, e.update(8), 1e-12);
    }

    @Test
    void metricLoggerWritesCsvAndJsonLines() throws Exception {
        StringWriter csv = new StringWriter();
        try (MetricLogger l = new MetricLogger(csv, MetricLogger.Format.CSV)) {
            l.log(ordered("epoch", 1, "loss", 0.5, "note", "a,b"));
            l.log(ordered("epoch", 2, "loss", 0.25));
            assertThrows(IllegalArgumentException.class, () -> l.log(ordered("epoch", 3, "acc", 0.9)));
        }
        assertEquals("epoch,loss,note\n1,0.5,\"a,b\"\n2,0.25,\n", csv.toString());
        StringWriter json = new StringWriter();
        try (MetricLogger l = new MetricLogger(json, MetricLogger.Format.JSON_LINES)) {
            l.log(ordered("epoch", 1, "loss", 0.5));
            l.log(ordered("epoch", 2, "acc", 0.75));
        }
        assertEquals("{\"epoch\":1,\"loss\":0.5}\n{\"epoch\":2,\"acc\":0.75}\n", json.toString());
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** A one-tensor store. */
    static final class OneParameter implements Parameters {
        HostTensor w = HostTensor.of(new float[] {0}, 1);

        @Override
        public Set<String> names() {
            return Set.of("w");
        }

        @Override
        public HostTensor get(String name) {
            return HostTensor.of(w.floats().clone(), 1);
        }

        @Override
        public void set(String name, HostTensor value) {
            w = HostTensor.of(value.floats().clone(), 1);
        }
    }

    @Test
    void earlyStoppingWithPatienceMinDeltaAndRestore() {
        OneParameter p = new OneParameter();
        EarlyStopping es = new EarlyStopping(EarlyStopping.Mode.MIN, 2, 0.01);
        double[] losses = {1.0, 0.8, 0.795, 0.9, 0.7};
        boolean[] stop = new boolean[losses.length];
        for (int i = 0; i < losses.length; i++) {
            p.set("w", HostTensor.of(new float[] {i}, 1));
            stop[i] = es.update(losses[i], p);
            if (stop[i]) break;
        }
        // 0.795 is not better than 0.8 by more than 0.01; after it and 0.9 patience (2) runs out.
        assertFalse(stop[2]);
        assertTrue(stop[3]);
        assertEquals(0.8, es.best());
        assertEquals(1, es.bestCheck());
        es.restoreBest(p);
        assertEquals(1f, p.w.item());

        EarlyStopping max = new EarlyStopping(EarlyStopping.Mode.MAX, 1, 0);
        assertFalse(max.update(0.5, null));
        assertFalse(max.update(0.6, null));
        assertTrue(max.update(0.6, null));
        assertThrows(IllegalStateException.class, () -> max.restoreBest(p));
    }

    @Test
    void progressBarRendersAndStaysQuietWithoutATty() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, () -> now[0], 0);
        bar.startEpoch(2, 5, 4);
        now[0] = 1_000_000_000L;
        bar.step(100, 0.5);
        assertEquals("epoch 2/5 [====>               ] 1/4 loss 0.5000  100.0 samples/s  ETA 0:03", bar.render(now[0]));
        for (int i = 0; i < 3; i++) {
            now[0] += 1_000_000_000L;
            bar.step(100, 0.5);
        }
        bar.endEpoch();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\repoch 2/5"), out);
        assertTrue(out.endsWith("epoch 2/5 [====================] 4/4 loss 0.5000  100.0 samples/s  0:04" + System.lineSeparator()), out);

        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        ProgressBar q = new ProgressBar(new PrintStream(quiet), false, System::nanoTime, 0);
        q.startEpoch(1, 1, 2);
        q.step(1, 1);
        q.step(1, 1);
        q.endEpoch();
        assertEquals(0, quiet.size());
        // Under the test runner there is no console, so the default bar is quiet too.
        assertEquals(System.console() != null, ProgressBar.forConsole(new PrintStream(quiet)).interactive());
    }
}
