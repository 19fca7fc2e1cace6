package dev.jasg.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.FeedException;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.Linear;
import dev.jasg.nn.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code cycle_momentum}: a Trainer with OneCycleLR or CyclicLR (stepped per batch) feeds the scheduled momentum
 * (SGD's momentum, Adam's beta1) each step; the weights of Linear(2, 1) trained 10 steps on MSE follow the
 * trajectory torch computed ({@code optim_fixtures.json} "cycled", written by {@code make_optim_fixtures.py}).
 */
class MomentumScheduleFixturesTest {
    private static final float[] X = {0.5f, -1.0f, 1.5f, 0.25f, -0.75f, 2.0f, 1.0f, 1.0f};
    private static final float[] Y = {1.0f, -0.5f, 2.0f, 0.25f};
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws IOException {
        fixtures = Fixtures.read("optim_fixtures.json").get("cycled");
    }

    /** A fixture, the optimizer and the schedule torch ran. */
    record Case(String name, Supplier<Optimizer> optimizer, Supplier<LrScheduler> scheduler) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("sgd_onecycle", () -> new SGD(0.1, 0.9), () -> new OneCycleLR(0.5, 10)),
                new Case("adam_onecycle", () -> new Adam(0.1), () -> new OneCycleLR(0.2, 10)),
                new Case("sgd_nesterov_cyclic", () -> new SGD(0.1, 0.9, 0, 0, true),
                        () -> new CyclicLR(0.01, 0.2, 3, 3, CyclicLR.Mode.TRIANGULAR, 1, true, 0.6, 0.95)));
    }

    private static Trainer trainer(Backend b, Optimizer opt, LrScheduler sched) {
        return Trainer.builder(b, new Linear(2, 1)).input("x", DType.F32, "B", 2).target("y", DType.F32, "B", 1)
                .loss((out, y) -> out.sub(y).square().mean()).optimizer(opt).scheduler(sched, Trainer.SchedulerInterval.STEP).build();
    }

    private static void check(String backend, Case c) {
        JsonNode want = fixtures.get(c.name());
        if (want == null) fail("no fixture " + c.name());
        try (Backend b = Backends.create(backend); Trainer t = trainer(b, c.optimizer().get(), c.scheduler().get())) {
            t.parameters().set("weight", HostTensor.of(new float[] {0.3f, -0.2f}, 1, 2));
            t.parameters().set("bias", HostTensor.of(new float[] {0.1f}, 1));
            Map<String, HostTensor> batch = Map.of("x", HostTensor.of(X, 4, 2), "y", HostTensor.of(Y, 4, 1));
            for (int s = 0; s < want.get("traj").size(); s++) {
                double wm = want.get("momentum").get(s).asDouble();
                if (!(Math.abs(t.scheduler().getLastMomentum() - wm) <= 1e-7)) {
                    fail(c.name() + ": momentum before step " + (s + 1) + " is " + t.scheduler().getLastMomentum() + ", torch " + wm);
                }
                double loss = t.step(batch);
                double wl = want.get("loss").get(s).asDouble();
                double[] w = t.parameters().get("weight").toDoubles(), bias = t.parameters().get("bias").toDoubles();
                double[] got = {w[0], w[1], bias[0]};
                boolean ok = Math.abs(loss - wl) <= 2e-5 * Math.max(1, Math.abs(wl));
                for (int i = 0; i < 3; i++) ok &= Math.abs(got[i] - want.get("traj").get(s).get(i).asDouble()) <= 2e-5 * Math.max(1, Math.abs(got[i]));
                if (!ok) {
                    fail(c.name() + " on " + backend + ": after step " + (s + 1) + " weight, bias " + Arrays.toString(got) + " loss " + loss
                            + "; torch " + want.get("traj").get(s) + " loss " + wl);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trajectoryMatchesTorchOnTheReferenceBackend(Case c) {
        check("reference", c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trajectoryMatchesTorchOnTheCpu(Case c) {
        check("cpu", c);
    }

    @Test
    void everyFixtureHasACase() {
        Fixtures.assertEveryFixtureHasACase(fixtures, cases().map(Case::name));
    }

    @Test
    void anOptimizerWithoutMomentumIsRefusedAsInPyTorch() {
        try (Backend b = Backends.create("reference")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(b, new Adagrad(0.1), new OneCycleLR(0.5, 10)));
            assertTrue(e.getMessage().contains("OneCycleLR") && e.getMessage().contains("Adagrad") && e.getMessage().contains("cycleMomentum=false"),
                    e.getMessage());
            // without cycle_momentum any optimizer goes
            trainer(b, new Adagrad(0.1), new OneCycleLR(0.5, 10, 0.3, OneCycleLR.Anneal.COS, false, 0.85, 0.95, 25, 1e4, false)).close();
            assertThrows(IllegalArgumentException.class, () -> new Adagrad(0.1).update(null, GradientClipping.none(), true));
        }
    }

    @Test
    void theMomentumIsNotAUserFeed() {
        try (Backend b = Backends.create("reference"); Trainer t = trainer(b, new SGD(0.1, 0.9), new OneCycleLR(0.5, 10))) {
            FeedException e = assertThrows(FeedException.class, () -> t.step(Map.of("x", HostTensor.of(X, 4, 2), "y", HostTensor.of(Y, 4, 1),
                    "momentum", HostTensor.scalar(0.5f))));
            assertTrue(e.getMessage().contains("feeds the momentum"), e.getMessage());
        }
    }
}
