package dev.jasg.nn.spec;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start, pause, resume and stop a spec's training on its thread; the losses are SpecTraining's. */
class TrainingSessionTest {
    @Test
    void pauseResumeStopAndTheSameLosses() throws Exception {
        ModelSpec spec = Templates.load("MLP");
        List<Double> direct = SpecTraining.train(spec, 6, null);
        CountDownLatch twoSteps = new CountDownLatch(2);
        AtomicInteger trainers = new AtomicInteger();
        try (TrainingSession s = TrainingSession.start(spec, 6, (step, loss) -> twoSteps.countDown(), t -> trainers.incrementAndGet())) {
            s.pause();
            // paused before the first or a later step; nothing moves while paused
            Thread.sleep(300);
            int atPause = s.losses().size();
            Thread.sleep(300);
            assertEquals(atPause, s.losses().size(), "no step runs while paused");
            assertTrue(s.isPaused());
            s.resume();
            assertEquals(direct, s.await());
            assertEquals(1, trainers.get());
            assertTrue(twoSteps.await(1, TimeUnit.SECONDS));
        }
        try (TrainingSession s = TrainingSession.start(spec, 0, null, null)) {
            s.stop();
            List<Double> l = s.await();
            assertTrue(l.size() < 8, "stopped early: " + l.size());
            assertEquals(direct.subList(0, Math.min(l.size(), 6)), l.subList(0, Math.min(l.size(), 6)));
        }
    }

    @Test
    void aFailureComesBackFromAwait() throws Exception {
        ModelSpec mlp = Templates.load("MLP");
        ModelSpec.Training t = mlp.training();
        ModelSpec bad = mlp.withTraining(new ModelSpec.Training(t.loss(), t.optimizer(), t.scheduler(), t.batchSize(), t.epochs(), t.maxSteps(), t.seed(),
                "no-such-backend", t.dataset()));
        try (TrainingSession s = TrainingSession.start(bad, 2, null, null)) {
            assertThrows(RuntimeException.class, s::await);
            assertTrue(s.isDone());
        }
    }
}
