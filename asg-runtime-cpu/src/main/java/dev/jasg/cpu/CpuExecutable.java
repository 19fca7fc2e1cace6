package dev.jasg.cpu;

import dev.jasg.core.Anomaly;
import dev.jasg.core.Executable;
import dev.jasg.core.FeedException;
import dev.jasg.core.HostParameters;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import dev.jasg.core.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program compiled by the {@link CpuBackend}. Plans are made once per distinct binding
 * of the symbolic dimensions (e.g. once per batch size) and cached, a few at a time; a run
 * with a cached binding allocates no buffers.
 *
 * <p>Thread safety, as {@link Executable} states it: runs, reads of their outputs and
 * {@link #close} take this executable's lock, so runs from several threads are serialised and
 * an {@link Outputs#get} copies its value while no run can touch the buffers. Outputs read
 * after a later run has reused the buffers throw {@link IllegalStateException}.
 *
 * <p>In {@link Anomaly} mode a run uses a plan of its own that keeps every node's value (no buffer
 * reuse, fusion or in-place kernel) and checks them all for NaN and infinity before the outputs are
 * copied and the assignments applied.
 */
public final class CpuExecutable implements Executable, dev.jasg.core.Profiling {
    private static final Logger LOG = LoggerFactory.getLogger(CpuExecutable.class);
    /** Distinct bindings kept; a training loop sees one or two (full and last partial batch). */
    private static final int MAX_PLANS = 8;

    private final CpuBackend backend;
    private final Program program;
    private final HostParameters store;
    /** Weights kept packed for the products of every plan (when the program assigns none of them: inference). */
    private final PackedWeights packs;
    /** Convolution weights with the batch norm after them folded in, for every plan (inference). */
    private final FoldedWeights folds;
    private final Map<Map<String, Integer>, Plan> plans = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Map<String, Integer>, Plan> e) {
            return size() > MAX_PLANS;
        }
    };
    /** Plans of runs in {@link Anomaly} mode, by binding: every value kept and checked. */
    private final Map<Map<String, Integer>, Plan> checkedPlans = new LinkedHashMap<>(4, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Map<String, Integer>, Plan> e) {
            return size() > MAX_PLANS;
        }
    };
    private Plan last;
    private volatile boolean profiling;
    private volatile dev.jasg.core.Profile lastProfile;
    private long runs;
    private boolean closed;

    CpuExecutable(CpuBackend backend, Program program, HostParameters store) {
        this.backend = backend;
        this.program = program;
        this.store = store;
        this.packs = new PackedWeights(store);
        this.folds = new FoldedWeights(store);
    }

    Program program() {
        return program;
    }

    /**
     * Runs under the lock ({@link #execute}), then makes the run's {@link Outputs}: this method is small so that the JIT
     * can inline it into a caller, whose escape analysis may then drop the {@code Outputs} object where the caller only
     * reads through it (a {@code Trainer} step copying out its loss: the mlp's warm step went from 37 to ~3 bytes).
     */
    @Override
    public synchronized Outputs run(Map<String, HostTensor> feeds) {
        Plan plan = execute(feeds);
        return new CpuOutputs(this, plan, runs);
    }

    /**
     * {@link #run} and {@link Outputs#copyInto} together, without an {@code Outputs} object: a warm training step that reads
     * only its loss allocates nothing, whether or not the JIT's escape analysis drops {@link #run}'s {@code Outputs} in the
     * caller (it did in a JMH harness, ~3 bytes a step, and not in {@code Peers}' loop, 28-36). An unknown name is refused
     * before the run.
     */
    @Override
    public synchronized float[] runInto(Map<String, HostTensor> feeds, String name, float[] dst) {
        int id = program.outputId(name);
        Plan plan = execute(feeds);
        return readInto(plan, runs, id, name, dst);
    }

    /** One run of the plan for {@code feeds} (the caller holds the lock); returns the plan that ran. */
    private Plan execute(Map<String, HostTensor> feeds) {
        checkOpen();
        Plan plan = Anomaly.enabled() ? checkedPlanFor(feeds) : planFor(feeds);
        runs++;
        last = plan;
        if (profiling && !plan.checked()) {
            long[] nanos = new long[plan.scheduled().length];
            long t0 = System.nanoTime();
            plan.run(feeds, store, program.graph(), nanos);
            lastProfile = profile(plan, nanos, System.nanoTime() - t0);
        } else {
            plan.run(feeds, store, program.graph());
        }
        if (runs == 1 && Simd.ENABLED) WarmKernels.firstRunDone();
        return plan;
    }

    private static dev.jasg.core.Profile profile(Plan plan, long[] nanos, long total) {
        Node[] nodes = plan.scheduled();
        List<dev.jasg.core.Profile.Entry> entries = new ArrayList<>(nodes.length);
        for (int i = 0; i < nodes.length; i++) {
            Node n = nodes[i];
            Shape s = plan.shape(n.id());
            entries.add(new dev.jasg.core.Profile.Entry(n.id(), n.path(), n.op().label(), s, n.dtype(), nanos[i], s.size() * n.dtype().bytes()));
        }
        return new dev.jasg.core.Profile("cpu", "host System.nanoTime per kernel", total, entries);
    }

    @Override
    public void setProfiling(boolean on) {
        profiling = on;
    }

    @Override
    public boolean isProfiling() {
        return profiling;
    }

    @Override
    public java.util.Optional<dev.jasg.core.Profile> lastProfile() {
        return java.util.Optional.ofNullable(lastProfile);
    }

    private Plan planFor(Map<String, HostTensor> feeds) {
        // the common case, the same shapes as the last run: no map of symbols to build; this shortcut and the
        // next check the feeds and their values' declared ranges as binding them would (Program.rebinds)
        if (last != null && !last.checked() && program.rebinds(last.binding(), feeds)) return last;
        Map<String, Integer> symbols = symbolsOf(feeds);
        Plan plan = symbols == null ? null : plans.get(symbols);
        if (plan != null && program.rebinds(plan.binding(), feeds)) return plan;
        // a new binding or a bad feed: Program.bind validates everything and names what is wrong
        Program.Binding binding = program.bind(feeds);
        plan = plans.get(binding.symbols());
        if (plan != null) {
            if (!program.matches(plan.binding(), feeds)) throw new FeedException("feeds do not match the shapes bound by " + binding.symbols());
            return plan;
        }
        plan = new Plan(program, binding, false, packs, folds);
        plans.put(binding.symbols(), plan);
        PlanStats s = plan.stats();
        LOG.debug("cpu plan for {}: {} nodes in {} buffers ({} aliases), {} bytes", binding.symbols(), s.nodes(), s.buffers(), s.aliases(), s.bytes());
        return plan;
    }

    /** A plan that keeps and checks every value ({@link Anomaly} mode); slow, so nothing is shortcut here. */
    private Plan checkedPlanFor(Map<String, HostTensor> feeds) {
        Program.Binding binding = program.bind(feeds);
        Plan plan = checkedPlans.get(binding.symbols());
        if (plan == null) {
            plan = new Plan(program, binding, true);
            checkedPlans.put(binding.symbols(), plan);
            LOG.debug("cpu anomaly-mode plan for {}: {} nodes, {} bytes", binding.symbols(), plan.stats().nodes(), plan.stats().bytes());
        }
        return plan;
    }

    /** The symbol sizes the feeds bind, or null when a feed is missing or of the wrong rank (bind then reports it). */
    private Map<String, Integer> symbolsOf(Map<String, HostTensor> feeds) {
        Map<String, Integer> sym = new HashMap<>();
        for (var e : program.inputs().entrySet()) {
            HostTensor t = feeds.get(e.getKey());
            Node n = e.getValue();
            if (t == null || t.shape().rank() != n.shape().rank()) return null;
            for (int i = 0; i < n.shape().rank(); i++) {
                if (n.shape().isSymbolic(i)) sym.put(n.shape().symbol(i), t.shape().dim(i));
            }
        }
        return sym;
    }

    /** The weights this executable keeps packed: for tests. */
    synchronized PackedWeights packedWeights() {
        return packs;
    }

    /** The plan the last run used: for tests. */
    synchronized Plan lastPlan() {
        return last;
    }

    /** The folded convolution weights of this executable's plans: for tests. */
    synchronized FoldedWeights foldedWeights() {
        return folds;
    }

    /** Planner statistics of the plan the last run used. */
    public synchronized PlanStats lastPlanStats() {
        if (last == null) throw new IllegalStateException("the executable has not run yet");
        return last.stats();
    }

    @Override
    public synchronized long plannedBytes() {
        return last == null ? -1 : last.stats().bytes();
    }

    /** Number of pooled buffers in the plan the last run used. */
    public int plannedBufferCount() {
        return lastPlanStats().buffers();
    }

    /** Number of distinct symbol bindings planned and cached. */
    public synchronized int cachedPlanCount() {
        return plans.size();
    }

    /**
     * Copies node {@code id}'s value of run {@code run} to the host. The check that no later run has
     * overwritten the buffers and the copy are made under the lock every run holds, so a run from
     * another thread can neither start nor be half-done while the copy is read.
     */
    synchronized HostTensor read(Plan plan, long run, int id) {
        checkCurrent(run);
        Shape shape = plan.shape(id);
        return HostTensor.of(program.graph().node(id).dtype(), shape, Arrays.copyOf(plan.valueOf(id), shape.sizeInt()));
    }

    /**
     * Output {@code id} of run {@code run} copied into {@code dst} without allocating ({@link Outputs#copyInto}): the plan
     * holds every dtype's values as the floats {@link #read} would return (half values rounded, f64 values as floats).
     */
    synchronized float[] readInto(Plan plan, long run, int id, String name, float[] dst) {
        checkCurrent(run);
        int n = plan.shape(id).sizeInt();
        Outputs.requireHolds(name, n, dst);
        System.arraycopy(plan.valueOf(id), 0, dst, 0, n);
        return dst;
    }

    /**
     * Output {@code id} of run {@code run}, a single value, without allocating ({@link Outputs#scalar}: a training step's
     * found-inf flag or gradient norm, read every step): the value {@code read(...).item()} gives.
     */
    synchronized double readScalar(Plan plan, long run, int id) {
        checkCurrent(run);
        Shape shape = plan.shape(id);
        if (shape.size() != 1) throw new IllegalStateException("item() of a tensor with shape " + shape);
        return plan.valueOf(id)[0];
    }

    /** Refuses a read of run {@code run}'s outputs once the executable was closed or has run again (callers hold the lock). */
    private void checkCurrent(long run) {
        if (closed) throw new IllegalStateException("the executable was closed; its outputs are gone");
        if (run != runs) {
            throw new IllegalStateException("these outputs are from run " + run + " but the executable has run again (run " + runs
                    + "); outputs are valid until the next run, so read them before running again");
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("the executable was closed");
        if (backend.isClosed()) throw new IllegalStateException("the cpu backend that compiled this executable was closed");
    }

    @Override
    public Parameters parameters() {
        return store;
    }

    /** The profiles of this executable's plans so far ({@code -Djasg.cpu.profile}, {@link Plan#profile}), the {@code top} steps each; empty when off. */
    synchronized String profiles(int top) {
        StringBuilder sb = new StringBuilder();
        if (Plan.PROFILE) for (Plan p : plans.values()) sb.append(p.profile(top));
        return sb.toString();
    }

    /** Starts the profiles afresh ({@link Plan#resetProfile}), so that {@link #profiles} covers the runs from here on. */
    synchronized void resetProfiles() {
        if (Plan.PROFILE) for (Plan p : plans.values()) p.resetProfile();
    }

    @Override
    public synchronized void close() {
        if (Plan.PROFILE) LOG.info("{}", profiles(Integer.getInteger("jasg.cpu.profileTop", 15)));
        closed = true;
        for (Plan p : plans.values()) p.release();
        for (Plan p : checkedPlans.values()) p.release();
        plans.clear();
        checkedPlans.clear();
        packs.clear();
        folds.clear();
        last = null;
    }
}
