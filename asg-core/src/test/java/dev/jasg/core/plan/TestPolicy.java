package dev.jasg.core.plan;

import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;

/**
 * A policy for the planner's tests: 4-byte elements, reshapes are views, unary and binary ops
 * of their operand's shape may run in place, leaves stored as configured, and (when
 * {@code classByDtype}) integer values in a storage class of their own.
 */
record TestPolicy(Packing packing, long alignment, Storage inputs, Storage constants, boolean inPlace, boolean classByDtype) implements PlanPolicy {
    static TestPolicy buffers() {
        return new TestPolicy(Packing.BUFFERS, 4, Storage.EXTERNAL, Storage.EXTERNAL, true, false);
    }

    static TestPolicy arena(long alignment) {
        return new TestPolicy(Packing.ARENA, alignment, Storage.FED, Storage.PRELOADED, false, false);
    }

    TestPolicy withInPlace(boolean on) {
        return new TestPolicy(packing, alignment, inputs, constants, on, classByDtype);
    }

    TestPolicy withInputs(Storage s) {
        return new TestPolicy(packing, alignment, s, constants, inPlace, classByDtype);
    }

    TestPolicy withClasses() {
        return new TestPolicy(packing, alignment, inputs, constants, inPlace, true);
    }

    @Override
    public long bytes(Node n, Program.Binding b) {
        return 4L * b.shape(n.id()).size();
    }

    @Override
    public Storage storage(Node n) {
        if (n.op() instanceof Op.Parameter) return Storage.EXTERNAL;
        if (n.op() instanceof Op.Input) return inputs;
        if (n.op() instanceof Op.Constant) return constants;
        return Storage.COMPUTED;
    }

    @Override
    public int viewOf(Node n, Program.Binding b) {
        return n.op() instanceof Op.Reshape ? n.input(0) : -1;
    }

    @Override
    public boolean inPlace(Node n, int k, Program.Binding b) {
        return inPlace && (n.op() instanceof Op.Unary || n.op() instanceof Op.Binary) && b.shape(n.input(k)).equals(b.shape(n.id()));
    }

    @Override
    public int storageClass(Node n) {
        return classByDtype && n.dtype().isInteger() ? 1 : 0;
    }
}
