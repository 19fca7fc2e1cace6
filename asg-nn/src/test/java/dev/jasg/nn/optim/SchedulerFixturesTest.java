package dev.jasg.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each scheduler's learning rate (and cycled momentum) over 30 steps against torch.optim.lr_scheduler
 * ({@code optim_fixtures.json}, written by {@code make_optim_fixtures.py}); torch ran them on SGD(lr=0.1, momentum=0.9).
 */
class SchedulerFixturesTest {
    private static final Optimizer SGD = new SGD(0.1, 0.9);
    private static final double[] PLATEAU = {1.0, 0.9, 0.95, 0.95, 0.95, 0.94, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5,
        0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4};
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws IOException {
        fixtures = Fixtures.read("optim_fixtures.json").get("schedulers");
    }

    /** A fixture, the JASG schedule, whether it cycles the momentum, and the plateau metric sign (0: none). */
    record Case(String name, Supplier<LrScheduler> make, boolean cyclesMomentum, int metricSign) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("multistep", () -> new MultiStepLR(SGD, new int[] {3, 7, 7, 12}, 0.5), false, 0),
                new Case("lambda", () -> new LambdaLR(SGD, e -> 1.0 / (1 + e)), false, 0),
                new Case("multiplicative", () -> new MultiplicativeLR(SGD, e -> e % 2 == 1 ? 0.9 : 0.95), false, 0),
                new Case("linear", () -> new LinearLR(SGD, 0.25, 1.0, 8), false, 0),
                new Case("constant", () -> new ConstantLR(SGD, 0.5, 4), false, 0),
                new Case("polynomial", () -> new PolynomialLR(SGD, 20, 2.0), false, 0),
                new Case("warm_restarts", () -> new CosineAnnealingWarmRestarts(SGD, 4, 2, 0.01), false, 0),
                new Case("warm_restarts_1", () -> new CosineAnnealingWarmRestarts(SGD, 7), false, 0),
                new Case("cyclic_triangular", () -> new CyclicLR(0.01, 0.1, 4, 6, CyclicLR.Mode.TRIANGULAR, 1, true, 0.8, 0.9), true, 0),
                new Case("cyclic_triangular2", () -> new CyclicLR(0.01, 0.1, 3, 3, CyclicLR.Mode.TRIANGULAR2, 1, true, 0.7, 0.95), true, 0),
                new Case("cyclic_exp_range", () -> new CyclicLR(0.01, 0.1, 5, 5, CyclicLR.Mode.EXP_RANGE, 0.9, false, 0.8, 0.9), false, 0),
                new Case("plateau_min_rel", () -> new ReduceLROnPlateau(SGD, ReduceLROnPlateau.Mode.MIN, 0.5, 2, 0.01,
                        ReduceLROnPlateau.ThresholdMode.REL, 1, 0.02, 1e-8), false, 1),
                new Case("plateau_max_abs", () -> new ReduceLROnPlateau(SGD, ReduceLROnPlateau.Mode.MAX, 0.3, 1, 0.05,
                        ReduceLROnPlateau.ThresholdMode.ABS, 0, 0, 1e-8), false, -1),
                new Case("sequential", () -> new SequentialLR(SGD, List.of(new LinearLR(SGD, 0.1, 1.0, 5), new ExponentialLR(SGD, 0.9)), new int[] {5}), false, 0),
                new Case("chained", () -> new ChainedScheduler(List.of(new ConstantLR(SGD, 0.5, 6), new ExponentialLR(SGD, 0.95))), false, 0),
                new Case("onecycle_cos", () -> new OneCycleLR(1.0, 30), true, 0),
                new Case("onecycle_linear_three_phase", () -> new OneCycleLR(1.0, 30, 0.25, OneCycleLR.Anneal.LINEAR, true, 0.8, 0.9, 25, 1e4, true), true, 0),
                new Case("onecycle_adam", () -> new OneCycleLR(0.5, 30), true, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sequenceMatchesTorch(Case c) {
        JsonNode want = fixtures.get(c.name());
        if (want == null) fail("no fixture " + c.name());
        LrScheduler s = c.make().get();
        for (int i = 0; i < want.get("lr").size(); i++) {
            double w = want.get("lr").get(i).asDouble();
            if (!(Math.abs(s.getLastLr() - w) <= 1e-6 * Math.max(1e-3, Math.abs(w)))) fail(c.name() + ": lr at step " + i + " is " + s.getLastLr() + ", torch " + w);
            double m = s.getLastMomentum();
            if (c.cyclesMomentum()) {
                double wm = want.get("momentum").get(i).asDouble();
                if (!(Math.abs(m - wm) <= 1e-6)) fail(c.name() + ": momentum at step " + i + " is " + m + ", torch " + wm);
            } else {
                assertTrue(Double.isNaN(m), c.name() + " does not schedule the momentum");
            }
            if (c.metricSign() != 0) ((ReduceLROnPlateau) s).step(c.metricSign() * PLATEAU[i]);
            else s.step();
        }
    }

    @Test
    void everyFixtureHasACase() {
        Fixtures.assertEveryFixtureHasACase(fixtures, cases().map(Case::name));
    }

    @Test
    void plateauStateRoundTrips() {
        ReduceLROnPlateau a = new ReduceLROnPlateau(SGD, ReduceLROnPlateau.Mode.MIN, 0.5, 1, 0, ReduceLROnPlateau.ThresholdMode.ABS, 0, 0, 1e-8);
        for (double m : new double[] {1, 2, 2}) a.step(m);
        assertEquals(0.05, a.getLastLr(), 1e-12);
        Map<String, Object> st = a.state();
        ReduceLROnPlateau b = new ReduceLROnPlateau(SGD, ReduceLROnPlateau.Mode.MIN, 0.5, 1, 0, ReduceLROnPlateau.ThresholdMode.ABS, 0, 0, 1e-8);
        b.load(st);
        a.step(3);
        a.step(3);
        b.step(3);
        b.step(3);
        assertEquals(a.getLastLr(), b.getLastLr(), 0);
        b.step();  // a trainer's plain step leaves the rate alone
        assertEquals(a.getLastLr(), b.getLastLr(), 0);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SequentialLR(SGD, List.of(new ConstantLR(SGD)), new int[] {3}));
        assertThrows(IllegalArgumentException.class, () -> new LinearLR(SGD, 0, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingWarmRestarts(SGD, 0));
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau(SGD, ReduceLROnPlateau.Mode.MIN, 1.5, 1, 0,
                ReduceLROnPlateau.ThresholdMode.REL, 0, 0, 1e-8));
        assertThrows(IllegalArgumentException.class, () -> new ChainedScheduler(List.of()));
    }
}
