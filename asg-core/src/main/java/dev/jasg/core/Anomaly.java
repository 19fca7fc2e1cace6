package dev.jasg.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Anomaly mode: every backend checks each node's value of a run for NaN and infinity, and a run
 * that produces one throws an {@link AnomalyException} naming the node where it first appeared,
 * before any of the run's assignments is applied (so a bad training step leaves the parameters
 * as they were). JASG's counterpart of PyTorch's {@code torch.autograd.set_detect_anomaly}.
 *
 * <p>It is on when the system property {@value #PROPERTY} is {@code "true"}
 * ({@code -Djasg.detectAnomaly=true}), or while it is switched on here:
 * <pre>{@code
 * try (var on = Anomaly.enable()) {
 *     trainer.step(batch);   // throws AnomalyException naming the first node with a NaN or Inf
 * }
 * }</pre>
 *
 * <p><b>What is reported.</b> The node scanned first, in schedule (topological) order, whose value
 * holds a NaN or an infinity. Its inputs come before it, so they were all finite: it is where the
 * non-finite value was made, not a node it spread to. A leaf (an input fed with a NaN, a parameter
 * already non-finite, a constant) is reported as such. Every float node counts, including one
 * whose infinity a later {@code where} would have discarded, and an infinity fed on purpose (a
 * float attention mask of {@code -inf}): the mode is a debugging tool, not a numerical contract.
 *
 * <p><b>Cost.</b> Off, a run reads the switch once (a volatile field and a system property
 * lookup) and nothing else changes. On, a backend plans the run without buffer reuse, fusion or
 * in-place kernels so that every node's value survives to the end of the run, scans them all
 * (the Vulkan backend reads every node back to the host), then applies the assignments: several
 * times slower, and more memory.
 *
 * <p><b>Threads.</b> The switch is process-wide (a volatile field), like PyTorch's: a run on any
 * thread, a trainer on a worker thread included, sees it. A backend reads it once, at the start of
 * a run, on the thread that calls {@link Executable#run}; switching it during a run affects the
 * next run. Nested {@link #enable()} scopes restore the state they found, so they should be opened
 * and closed on one thread, in order.
 */
public final class Anomaly {
    /** The system property that switches anomaly mode on: {@code -Djasg.detectAnomaly=true}. */
    public static final String PROPERTY = "jasg.detectAnomaly";

    private static volatile boolean on;

    private Anomaly() {}

    /** True when runs check for NaN and infinity: switched on here, or {@value #PROPERTY} is {@code "true"}. */
    public static boolean enabled() {
        return on || Boolean.getBoolean(PROPERTY);
    }

    /** Switches anomaly mode on or off for the whole process (the system property still switches it on when set). */
    public static void setEnabled(boolean enabled) {
        on = enabled;
    }

    /** Switches anomaly mode on until the returned scope is closed, which restores the state found here. */
    public static Scope enable() {
        boolean before = on;
        on = true;
        return new Scope(before);
    }

    /** A span of anomaly mode opened by {@link #enable()}; closing it restores the state before it (once). */
    public static final class Scope implements AutoCloseable {
        private final boolean before;
        private boolean closed;

        private Scope(boolean before) {
            this.before = before;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            on = before;
        }
    }

    /** Node values after a run, as a backend holds them: element {@code index} of node {@code id}'s value. */
    @FunctionalInterface
    public interface Values {
        /** Element {@code index} (row-major) of the value of node {@code id}. */
        double get(int id, int index);
    }

    /**
     * Scans the float nodes of {@code program}'s schedule in order and throws an
     * {@link AnomalyException} for the first whose value holds a NaN or an infinity, with the
     * statistics of its inputs. Backends call it after computing every node and before applying
     * any assignment; every value the schedule computes must still be readable through {@code values}.
     *
     * @throws AnomalyException when a value is not finite
     */
    public static void check(Program program, Program.Binding binding, Values values) {
        for (Node n : program.schedule()) {
            if (!n.dtype().isFloat()) continue;
            Stats s = Stats.of(n.id(), binding.shape(n.id()), values);
            if (s.finite()) continue;
            List<AnomalyException.Operand> inputs = new ArrayList<>();
            for (int in : n.inputs()) {
                Node i = program.graph().node(in);
                Shape shape = binding.shape(in);
                inputs.add(new AnomalyException.Operand(in, i.path(), i.op().label(), i.dtype(), shape, Stats.of(in, shape, values)));
            }
            throw new AnomalyException(n, binding.shape(n.id()), s, inputs);
        }
    }

    /**
     * Statistics of one value: element count, NaN and infinity counts, and the minimum, maximum and
     * mean of its finite elements (NaN when it has none).
     */
    public record Stats(long count, long nan, long posInf, long negInf, double min, double max, double mean) {
        /** Statistics of node {@code id}'s value of shape {@code shape} (integer values are never NaN or infinite). */
        static Stats of(int id, Shape shape, Values values) {
            long count = shape.size(), nan = 0, pos = 0, neg = 0, finite = 0;
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < count; i++) {
                double v = values.get(id, i);
                if (Double.isNaN(v)) nan++;
                else if (v == Double.POSITIVE_INFINITY) pos++;
                else if (v == Double.NEGATIVE_INFINITY) neg++;
                else {
                    finite++;
                    sum += v;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            return finite == 0 ? new Stats(count, nan, pos, neg, Double.NaN, Double.NaN, Double.NaN)
                    : new Stats(count, nan, pos, neg, min, max, sum / finite);
        }

        /** True when no element is NaN or infinite. */
        public boolean finite() {
            return nan == 0 && posInf == 0 && negInf == 0;
        }

        /** Infinite elements, of either sign. */
        public long inf() {
            return posInf + negInf;
        }

        @Override
        public String toString() {
            String range = nan + posInf + negInf == count && count > 0 ? "no finite element"
                    : String.format(java.util.Locale.ROOT, "min %.6g, max %.6g, mean %.6g", min, max, mean);
            return range + ", " + nan + " NaN, " + posInf + " +Inf, " + negInf + " -Inf of " + count;
        }
    }
}
