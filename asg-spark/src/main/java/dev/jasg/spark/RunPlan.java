package dev.jasg.spark;

import org.apache.spark.util.CollectionAccumulator;

import java.io.Serializable;
import java.util.Map;

/**
 * Everything a task needs to run its replica: what {@link SparkTrainer} was built with, plus the
 * driver's Hadoop settings and the accumulator the first task reports its steps through.
 * Serialised to every task; immutable once built.
 */
record RunPlan(ModelFactory model, LossFunction loss, OptimizerFactory optimizer, FeedSpec input, FeedSpec target,
               int batchPerWorker, String backend, long seed, long steps, SyncMode mode, boolean shuffle,
               String checkpointDir, int checkpointEvery, int chunkFloats, FaultInjector faults,
               Map<String, String> hadoopConf, CollectionAccumulator<StepProgress> progress) implements Serializable {
}
