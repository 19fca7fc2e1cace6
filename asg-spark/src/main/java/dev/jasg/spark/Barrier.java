package dev.jasg.spark;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The only place that touches Spark's barrier API, which Java reaches through the Scala RDD
 * ({@code rdd.rdd().barrier()}; there is no {@code JavaRDD.barrier()}), and the only place that
 * talks to {@link BarrierTaskContext}.
 *
 * <p>Spark's barrier calls wait for the coordinator's answer in a loop that checks the answer
 * and then sleeps a whole second ({@code Thread.sleep(1000)} in {@code BarrierTaskContext.runBarrier},
 * Spark 3 to 4.1), so a plain {@code allGather} takes about a second even when every task is
 * already there: 1 s per training step for synchronous SGD. That sleep ignores an interrupt and
 * re-checks the answer (a kill is recognised through the task's kill reason, not the interrupt
 * flag), so while a task is inside {@code allGather}, a nudging thread interrupts it whenever its
 * stack shows that sleep, every {@value #NUDGE_MICROS} us; after the call the stray interrupt
 * status is cleared (and restored when Spark is killing the task). An exchange then costs the
 * coordinator's round trip, not a second.
 */
final class Barrier {
    private Barrier() {}

    /** A task body: the partition's elements in, the task's results out. */
    @FunctionalInterface
    interface TaskBody<T, R> extends Serializable {
        Iterator<R> run(Iterator<T> partition) throws Exception;
    }

    /** What a task body needs from its barrier stage; {@link #current()} in a Spark task. */
    interface Group {
        /** This task's partition index, 0 to {@link #size()} - 1. */
        int rank();

        /** Tasks in the stage. */
        int size();

        /** The stage's attempt number, 0 first. */
        int stageAttempt();

        /** Blocks until every task sent its message; returns them by partition index. */
        String[] allGather(String message);
    }

    /**
     * Runs {@code body} on every partition of {@code rdd} in one barrier stage (all tasks at once,
     * retried together) and collects the results on the driver. The barrier RDD is followed by a
     * shuffle into one partition before the collect: Spark retries a failed barrier stage only when
     * it is a shuffle-map stage ("Could not recover from a failed barrier ResultStage" otherwise).
     */
    static <T, R> List<R> runAndCollect(JavaRDD<T> rdd, Class<R> type, TaskBody<T, R> body) {
        ClassTag<R> tag = ClassTag$.MODULE$.apply(type);
        RDD<R> out = rdd.rdd().barrier().mapPartitions(new ScalaBody<>(body), false, tag);
        return JavaRDD.fromRDD(out, tag).coalesce(1, true).collect();
    }

    /** The barrier context of the calling Spark task. */
    static Group current() {
        BarrierTaskContext c = BarrierTaskContext.get();
        return new Group() {
            @Override
            public int rank() {
                return c.partitionId();
            }

            @Override
            public int size() {
                return c.getTaskInfos().length;
            }

            @Override
            public int stageAttempt() {
                return c.stageAttemptNumber();
            }

            @Override
            public String[] allGather(String message) {
                return promptly(c, message);
            }
        };
    }

    /** Poll interval of the nudging thread. */
    static final long NUDGE_MICROS = 200;

    /** Interrupts delivered to tasks sleeping in Spark's barrier poll, for tests. */
    static final AtomicLong NUDGES = new AtomicLong();

    /** {@code c.allGather(message)} without the one-second poll (see the class comment). */
    private static String[] promptly(BarrierTaskContext c, String message) {
        Thread caller = Thread.currentThread();
        Object lock = new Object();
        boolean[] inCall = {true};
        Thread nudger = Thread.ofPlatform().daemon().name("jasg-barrier-nudge-" + c.partitionId()).start(() -> {
            while (true) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(NUDGE_MICROS));
                synchronized (lock) {
                    if (!inCall[0]) return;
                    if (sleepingInBarrierPoll(caller)) {
                        caller.interrupt();
                        NUDGES.incrementAndGet();
                    }
                }
            }
        });
        try {
            return c.allGather(message);
        } finally {
            synchronized (lock) {
                inCall[0] = false;
            }
            Thread.interrupted();
            if (c.isInterrupted()) caller.interrupt();
            LockSupport.unpark(nudger);
        }
    }

    /** Whether {@code t} sits in {@code Thread.sleep} called from Spark's {@code BarrierTaskContext.runBarrier}. */
    static boolean sleepingInBarrierPoll(Thread t) {
        if (t.getState() != Thread.State.TIMED_WAITING) return false;
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().equals("java.lang.Thread")) continue;
            return f.getClassName().equals("org.apache.spark.BarrierTaskContext") && f.getMethodName().equals("runBarrier");
        }
        return false;
    }

    /** The task body as the Scala function {@code RDDBarrier.mapPartitions} takes. */
    private static final class ScalaBody<T, R> extends AbstractFunction1<scala.collection.Iterator<T>, scala.collection.Iterator<R>> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final TaskBody<T, R> body;

        ScalaBody(TaskBody<T, R> body) {
            this.body = body;
        }

        @Override
        public scala.collection.Iterator<R> apply(scala.collection.Iterator<T> in) {
            try {
                return scala.jdk.javaapi.CollectionConverters.asScala(body.run(scala.jdk.javaapi.CollectionConverters.asJava(in)));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
