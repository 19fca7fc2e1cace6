package dev.jasg.spark;

import dev.jasg.core.HostTensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The body of every barrier task: build the replica, agree on the checkpoint to resume from, then
 * step until the run's last step, exchanging gradients (synchronous) or the whole state (local
 * SGD) through {@link Allreduce}. The first task writes the checkpoints and reports progress.
 * Runs on the task's thread.
 */
final class WorkerLoop {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);

    private WorkerLoop() {}

    static Iterator<WorkerResult> run(RunPlan plan, Iterator<TrainingExample> partition) throws Exception {
        return run(plan, partition, Barrier.current());
    }

    static Iterator<WorkerResult> run(RunPlan plan, Iterator<TrainingExample> partition, Barrier.Group group) throws Exception {
        List<TrainingExample> shard = new ArrayList<>();
        partition.forEachRemaining(shard::add);
        int rank = group.rank(), n = group.size(), attempt = group.stageAttempt();
        check(plan, shard, rank);
        CheckpointStore store = plan.checkpointDir() == null ? null : new CheckpointStore(plan.checkpointDir(), plan.hadoopConf());
        try (Replica replica = new Replica(plan)) {
            double[] losses = new double[(int) plan.steps()];
            long start = 0;
            if (store != null) {
                // the first task picks the checkpoint for all, so that every replica resumes from the same one
                String mine = rank == 0 ? Long.toString(store.latestStep().orElse(0)) : "";
                start = Long.parseLong(group.allGather(mine)[0]);
                if (start > plan.steps()) throw new IllegalStateException("SparkTrainer: " + store + " holds a checkpoint of step " + start + ", past the run's " + plan.steps() + " steps");
                if (start > 0) {
                    CheckpointStore.Snapshot s = store.read(start);
                    replica.load(s.tensors());
                    System.arraycopy(s.losses(), 0, losses, 0, (int) Math.min(start, s.losses().length));
                    LOG.info("task {} of {}, stage attempt {}: resumed from {}", rank, n, attempt, store.pathOf(start));
                }
            }
            BatchSchedule schedule = new BatchSchedule(shard.size(), plan.batchPerWorker(), plan.seed(), rank, plan.shuffle());
            float[] grads = new float[replica.gradientLength()];
            List<Double> pending = new ArrayList<>();
            long t0 = System.nanoTime();
            int localSteps = plan.mode() instanceof SyncMode.LocalSgd l ? l.localSteps() : 0;
            for (long step = start + 1; step <= plan.steps(); step++) {
                plan.faults().beforeStep(rank, attempt, step);
                double loss = replica.gradients(batch(plan, shard, schedule.indices(step)), grads);
                switch (plan.mode()) {
                    case SyncMode.Synchronous s -> {
                        Allreduce.Reduced r = Allreduce.average(group, new double[] {loss}, grads, plan.chunkFloats());
                        replica.apply(r.mean());
                        losses[(int) step - 1] = meanOf(r.headers(), 0);
                        report(plan, rank, step, step, losses, start, t0, n, attempt);
                    }
                    case SyncMode.LocalSgd l -> {
                        replica.apply(grads);
                        pending.add(loss);
                        if (step % localSteps == 0 || step == plan.steps()) {
                            double[] mine = pending.stream().mapToDouble(Double::doubleValue).toArray();
                            Allreduce.Reduced r = Allreduce.average(group, mine, replica.state(), plan.chunkFloats());
                            replica.setState(r.mean());
                            long first = step - mine.length + 1;
                            for (int i = 0; i < mine.length; i++) losses[(int) (first + i) - 1] = meanOf(r.headers(), i);
                            report(plan, rank, first, step, losses, start, t0, n, attempt);
                            pending.clear();
                        }
                    }
                }
                if (store != null && rank == 0 && step % plan.checkpointEvery() == 0) {
                    store.save(step, replica.snapshot(), losses);
                    LOG.info("task 0: checkpoint of step {} at {}", step, store.pathOf(step));
                }
            }
            long nanos = System.nanoTime() - t0;
            if (rank != 0) return Collections.emptyIterator();
            Map<String, HostTensor> last = replica.snapshot();
            String[] names = last.keySet().toArray(String[]::new);
            int[][] shapes = new int[names.length][];
            float[][] values = new float[names.length][];
            for (int i = 0; i < names.length; i++) {
                shapes[i] = last.get(names[i]).shape().dims();
                values[i] = last.get(names[i]).floats();
            }
            return List.of(new WorkerResult(names, shapes, values, losses, start, attempt, nanos, n)).iterator();
        }
    }

    private static void check(RunPlan plan, List<TrainingExample> shard, int rank) {
        if (shard.isEmpty()) throw new IllegalArgumentException("SparkTrainer: partition " + rank + " holds no examples; every partition (task) needs some (repartition the RDD)");
        int in = plan.input().exampleSize(), out = plan.target().exampleSize();
        for (int i = 0; i < shard.size(); i++) {
            TrainingExample e = shard.get(i);
            if (e.input().length != in || e.target().length != out) {
                throw new IllegalArgumentException("SparkTrainer: example " + i + " of partition " + rank + " has " + e.input().length + " input and "
                        + e.target().length + " target values; expected " + in + " for " + plan.input() + " and " + out + " for " + plan.target());
            }
        }
    }

    /** The feeds of the examples at {@code indices} of {@code shard}. */
    static Map<String, HostTensor> batch(RunPlan plan, List<TrainingExample> shard, int[] indices) {
        int in = plan.input().exampleSize(), out = plan.target().exampleSize();
        float[] x = new float[indices.length * in], y = new float[indices.length * out];
        for (int i = 0; i < indices.length; i++) {
            TrainingExample e = shard.get(indices[i]);
            System.arraycopy(e.input(), 0, x, i * in, in);
            System.arraycopy(e.target(), 0, y, i * out, out);
        }
        Map<String, HostTensor> feeds = new HashMap<>();
        feeds.put(plan.input().name(), HostTensor.of(plan.input().dtype(), plan.input().shapeOf(indices.length), x));
        feeds.put(plan.target().name(), HostTensor.of(plan.target().dtype(), plan.target().shapeOf(indices.length), y));
        return feeds;
    }

    private static double meanOf(double[][] headers, int i) {
        double s = 0;
        for (double[] h : headers) s += h[i];
        return s / headers.length;
    }

    private static void report(RunPlan plan, int rank, long from, long to, double[] losses, long start, long t0, int n, int attempt) {
        if (rank != 0 || plan.progress() == null) return;
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (long s = from; s <= to; s++) {
            long samples = s * (long) plan.batchPerWorker() * n;
            double rate = seconds > 0 ? (to - start) * (double) plan.batchPerWorker() * n / seconds : 0;
            plan.progress().add(new StepProgress(s, losses[(int) s - 1], samples, rate, attempt));
        }
    }
}
