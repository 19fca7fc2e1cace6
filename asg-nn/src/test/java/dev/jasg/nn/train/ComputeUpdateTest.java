package dev.jasg.nn.train;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.Tanh;
import dev.jasg.nn.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComputeUpdateTest {
    private static final Map<String, HostTensor> BATCH = Map.of(
            "x", HostTensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3), "y", HostTensor.of(new float[] {1, -1}, 2, 1));

    private static Trainer trainer(Backend b) {
        return Trainer.builder(b, new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 1)))
                .input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 1)
                .loss((o, y) -> o.sub(y).square().mean()).optimizer(new SGD(0.1)).build();
    }

    @Test
    void aTrainerSendsItsGraphsThenEveryStepAndEpoch() {
        List<ComputeUpdate> got = new ArrayList<>();
        try (Backend ref = Backends.create("reference"); Trainer t = trainer(ref)) {
            t.addUpdateListener(got::add);
            ComputeUpdate.GraphReady ready = assertInstanceOf(ComputeUpdate.GraphReady.class, got.get(0));
            assertEquals(t.forwardGraph(), ready.forward());
            assertEquals(t.gradientGraph(), ready.gradients());
            double a = t.step(BATCH), b = t.step(BATCH);
            t.endEpoch(Map.of("accuracy", 0.5));
            t.publish(new ComputeUpdate.Finished(t.steps()));
            assertEquals(5, got.size());
            ComputeUpdate.StepDone s1 = assertInstanceOf(ComputeUpdate.StepDone.class, got.get(1));
            assertEquals(1, s1.step());
            assertEquals(a, s1.loss());
            assertEquals(0.1, s1.lr(), 1e-7);
            assertTrue(s1.timings().runNanos() > 0 && s1.timings().intervalNanos() >= s1.timings().runNanos());
            assertEquals(b, ((ComputeUpdate.StepDone) got.get(2)).loss());
            ComputeUpdate.EpochDone e = assertInstanceOf(ComputeUpdate.EpochDone.class, got.get(3));
            assertEquals(1, e.epoch());
            assertEquals((a + b) / 2, e.loss(), 1e-12);
            assertEquals(Map.of("accuracy", 0.5), e.metrics());
            assertEquals(2L, ((ComputeUpdate.Finished) got.get(4)).steps());
            assertEquals(1, t.state().get("epoch"));
        }
    }

    @Test
    void aFailingStepIsReportedAndRethrown() {
        List<ComputeUpdate> got = new ArrayList<>();
        try (Backend ref = Backends.create("reference"); Trainer t = trainer(ref)) {
            t.addUpdateListener(got::add);
            assertThrows(JasgException.class, () -> t.step(Map.of("x", BATCH.get("x"))));
            ComputeUpdate.Failed f = assertInstanceOf(ComputeUpdate.Failed.class, got.get(got.size() - 1));
            assertEquals(0, f.step());
            assertTrue(f.message().contains("y"), f.message());
        }
    }

    @Test
    void theQueueDropsStepsWhenFullButKeepsTheRest() {
        ComputeUpdateQueue q = new ComputeUpdateQueue(2);
        for (int i = 1; i <= 5; i++) q.onUpdate(new ComputeUpdate.StepDone(i, i, 0.1, new StepTimings(1, 1)));
        q.onUpdate(new ComputeUpdate.Finished(5));
        assertEquals(3, q.dropped());
        List<ComputeUpdate> out = new ArrayList<>();
        assertEquals(3, q.drain(out::add, 100));
        assertEquals(1, ((ComputeUpdate.StepDone) out.get(0)).step());
        assertEquals(2, ((ComputeUpdate.StepDone) out.get(1)).step());
        assertInstanceOf(ComputeUpdate.Finished.class, out.get(2));
        assertNull(q.poll());
        q.onUpdate(new ComputeUpdate.StepDone(6, 6, 0.1, new StepTimings(1, 1)));
        assertEquals(6, ((ComputeUpdate.StepDone) q.poll()).step());
    }

    @Test
    void nodeStatsAreTheMomentsAndAHistogram() {
        NodeStats s = NodeStats.of(3, "fc1/relu", 7, HostTensor.of(new float[] {1, 2, 3, 4, Float.NaN}, 5));
        assertEquals(5, s.count());
        assertEquals(1, s.nonFinite());
        assertEquals(1, s.min());
        assertEquals(4, s.max());
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(Math.sqrt(1.25), s.std(), 1e-12);
        long total = 0;
        for (long c : s.histogram().counts()) total += c;
        assertEquals(4, total);
        assertEquals(1, s.histogram().counts()[0]);
        assertEquals(1, s.histogram().counts()[NodeStats.BINS - 1]);
        assertEquals(5, s.sample().length);
        NodeStats flat = NodeStats.of(1, "c", 0, HostTensor.of(new float[] {2, 2}, 2));
        assertEquals(0, flat.std());
        assertEquals(2, flat.histogram().counts()[0]);
    }
}
