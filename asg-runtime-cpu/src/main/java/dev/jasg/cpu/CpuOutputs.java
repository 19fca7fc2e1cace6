package dev.jasg.cpu;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import java.util.Set;

/**
 * The outputs of one run of a {@link CpuExecutable}. Nothing is copied until {@link #get}
 * asks, which copies the value's buffer into a new {@link HostTensor} under the executable's
 * lock (so no other thread's run can overwrite it mid-copy); the buffers are reused by the
 * next run, so a get after that throws {@link IllegalStateException}. Safe to read from any
 * thread.
 */
final class CpuOutputs implements Outputs {
    private final CpuExecutable owner;
    private final Plan plan;
    private final long run;

    CpuOutputs(CpuExecutable owner, Plan plan, long run) {
        this.owner = owner;
        this.plan = plan;
        this.run = run;
    }

    @Override
    public Set<String> names() {
        return owner.program().outputs().keySet();
    }

    @Override
    public HostTensor get(String name) {
        return owner.read(plan, run, id(name));
    }

    @Override
    public float[] copyInto(String name, float[] dst) {
        return owner.readInto(plan, run, id(name), name, dst);
    }

    @Override
    public double scalar(String name) {
        return owner.readScalar(plan, run, id(name));
    }

    private int id(String name) {
        return owner.program().outputId(name);
    }
}
