package dev.jasg.cpu;

/**
 * What the memory planner made of one binding of the symbolic dimensions.
 *
 * @param nodes   scheduled nodes
 * @param buffers distinct buffers the {@link dev.jasg.core.plan.BufferPlanner} assigned (reused by
 *                liveness; the snapshots of parameter- or feed-held outputs and assigned values included)
 * @param aliases nodes that share an operand's buffer (views: reshapes, no-op shape ops, fused transposes and bias adds)
 * @param bytes   bytes held by those buffers
 * @param chains  fused elementwise chains (each runs its tree of elementwise nodes as one pass over memory)
 * @param fused   nodes those chains absorbed: computed inside a chain's pass, with no step or buffer of their own
 * @param siblings values chains store besides their roots (merged chains: an optimizer's moments, stored by the
 *                 parameter's update), with a buffer but no step of their own
 */
public record PlanStats(int nodes, int buffers, int aliases, long bytes, int chains, int fused, int siblings) {}
