package dev.jasg.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Anomaly;
import dev.jasg.core.AnomalyException;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The anomaly-mode table every backend runs ({@link Anomaly}, issue 13 item 16): with the mode on,
 * a run that makes a NaN or an infinity throws an {@link AnomalyException} naming the node where it
 * first appeared (not a node it spread to), its scope and its inputs' statistics, and applies no
 * assignment; with it off, the same runs return the NaN silently.
 */
public final class AnomalyCases {
    private AnomalyCases() {}

    /** One row: a name and a check run against a backend. */
    public record Case(String name, Consumer<Backend> check) {}

    /** Every row. */
    public static List<Case> all() {
        return List.of(
                new Case("log of a fed negative names the log node, its scope and its input's stats", AnomalyCases::logOfNegative),
                new Case("Inf made mid-chain (exp) is named, not the NaN it spreads to (inf - inf)", AnomalyCases::originNotVictim),
                new Case("a NaN that is fed in names the input", AnomalyCases::fedNaN),
                new Case("a training step with a NaN loss throws and leaves the parameters unchanged", AnomalyCases::trainingStepKeepsParameters),
                new Case("off: the same runs return NaN and update the parameters", AnomalyCases::offReturnsNaN),
                new Case("the system property jasg.detectAnomaly=true switches it on", AnomalyCases::systemProperty),
                new Case("a finite run is unchanged in anomaly mode", AnomalyCases::finiteRunUnchanged));
    }

    /** {@code 2 log(x)} in scope {@code block}, {@code x: f32[3]}. */
    static Graph logGraph() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 3);
        Tensor y;
        try (var s = g.scope("block")) {
            y = x.log();
        }
        g.output("y", y.mul(2));
        return g.build();
    }

    static Map<String, HostTensor> feed(float... x) {
        return Map.of("x", HostTensor.of(x, x.length));
    }

    static void logOfNegative(Backend backend) {
        try (Executable e = backend.compile(logGraph()); var on = Anomaly.enable()) {
            AnomalyException a = assertThrows(AnomalyException.class, () -> e.run(feed(1, -1, 2)));
            assertEquals("block/log", a.path(), a.getMessage());
            assertEquals("log", a.op());
            assertEquals("block", a.scope());
            assertEquals(Shape.of(3), a.shape());
            assertEquals(1, a.nanCount());
            assertEquals(0, a.infCount());
            assertFalse(a.fedIn());
            assertEquals(1, a.inputs().size());
            AnomalyException.Operand in = a.inputs().get(0);
            assertEquals("x", in.path());
            assertEquals(Shape.of(3), in.shape());
            assertEquals(-1, in.stats().min(), 1e-6);
            assertEquals(2, in.stats().max(), 1e-6);
            assertEquals(2 / 3.0, in.stats().mean(), 1e-6);
            assertTrue(in.stats().finite());
            for (String s : List.of("block/log", "1 NaN", "scope block", "'x'", "min -1", "max 2")) {
                assertTrue(a.getMessage().contains(s), () -> "the message should name " + s + ": " + a.getMessage());
            }
        }
    }

    static void originNotVictim(Backend backend) {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2);
        Tensor big = x.exp();
        g.output("d", big.sub(big).mul(3));
        try (Executable e = backend.compile(g.build()); var on = Anomaly.enable()) {
            AnomalyException a = assertThrows(AnomalyException.class, () -> e.run(feed(1000, 1)));
            assertEquals("exp", a.op(), a.getMessage());
            assertEquals(big.id(), a.nodeId());
            assertEquals(1, a.infCount());
            assertEquals(0, a.nanCount());
            assertEquals(1000, a.inputs().get(0).stats().max(), 1e-3);
        }
    }

    static void fedNaN(Backend backend) {
        try (Executable e = backend.compile(logGraph()); var on = Anomaly.enable()) {
            AnomalyException a = assertThrows(AnomalyException.class, () -> e.run(feed(1, Float.NaN, 2)));
            assertEquals("x", a.path(), a.getMessage());
            assertEquals("input", a.op());
            assertTrue(a.fedIn());
            assertEquals(1, a.nanCount());
            assertTrue(a.getMessage().contains("input 'x' was fed 1 NaN"), a.getMessage());
        }
    }

    /** Forward {@code loss = sum(log(w x))} in scope {@code model}, its gradient by autograd, and SGD {@code w := w - 0.1 dw}. */
    static List<Graph> trainingStep() {
        GraphBuilder f = new GraphBuilder();
        Tensor x = f.input("x", DType.F32, 4);
        Tensor loss;
        try (var s = f.scope("model")) {
            Tensor w = f.parameter("w", Init.ones(), 4);
            loss = w.mul(x).log().sum();
        }
        f.output("loss", loss);
        Graph forward = f.build();
        Graph grads = Autograd.gradients(forward, "loss", List.of("model.w"));
        GraphBuilder u = new GraphBuilder(grads);
        Tensor w = u.tensor(forward.parameters().get("model.w").id());
        u.assign(w, w.sub(u.tensor(grads.output(Autograd.outputName(forward.parameters().get("model.w"))).id()).mul(0.1)));
        return List.of(forward, grads, u.build());
    }

    static void trainingStepKeepsParameters(Backend backend) {
        Parameters p = backend.newParameters(1);
        try (Executable e = backend.compile(p, trainingStep())) {
            assertEquals(-0.0, e.run(feed(1, 1, 1, 1)).scalar("loss"), 1e-6, "a finite step first");
            float[] before = p.get("model.w").floats().clone();
            assertArrayEquals(new float[] {0.9f, 0.9f, 0.9f, 0.9f}, before, 1e-6f, "the finite step updates w");
            try (var on = Anomaly.enable()) {
                AnomalyException a = assertThrows(AnomalyException.class, () -> e.run(feed(1, -1, 2, 3)));
                assertEquals("model/log", a.path(), a.getMessage());
                assertEquals("model", a.scope());
                assertEquals(-0.9, a.inputs().get(0).stats().min(), 1e-6);
            }
            assertArrayEquals(before, p.get("model.w").floats(), "an anomalous step must not change the parameters");
            assertEquals(Math.log(0.9) * 4, e.run(feed(1, 1, 1, 1)).scalar("loss"), 1e-5, "the executable still runs");
        }
    }

    static void offReturnsNaN(Backend backend) {
        Anomaly.setEnabled(false);
        try (Executable e = backend.compile(logGraph())) {
            assertTrue(Double.isNaN(e.run(feed(1, -1, 2)).get("y").get(1)));
        }
        Parameters p = backend.newParameters(1);
        try (Executable e = backend.compile(p, trainingStep())) {
            assertTrue(Double.isNaN(e.run(feed(1, -1, 2, 3)).scalar("loss")));
            assertArrayEquals(new float[] {0.9f, 0.9f, 0.9f, 0.9f}, p.get("model.w").floats(), 1e-6f, "off, the step is applied as before");
        }
    }

    static void systemProperty(Backend backend) {
        String before = System.getProperty(Anomaly.PROPERTY);
        try (Executable e = backend.compile(logGraph())) {
            System.setProperty(Anomaly.PROPERTY, "true");
            assertTrue(Anomaly.enabled());
            AnomalyException a = assertThrows(AnomalyException.class, () -> e.run(feed(1, -1, 2)));
            assertEquals("block/log", a.path());
            System.setProperty(Anomaly.PROPERTY, "false");
            assertTrue(Double.isNaN(e.run(feed(1, -1, 2)).get("y").get(1)), "off again, the NaN is returned");
        } finally {
            if (before == null) System.clearProperty(Anomaly.PROPERTY);
            else System.setProperty(Anomaly.PROPERTY, before);
        }
    }

    static void finiteRunUnchanged(Backend backend) {
        Parameters p = backend.newParameters(1);
        try (Executable e = backend.compile(p, trainingStep()); var on = Anomaly.enable()) {
            assertEquals(Math.log(2) + Math.log(3), e.run(feed(1, 1, 2, 3)).scalar("loss"), 1e-5);
            assertArrayEquals(new float[] {0.9f, 0.9f, 0.9f, 0.9f}, p.get("model.w").floats(), 1e-6f);
        }
        assertFalse(Anomaly.enabled(), "closing the scope restores the switch");
    }
}
