/**
 * The one buffer planner every backend uses: lifetime analysis of a {@link dev.jasg.core.Program}'s
 * values under one binding of its symbolic sizes, and their assignment to storage with reuse,
 * views and in-place results. A backend says what its storage can do through a
 * {@link dev.jasg.core.plan.PlanPolicy} (alignment, packing into one arena or into separate
 * buffers, which ops are views of an operand, which may write over an operand, how many bytes a
 * value takes) and maps the {@link dev.jasg.core.plan.BufferPlan} onto its own device objects;
 * the planner knows no device type.
 */
package dev.jasg.core.plan;
