package dev.jasg.spark;

import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateListener;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple4;
import scala.collection.immutable.Seq;

import java.util.List;
import java.util.TreeMap;

/**
 * Brings the first task's {@link StepProgress} records to the driver's listeners. While the stage
 * runs they ride on the executors' heartbeats (a running task's accumulators are sent with every
 * heartbeat, and the driver posts them as {@link SparkListenerExecutorMetricsUpdate}); the steps
 * the heartbeats did not bring come from the task's result at the end. Steps are delivered in
 * order, each once: a step past a gap waits until the gap is filled. Synchronized: the listener
 * bus and the thread calling {@code fit} both deliver.
 */
final class ProgressDispatch extends SparkListener {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressDispatch.class);

    private final List<ProgressListener> listeners;
    private final List<ComputeUpdateListener> updates;
    private final double lr;
    private final long accumulatorId;
    private final TreeMap<Long, StepProgress> waiting = new TreeMap<>();
    private long delivered;
    private long started = System.nanoTime();

    ProgressDispatch(List<ProgressListener> listeners, List<ComputeUpdateListener> updates, double lr, long accumulatorId) {
        this.listeners = listeners;
        this.updates = updates;
        this.lr = lr;
        this.accumulatorId = accumulatorId;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate event) {
        try {
            for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task : scala.jdk.javaapi.CollectionConverters.asJava(event.accumUpdates())) {
                for (AccumulableInfo info : scala.jdk.javaapi.CollectionConverters.asJava(task._4())) {
                    if (info.id() != accumulatorId) continue;
                    Option<Object> update = info.update();
                    if (update.isDefined() && update.get() instanceof List<?> steps) {
                        for (Object o : steps) if (o instanceof StepProgress p) offer(p);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("SparkTrainer: a progress listener failed", e);
        }
    }

    private synchronized void offer(StepProgress p) {
        if (p.step() <= delivered) return;
        waiting.putIfAbsent(p.step(), p);
        while (!waiting.isEmpty() && waiting.firstKey() == delivered + 1) deliver(waiting.pollFirstEntry().getValue(), Double.NaN);
    }

    private void deliver(StepProgress p, double nanosPerStep) {
        delivered = p.step();
        for (ProgressListener l : listeners) l.onStep(p);
        if (!updates.isEmpty()) {
            long now = System.nanoTime();
            double per = !Double.isNaN(nanosPerStep) ? nanosPerStep : (now - started) / (double) Math.max(1, p.step());
            ComputeUpdate u = new ComputeUpdate.StepDone(p.step(), p.loss(), lr, SparkTrainer.timings(per));
            for (ComputeUpdateListener l : updates) l.onUpdate(u);
        }
    }

    /** Delivers every step not delivered yet from the final loss curve, then {@link ComputeUpdate.Finished}. */
    synchronized void finish(double[] losses, long samplesPerStep, double samplesPerSecond, int attempt, double nanosPerStep) {
        for (long s = delivered + 1; s <= losses.length; s++) {
            StepProgress p = waiting.remove(s);
            deliver(p != null ? p : new StepProgress(s, losses[(int) s - 1], s * samplesPerStep, samplesPerSecond, attempt), nanosPerStep);
        }
        waiting.clear();
        ComputeUpdate f = new ComputeUpdate.Finished(losses.length);
        for (ComputeUpdateListener l : updates) l.onUpdate(f);
    }

    /** Tells the update listeners that the run failed. */
    synchronized void failed(Throwable e) {
        ComputeUpdate f = new ComputeUpdate.Failed(delivered, e);
        for (ComputeUpdateListener l : updates) l.onUpdate(f);
    }
}
