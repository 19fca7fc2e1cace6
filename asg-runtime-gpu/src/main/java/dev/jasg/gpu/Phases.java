package dev.jasg.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * The order a plan records its steps in: each step as early as the ranges it reads and writes allow, so that steps
 * with no hazard between them share the stretch between two barriers and the device runs them together.
 *
 * <p>A step's <b>phase</b> is one more than the highest phase of the earlier steps it conflicts with (it reads what one
 * writes, writes what one reads, or writes what one writes: {@link View#overlaps}), or 0. The steps are then recorded by
 * phase, in their first order within a phase, so every conflicting pair keeps its order and a barrier
 * ({@link ExecutionPlan#barrier}) separates them, while steps that only followed one another (an optimizer's update of
 * one parameter, then of the next; a weight gradient beside the input gradient) no longer wait for each other. The
 * memory plan is unchanged: a range reused by a later tensor is a conflict like any other. A host step
 * ({@link Step.Host}) ends a command buffer, so it stays where it was and the steps on each side of it are ordered
 * separately. Without {@code -Djasg.vulkan.reorder=false}, the plan orders its steps so (profiled plans keep theirs).
 * Stateless; thread-safe.
 */
final class Phases {
    /** Steps by phase unless {@code -Djasg.vulkan.reorder=false}, for timing against the first order. */
    static final boolean REORDER = !"false".equalsIgnoreCase(System.getProperty("jasg.vulkan.reorder"));

    private Phases() {}

    /** {@code steps} in phase order, host steps where they were. */
    static List<Step> order(List<Step> steps) {
        List<Step> out = new ArrayList<>(steps.size());
        int from = 0;
        for (int i = 0; i <= steps.size(); i++) {
            if (i == steps.size() || steps.get(i) instanceof Step.Host) {
                out.addAll(orderSegment(steps.subList(from, i)));
                if (i < steps.size()) out.add(steps.get(i));
                from = i + 1;
            }
        }
        return out;
    }

    /** Each step's phase ({@link Phases}), in the given order. */
    static int[] phases(List<Step> steps) {
        int[] phase = new int[steps.size()];
        for (int j = 0; j < steps.size(); j++) {
            Step s = steps.get(j);
            int p = 0;
            for (int i = j - 1; i >= 0; i--) {
                if (phase[i] + 1 > p && conflict(steps.get(i), s)) p = phase[i] + 1;
            }
            phase[j] = p;
        }
        return phase;
    }

    private static List<Step> orderSegment(List<Step> steps) {
        int[] phase = phases(steps);
        int top = 0;
        for (int p : phase) top = Math.max(top, p);
        int[] count = new int[top + 2];
        for (int p : phase) count[p + 1]++;
        for (int p = 0; p <= top; p++) count[p + 1] += count[p];
        Step[] sorted = new Step[steps.size()];
        for (int j = 0; j < steps.size(); j++) sorted[count[phase[j]]++] = steps.get(j);
        return List.of(sorted);
    }

    /** True when {@code a} and {@code b} touch a common range and at least one of them writes it. */
    static boolean conflict(Step a, Step b) {
        return conflict(a.reads(), a.writes(), b.reads(), b.writes());
    }

    /**
     * True when ranges read {@code aReads} and written {@code aWrites} share a byte with ranges read {@code bReads} and
     * written {@code bWrites} where at least one side writes it: two steps, or a step and what was issued since the last
     * barrier ({@link ExecutionPlan}'s barrier placement).
     */
    static boolean conflict(List<View> aReads, List<View> aWrites, List<View> bReads, List<View> bWrites) {
        for (View w : aWrites) {
            for (View r : bReads) if (w.overlaps(r)) return true;
            for (View o : bWrites) if (w.overlaps(o)) return true;
        }
        for (View r : aReads) for (View w : bWrites) if (r.overlaps(w)) return true;
        return false;
    }
}
