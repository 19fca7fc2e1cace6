package dev.jasg.cpu;

/**
 * One scheduled node of a plan, with its geometry and scratch already fixed: reads its
 * inputs' arrays from {@code values} (indexed by node id) and writes its own. Not thread-safe: a
 * step may keep the run's values for its loop's chunks ({@link LoopStep}) and its scratch, so a
 * plan's steps run on one thread at a time ({@link CpuExecutable#run} holds the executable's lock).
 */
@FunctionalInterface
interface Step {
    /** Leaves (inputs, parameters, constants) are bound by the plan before the steps run. */
    Step NONE = values -> { };

    /** Computes the node from {@code values}. */
    void run(float[][] values);
}
