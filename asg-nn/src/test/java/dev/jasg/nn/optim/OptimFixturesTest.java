package dev.jasg.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each optimizer's parameter trajectory over 5 steps of {@link OptimizerHarness}'s quadratic against
 * the one torch.optim computed ({@code optim_fixtures.json}, written by {@code make_optim_fixtures.py}).
 */
class OptimFixturesTest {
    private static JsonNode fixtures;
    private static Backend ref;
    private static Backend cpu;

    @BeforeAll
    static void start() throws IOException {
        fixtures = Fixtures.read("optim_fixtures.json");
        ref = Backends.create("reference");
        cpu = Backends.create("cpu");
    }

    @AfterAll
    static void stop() {
        ref.close();
        cpu.close();
    }

    /** A fixture name, the constant learning rate torch ran at, and the JASG optimizer. */
    record Case(String name, double lr, Supplier<Optimizer> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("adagrad", 0.1, () -> new Adagrad(0.1)),
                new Case("adagrad_all", 0.1, () -> new Adagrad(0.1, 0.05, 0.1, 0.5, 1e-6)),
                new Case("adadelta", 1.0, Adadelta::new),
                new Case("adadelta_all", 0.5, () -> new Adadelta(0.5, 0.8, 1e-4, 0.1)),
                new Case("adamax", 0.1, () -> new Adamax(0.1)),
                new Case("adamax_all", 0.1, () -> new Adamax(0.1, 0.8, 0.9, 1e-3, 0.1)),
                new Case("nadam", 0.1, () -> new NAdam(0.1)),
                new Case("nadam_all", 0.1, () -> new NAdam(0.1, 0.8, 0.9, 1e-3, 0.1, 0.1)),
                new Case("radam", 0.1, () -> new RAdam(0.1)),
                new Case("radam_all", 0.1, () -> new RAdam(0.1, 0.8, 0.6, 1e-3, 0.1)),
                new Case("rprop", 0.1, () -> new Rprop(0.1)),
                new Case("rprop_all", 0.3, () -> new Rprop(0.3, 0.3, 1.5, 0.05, 0.4)),
                new Case("asgd", 0.1, () -> new ASGD(0.1)),
                new Case("asgd_all", 0.1, () -> new ASGD(0.1, 0.5, 0.5, 2, 0.1)),
                new Case("adam_amsgrad", 0.1, () -> new Adam(0.1, 0.9, 0.999, 1e-8, 0, true)),
                new Case("adamw_amsgrad", 0.1, () -> new AdamW(0.1, 0.9, 0.999, 1e-8, 0.1, true)),
                new Case("rmsprop_centered", 0.01, () -> new RMSprop(0.01, 0.99, 1e-8, 0.1, 0.5, true)),
                new Case("sgd_maximize", 0.1, () -> new SGD(0.1, 0.9, 0, 0.1, false).maximize()),
                new Case("adam_maximize", 0.1, () -> new Adam(0.1, 0.9, 0.999, 1e-8, 0.1, false).maximize()),
                new Case("adagrad_maximize", 0.1, () -> new Adagrad(0.1).maximize()),
                new Case("adadelta_maximize", 1.0, () -> new Adadelta().maximize()),
                new Case("adamax_maximize", 0.1, () -> new Adamax(0.1).maximize()),
                new Case("rprop_maximize", 0.1, () -> new Rprop(0.1).maximize()),
                new Case("asgd_maximize", 0.1, () -> new ASGD(0.1).maximize()),
                new Case("nadam_maximize", 0.1, () -> new NAdam(0.1).maximize()),
                new Case("radam_maximize", 0.1, () -> new RAdam(0.1, 0.9, 0.999, 1e-8, 0.1).maximize()),
                new Case("adamw_groups", 0.1, () -> ParamGroups.of(new AdamW(0.1, 0.9, 0.999, 1e-8, 0.5, false))
                        .group(Set.of("w2"), new AdamW(0.05, 0.9, 0.999, 1e-8, 0, false))),
                new Case("sgd_groups", 0.1, () -> ParamGroups.of(new SGD(0.1, 0.9))
                        .group(n -> n.equals("w1"), new SGD(0.1, 0.5, 0, 0, true))));
    }

    private static void check(Backend b, Case c) {
        JsonNode want = fixtures.get("optimizers").get(c.name());
        if (want == null) fail("no fixture " + c.name());
        double[] lrs = new double[want.size()];
        Arrays.fill(lrs, c.lr());
        List<double[]> got = OptimizerHarness.run(b, c.make().get(), GradientClipping.none(), lrs);
        for (int s = 0; s < lrs.length; s++) {
            for (int i = 0; i < 5; i++) {
                double w = want.get(s).get(i).asDouble(), g = got.get(s)[i];
                if (!(Math.abs(w - g) <= 1e-5 * Math.max(1, Math.abs(w)))) {
                    fail(c.name() + " on " + b.name() + ": step " + (s + 1) + " element " + i + " is " + g + ", torch " + w
                            + "\n got " + Arrays.toString(got.get(s)) + "\n torch " + want.get(s));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trajectoryMatchesTorchOnTheReferenceBackend(Case c) {
        check(ref, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trajectoryMatchesTorchOnTheCpu(Case c) {
        check(cpu, c);
    }

    @Test
    void everyFixtureHasACase() {
        Fixtures.assertEveryFixtureHasACase(fixtures.get("optimizers"), cases().map(Case::name));
    }

    @Test
    void badArgumentsAreRefused() {
        List<Runnable> bad = List.of(
                () -> new Adagrad(0.1, -1, 0, 0, 1e-10),
                () -> new Adadelta(1, 1.5, 1e-6, 0),
                () -> new Adamax(0.1, 1, 0.999, 1e-8, 0),
                () -> new NAdam(0.1, 0.9, 0.999, 1e-8, 0, -1),
                () -> new RAdam(-0.1),
                () -> new Rprop(0.1, 1.5, 1.2, 1e-6, 50),
                () -> new Rprop(0.1, 0.5, 1.2, 1, 0.5),
                () -> new ASGD(0.1, -1, 0.75, 1e6, 0),
                () -> ParamGroups.of(new SGD(0)).group(n -> true, new SGD(0.1)));
        for (Runnable r : bad) {
            try {
                r.run();
                fail("accepted a bad argument");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains(":"), e.getMessage());
            }
        }
    }

    @Test
    void maximizeAndGroupsNameThemselves() {
        assertEquals("Adagrad(lr=0.1, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=True)",
                new Adagrad(0.1).maximize().toString());
        assertTrue(ParamGroups.of(new SGD(0.1)).group(Set.of("b"), new SGD(0.2)).toString().contains("[[b]]=SGD(lr=0.2"));
    }
}
