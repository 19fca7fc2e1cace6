package dev.jasg.cpu;

import dev.jasg.core.CompareOp;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vector API kernels once the JIT has compiled them, their {@link ScalarTwins} until then, and
 * the daemon thread that gets them compiled off the kernels' path.
 *
 * <p>Why: a fresh JVM runs a Vector API kernel boxed (each lane operation an object and a call) until
 * C2 has compiled it with the intrinsics, which takes thousands of calls and, for the long erf and GELU
 * series, a second of compiler time. A first training step used to spend most of its seconds there.
 * A scalar twin computes the same bits ({@link ScalarTwins}) and is compiled by C1 within a few hundred
 * calls, so the kernels call the twin until the vector kernel is known to be compiled.
 *
 * <p>How a kernel is known to be compiled: the thread {@code jasg-cpu-warmup} calls it on small
 * private arrays, over and over, so the JIT's counters reach the C2 threshold, and times each call; a
 * call faster than the kernel's limit (in nanoseconds per element or multiply-add, ten times what the
 * compiled kernel takes and ten times less than the boxed one), or twice faster than the compiled twin,
 * can only have run compiled code, and from then on {@link Kernel#ready()} is true and the vector kernel
 * is used. Noise only delays this (a preempted call is slower, never faster). A kernel waiting for the
 * compiler is probed once every {@link #WAIT_MILLIS} ms. When this JVM has no C2
 * ({@code -XX:TieredStopAtLevel} below 4, {@code -Xint}) the vector kernels never stop being boxed and
 * the twins stay: faster there.
 *
 * <p>What is warmed when: the matrix-product kernels when a {@link CpuBackend} is made (every model
 * multiplies, and the model and graphs are built meanwhile, on another core), the others a compiled
 * program uses when it is compiled ({@link #requestFor}), and any kernel on its first call. The
 * thread ends when nothing is left to warm.
 *
 * <p>{@code -Djasg.cpu.warmup=false} turns this off: every vector kernel is used from its first call
 * (boxed until compiled), as before this class. Thread-safe: the flags are volatile, the queue concurrent.
 */
final class WarmKernels {
    private static final Logger LOG = LoggerFactory.getLogger(WarmKernels.class);

    /** Whether kernels wait for their vector version to be compiled (property {@code jasg.cpu.warmup}, default true). */
    static final boolean ENABLED = Simd.ENABLED && Boolean.parseBoolean(System.getProperty("jasg.cpu.warmup", "true"));
    /** Timed probe calls (each with seven light ones) a kernel gets back to back; after them the JIT has what it needs and the compiler is waited for. */
    private static final int EAGER_CALLS = 2000;
    /** Pause between the probes of a kernel past its {@link #EAGER_CALLS}, for its first {@link #PATIENT_SECONDS} s, and after. */
    private static final long WAIT_MICROS = 50, SLOW_WAIT_MICROS = 50_000;
    private static final long PATIENT_SECONDS = 10;
    /** Seconds of waiting after which a kernel is given up: its twin runs for good (the compiler must have failed on it). */
    private static final long GIVE_UP_SECONDS = 300;

    /**
     * A Vector API kernel with a scalar twin, and whether the JIT has compiled it. Its probe is one call
     * on the thread's small arrays: {@code limit} is how many nanoseconds a compiled call may take at most.
     */
    enum Kernel {
        GEMM_TILE, GEMM_TILE_ROWS, GEMM_COPY_ROWS, GEMV_ROWS, GEMV_DOTS,
        EXP, LOG, TANH, SIGMOID, ERF, GELU, RELU, SOFTMAX,
        COMPARE_EQ, COMPARE_NE, COMPARE_LT, COMPARE_LE, COMPARE_GT, COMPARE_GE, WHERE;

        private volatile boolean ready;
        private volatile boolean requested;

        /** Whether this kernel was asked for (its warm-up queued, running or done). */
        boolean requested() {
            return requested;
        }

        /** True when the vector kernel is compiled (or warm-up is off); false asks for its warm-up and says: use the twin. */
        boolean ready() {
            if (!ENABLED || ready) return true;
            if (!requested) request(this);
            return false;
        }
    }

    /** The matrix-product kernels, warmed together. */
    private static final Kernel[] GEMM = {Kernel.GEMM_TILE, Kernel.GEMM_TILE_ROWS, Kernel.GEMM_COPY_ROWS};

    private static final ConcurrentLinkedQueue<Kernel> QUEUE = new ConcurrentLinkedQueue<>();
    private static final Object LOCK = new Object();
    private static Thread thread;

    private WarmKernels() {}

    /** Asks for {@code kernels} to be warmed; cheap when they are (or were asked) already. */
    static void request(Kernel... kernels) {
        if (!ENABLED) return;
        boolean added = false;
        for (Kernel k : kernels) {
            if (k == null || k.ready || k.requested) continue;
            synchronized (LOCK) {
                if (k.requested) continue;
                k.requested = true;
            }
            QUEUE.add(k);
            added = true;
        }
        if (added) start();
    }

    /** Asks for the matrix-product kernels (the matrix-vector ones are asked for by their first call). */
    static void requestGemm() {
        request(GEMM);
    }

    /** Asks for the kernels {@code program}'s nodes run, in the order it first runs them. */
    static void requestFor(Program program) {
        if (!ENABLED) return;
        List<Kernel> ks = new ArrayList<>();
        for (Node n : program.schedule()) {
            Op op = n.op();
            if (op instanceof Op.MatMul || op instanceof Op.Conv2d || op instanceof Op.ConvTranspose2d || op instanceof Op.Conv2dWeightGrad) {
                ks.addAll(List.of(GEMM));
            } else if (op instanceof Op.Unary u && unaryKernel(u.kind()) != null) {
                ks.add(unaryKernel(u.kind()));
            } else if (op instanceof Op.Softmax || op instanceof Op.LogSoftmax) {
                ks.add(Kernel.SOFTMAX);
            } else if (op instanceof Op.Compare c) {
                ks.add(compareKernel(c.kind()));
            } else if (op instanceof Op.Where) {
                ks.add(Kernel.WHERE);
            }
        }
        request(ks.toArray(Kernel[]::new));
    }

    /** The kernel of a unary function {@link VectorMath} has, or null. */
    static Kernel unaryKernel(UnaryOp kind) {
        return switch (kind) {
            case EXP -> Kernel.EXP;
            case LOG -> Kernel.LOG;
            case TANH -> Kernel.TANH;
            case SIGMOID -> Kernel.SIGMOID;
            case ERF -> Kernel.ERF;
            case GELU -> Kernel.GELU;
            case RELU -> Kernel.RELU;
            default -> null;
        };
    }

    static Kernel compareKernel(CompareOp kind) {
        return switch (kind) {
            case EQ -> Kernel.COMPARE_EQ;
            case NE -> Kernel.COMPARE_NE;
            case LT -> Kernel.COMPARE_LT;
            case LE -> Kernel.COMPARE_LE;
            case GT -> Kernel.COMPARE_GT;
            case GE -> Kernel.COMPARE_GE;
        };
    }

    /** Whether {@link VectorMath#compareRow} for {@code kind} is compiled; until then the caller's scalar loop (the same results) runs. */
    static boolean compareReady(CompareOp kind) {
        return compareKernel(kind).ready();
    }

    // ---- the kernels' entry points: the vector kernel when compiled, else its twin ----------------

    /** {@link VectorMath#softmaxRows}. */
    static void softmaxRows(float[] x, float[] out, int n, boolean log, int r0, int r1) {
        if (Kernel.SOFTMAX.ready()) VectorMath.softmaxRows(x, out, n, log, r0, r1);
        else ScalarTwins.softmaxRows(x, out, n, log, r0, r1);
    }

    /** {@code VectorGemmKernel.tile}. */
    static void tile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        if (Kernel.GEMM_TILE.ready()) VectorGemmKernel.tile(kc, ap, ao, bp, bo, c, co, ldc, add);
        else ScalarTwins.tile(kc, ap, ao, bp, bo, c, co, ldc, add);
    }

    /**
     * {@code VectorGemmKernel.tileRows}; while only the packed tile is compiled (it is warmed first), the rows are
     * packed into a strip for it: the same fma chains, so the same bits, at the vector kernel's speed.
     */
    static void tileRows(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        if (Kernel.GEMM_TILE_ROWS.ready()) {
            VectorGemmKernel.tileRows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        } else if (Kernel.GEMM_TILE.ready()) {
            float[] strip = STRIP.get();
            if (strip.length < Gemm.MR * kc) STRIP.set(strip = new float[Gemm.MR * kc]);
            Gemm.packA(Gemm.MR, kc, a, ao, lda, 1, strip, 0);
            VectorGemmKernel.tile(kc, strip, 0, bp, bo, c, co, ldc, add);
        } else {
            ScalarTwins.tileRows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        }
    }

    /** A strip of packed rows per thread, for {@link #tileRows} before its own kernel is compiled. */
    private static final ThreadLocal<float[]> STRIP = ThreadLocal.withInitial(() -> new float[0]);

    /** {@code VectorGemmKernel.copyRows}. */
    static void copyRows(int kc, float[] b, int off, int rs, float[] bp, int bo) {
        if (Kernel.GEMM_COPY_ROWS.ready()) VectorGemmKernel.copyRows(kc, b, off, rs, bp, bo);
        else ScalarTwins.copyRows(kc, b, off, rs, bp, bo);
    }

    /** {@code VectorGemv.rows}. */
    static void gemvRows(int k, float[] x, int xo, int xs, float[] m, int mo, int ld, float[] y, int yo, int j0, int j1) {
        if (Kernel.GEMV_ROWS.ready()) VectorGemv.rows(k, x, xo, xs, m, mo, ld, y, yo, j0, j1);
        else ScalarTwins.gemvRows(k, x, xo, xs, m, mo, ld, y, yo, j0, j1);
    }

    /** {@code VectorGemv.dots}. */
    static void gemvDots(int k, float[] x, int xo, float[] m, int mo, int ld, float[] y, int yo, int ys, int i0, int i1, boolean add) {
        if (Kernel.GEMV_DOTS.ready()) VectorGemv.dots(k, x, xo, m, mo, ld, y, yo, ys, i0, i1, add);
        else ScalarTwins.gemvDots(k, x, xo, m, mo, ld, y, yo, ys, i0, i1, add);
    }

    // ---- the warm-up thread ----------------------------------------------------------------------------

    private static void start() {
        synchronized (LOCK) {
            if (thread != null && thread.isAlive()) return;
            thread = new Thread(WarmKernels::warm, "jasg-cpu-warmup");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * The thread's loop: the kernels one at a time, in the order they were asked for, each probed without a
     * pause until it runs compiled. One at a time, because C2 compiles one method at a time here (one C2
     * thread on a small machine) and picks the method called at the highest rate: a kernel probed now and
     * then would wait behind every other hot method, and several kernels probed at once would fill the
     * queue with the Vector API's own methods, which boxed kernels call millions of times. Ends when the
     * queue is empty.
     */
    private static void warm() {
        if (!c2Available()) {
            LOG.info("jasg cpu: this JVM runs no C2 compiler (-XX:TieredStopAtLevel, -Xint), so the Vector API kernels would stay boxed;"
                    + " their scalar twins run instead");
            synchronized (LOCK) {
                QUEUE.clear();
                thread = null;
            }
            return;
        }
        long t0 = System.nanoTime();
        Probes probes = new Probes();
        while (true) {
            Kernel k;
            synchronized (LOCK) {
                k = QUEUE.poll();
                if (k == null) {
                    thread = null;
                    return;
                }
            }
            warm(k, probes.of(k), t0);
        }
    }

    /**
     * Probes {@code k} until a call of its vector kernel runs compiled: seven light calls (which only count
     * for the JIT) and one timed full call at a time, its twin timed every other round. Gives up when the
     * vector kernel, compiled, is no faster than its twin (it then stays on the twin), or after
     * {@link #GIVE_UP_SECONDS}.
     */
    private static void warm(Kernel k, Probe probe, long t0) {
        long start = System.nanoTime(), vectorBest = Long.MAX_VALUE, twinBest = Long.MAX_VALUE;
        int calls = 0, twinCalls = 0;
        while (true) {
            for (int i = 0; i < 7; i++) probe.light();
            long s = System.nanoTime();
            probe.full();
            long d = System.nanoTime() - s;
            calls++;
            vectorBest = Math.min(vectorBest, d);
            if (d <= probe.limitNanos() && twinCalls >= TWIN_CALLS && 5 * d <= 4 * twinBest) {
                k.ready = true;
                LOG.debug("jasg cpu: vector kernel {} compiled after {} timed warm-up calls, {} ms ({} ms after the warm-up began): {} ns a call, twin {} ns",
                        k, calls, (System.nanoTime() - start) / 1_000_000, (System.nanoTime() - t0) / 1_000_000, d, twinBest);
                return;
            }
            if ((calls & 1) == 0) {
                s = System.nanoTime();
                probe.twin();
                twinBest = Math.min(twinBest, System.nanoTime() - s);
                twinCalls++;
            }
            long waited = System.nanoTime() - start;
            if (waited > PATIENT_SECONDS * 1_000_000_000L && vectorBest <= probe.limitNanos() / 4) {
                // compiled long since (well within its limit), yet not faster than the twin: the twin is the better kernel here
                LOG.debug("jasg cpu: vector kernel {} compiled but not faster than its scalar twin ({} ns a call, twin {} ns); the twin stays",
                        k, vectorBest, twinBest);
                return;
            }
            if (waited > GIVE_UP_SECONDS * 1_000_000_000L) {
                LOG.info("jasg cpu: the JIT did not compile the Vector API kernel {} in {} s ({} calls, {} ns the fastest, limit {} ns);"
                        + " its scalar twin keeps running", k, GIVE_UP_SECONDS, calls, vectorBest, probe.limitNanos());
                return;
            }
            // past the calls C2 needs, the wait is for the compiler: probe less often
            if (calls > EAGER_CALLS) LockSupport.parkNanos(WarmKernels.class, (waited < PATIENT_SECONDS * 1_000_000_000L ? WAIT_MICROS : SLOW_WAIT_MICROS) * 1000);
        }
    }

    /** Twin calls before the twin's time counts: by then C1 has compiled it. */
    private static final int TWIN_CALLS = 128;

    /** Whether the JIT can compile the Vector API intrinsics: C2 present and not capped by TieredStopAtLevel. */
    private static boolean c2Available() {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (bean == null) return true;
            if (Integer.parseInt(bean.getVMOption("TieredStopAtLevel").getValue()) < 4
                    && Boolean.parseBoolean(bean.getVMOption("TieredCompilation").getValue())) return false;
            return Boolean.parseBoolean(bean.getVMOption("UseCompiler").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true; // not HotSpot, or the option is unknown: timing decides
        }
    }

    /**
     * A probe of one kernel on the thread's small arrays: a full call of the vector kernel (timed), a light one
     * (it counts for the JIT and costs next to nothing: an empty loop, or only the scalar tail), and a call of
     * the twin on the same arrays; {@code limitNanos} is the most a compiled full call takes.
     */
    private interface Probe {
        void full();

        void light();

        void twin();

        long limitNanos();
    }

    /**
     * The probes' arrays and calls. Full calls are small, so a boxed one costs tens of microseconds, but
     * cover what real calls do (tails shorter than a vector, accumulate or not, every stride pattern), so
     * the compiled code has seen every branch and is not thrown away on the first real call.
     */
    private static final class Probes {
        /** Depths of the GEMM probes, in turn. */
        private static final int[] DEPTHS = {32, 24, 40, 32};
        private final int mr = Gemm.MR, nr = Gemm.NR, kMax = 40;
        private final float[] ap = new float[mr * kMax], bp = new float[nr * kMax], c = new float[mr * (nr + 5)];
        private final float[] rowsA = new float[mr * (kMax + 3)], rowsB = new float[(nr + 1) * kMax];
        private final float[] x = new float[2048], y = new float[2048], out = new float[2048];
        private int turn;

        Probes() {
            SplittableRandom r = new SplittableRandom(42);
            for (float[] a : List.of(ap, bp, c, rowsA, rowsB, x, y)) for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 4 - 2);
            for (int i = 0; i < y.length; i += 7) y[i] = 0f; // masks of where, some false
        }

        private int depth() {
            return DEPTHS[turn++ & 3];
        }

        private boolean add() {
            return (turn++ & 4) != 0;
        }

        Probe of(Kernel k) {
            int ld = nr + 5, lda = kMax + 3;
            return switch (k) {
                case GEMM_TILE -> gemm(() -> VectorGemmKernel.tile(depth(), ap, 0, bp, 0, c, 0, ld, add()),
                        () -> VectorGemmKernel.tile(0, ap, 0, bp, 0, c, 0, ld, add()),
                        () -> ScalarTwins.tile(32, ap, 0, bp, 0, c, 0, ld, true), (long) mr * nr * 32);
                case GEMM_TILE_ROWS -> gemm(() -> VectorGemmKernel.tileRows(depth(), rowsA, 1, lda, bp, 0, c, 0, ld, add()),
                        () -> VectorGemmKernel.tileRows(0, rowsA, 1, lda, bp, 0, c, 0, ld, add()),
                        () -> ScalarTwins.tileRows(32, rowsA, 1, lda, bp, 0, c, 0, ld, true), (long) mr * nr * 32);
                case GEMM_COPY_ROWS -> gemm(() -> VectorGemmKernel.copyRows(depth(), rowsB, 0, nr + 1, bp, 0),
                        () -> VectorGemmKernel.copyRows(0, rowsB, 0, nr + 1, bp, 0),
                        () -> ScalarTwins.copyRows(32, rowsB, 0, nr + 1, bp, 0), (long) nr * 32);
                // 18 rows of 70 columns: groups of four rows and a tail of two, and a column tail
                case GEMV_ROWS -> gemm(() -> VectorGemv.rows(18, x, 0, 1, y, 0, 70, out, 0, 0, 70),
                        () -> VectorGemv.rows(0, x, 0, 1, y, 0, 70, out, 0, 0, 70),
                        () -> ScalarTwins.gemvRows(18, x, 0, 1, y, 0, 70, out, 0, 0, 70), 18 * 70);
                // 6 rows of 134: one group of four and two single rows, and a depth tail
                case GEMV_DOTS -> gemm(() -> VectorGemv.dots(134, x, 0, y, 0, 134, out, 0, 1, 0, 6, add()),
                        () -> VectorGemv.dots(134, x, 0, y, 0, 134, out, 0, 1, 0, 0, add()),
                        () -> ScalarTwins.gemvDots(134, x, 0, y, 0, 134, out, 0, 1, 0, 6, true), 6 * 134);
                case EXP -> unary(UnaryOp.EXP, 40);
                case LOG -> unary(UnaryOp.LOG, 40);
                case TANH -> unary(UnaryOp.TANH, 40);
                case SIGMOID -> unary(UnaryOp.SIGMOID, 40);
                case ERF -> unary(UnaryOp.ERF, 60);
                case GELU -> unary(UnaryOp.GELU, 60);
                case RELU -> unary(UnaryOp.RELU, 4);
                // two rows of 130 (a tail on every vector width), log-softmax now and then
                case SOFTMAX -> probe(() -> VectorMath.softmaxRows(x, out, 130, (turn++ & 7) == 0, 0, 2),
                        () -> VectorMath.softmaxRows(x, out, 130, false, 0, 0),
                        () -> ScalarTwins.softmaxRows(x, out, 130, false, 0, 2), 260 * 40);
                case COMPARE_EQ -> compare(CompareOp.EQ);
                case COMPARE_NE -> compare(CompareOp.NE);
                case COMPARE_LT -> compare(CompareOp.LT);
                case COMPARE_LE -> compare(CompareOp.LE);
                case COMPARE_GT -> compare(CompareOp.GT);
                case COMPARE_GE -> compare(CompareOp.GE);
                // the four stride patterns of the two values, in turn; the mask has unit stride (the caller's rule)
                case WHERE -> probe(() -> {
                    int t = turn++ & 3;
                    VectorMath.whereRow(y, 0, 1, x, 1, t & 1, out, 0, t >> 1, out, 300, 250);
                }, () -> VectorMath.whereRow(y, 0, 1, x, 1, 1, out, 0, 1, out, 300, 0), () -> {
                    for (int i = 0; i < 250; i++) out[300 + i] = y[i] != 0 ? x[1 + i] : out[i];
                }, 250 * 4);
            };
        }

        /** A matrix-product probe: half a nanosecond a multiply-add (a compiled AVX2 core does 16 in a cycle, a boxed one not one in 10 ns). */
        private static Probe gemm(Runnable full, Runnable light, Runnable twin, long macs) {
            return probe(full, light, twin, macs / 2 + 200);
        }

        /** An elementwise probe of 250 elements (a tail on every vector width), {@code nsPerElement} at most; light: the tail alone. */
        private Probe unary(UnaryOp kind, int nsPerElement) {
            float[] in = kind == UnaryOp.LOG ? y : x;
            int lightEnd = 3 + ScalarTwins.DL - 1;
            return probe(() -> unaryVector(kind, in, 3, 253), () -> unaryVector(kind, in, 3, lightEnd),
                    () -> ScalarTwins.unary(kind, in, out, 3, 253), 250L * nsPerElement);
        }

        private void unaryVector(UnaryOp kind, float[] in, int from, int to) {
            switch (kind) {
                case EXP -> VectorMath.exp(in, out, from, to);
                case LOG -> VectorMath.log(in, out, from, to);
                case TANH -> VectorMath.tanh(in, out, from, to);
                case SIGMOID -> VectorMath.sigmoid(in, out, from, to);
                case ERF -> VectorMath.erf(in, out, from, to);
                case GELU -> VectorMath.gelu(in, out, from, to);
                default -> VectorMath.relu(in, out, from, to);
            }
        }

        /** A comparison's probe: its three stride patterns in turn. */
        private Probe compare(CompareOp kind) {
            return probe(() -> {
                int t = turn++ % 3;
                VectorMath.compareRow(kind, x, 0, t == 2 ? 0 : 1, y, 0, t == 1 ? 0 : 1, out, 0, 250);
            }, () -> VectorMath.compareRow(kind, x, 0, 1, y, 0, 1, out, 0, 0), () -> {
                for (int i = 0; i < 250; i++) out[i] = kind.test(x[i], y[i]) ? 1f : 0f;
            }, 250 * 4);
        }

        private static Probe probe(Runnable full, Runnable light, Runnable twin, long limitNanos) {
            return new Probe() {
                @Override
                public void full() {
                    full.run();
                }

                @Override
                public void light() {
                    light.run();
                }

                @Override
                public void twin() {
                    twin.run();
                }

                @Override
                public long limitNanos() {
                    return limitNanos;
                }
            };
        }
    }
}
