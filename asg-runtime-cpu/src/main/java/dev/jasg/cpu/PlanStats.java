package dev.jasg.cpu;

/**
 * What the memory planner made of one binding of the symbolic dimensions.
 *
 * @param nodes   scheduled nodes
 * @param buffers distinct pooled buffers (reused by liveness)
 * @param aliases nodes that share their input's buffer (reshapes and no-op shape ops)
 * @param bytes   bytes held by the pooled buffers and snapshot/staging copies
 */
public record PlanStats(int nodes, int buffers, int aliases, long bytes) {}
