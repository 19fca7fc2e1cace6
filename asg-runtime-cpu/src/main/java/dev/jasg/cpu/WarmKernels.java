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
 * The Vector API kernels once they are to run, their {@link ScalarTwins} until then: when the twins hand over is the
 * warm-up {@link Mode}, property {@code jasg.cpu.warmup}.
 *
 * <p>Why: a fresh JVM runs a Vector API kernel boxed (each lane operation an object and a call) until
 * C2 has compiled it with the intrinsics, which takes thousands of calls and, for the long erf and GELU
 * series, a second of compiler time. A first training step used to spend most of its seconds there.
 * A scalar twin computes the same bits ({@link ScalarTwins}) and is compiled by C1 within a few hundred
 * calls, so the kernels can call the twin while the vector kernel would run boxed.
 *
 * <p>{@link Mode#FIRST_RUN}, the default: the twins (elementwise here, the GEMM's in {@link GemmWarm}) run until the
 * JVM's first run of an executable ends (a first training step, a first inference), or {@link #HOLD_SECONDS} after the
 * first twin call if that run lasts longer; then every kernel runs its vector version (an elementwise kernel of this
 * class once its twin does {@link #HAND_OVER_ELEMENTS} elements within {@link #HAND_OVER_NANOS}, so a kernel used
 * slowly keeps its twin), boxed until C2 compiles it from the real calls at their full rate, as with the twins off.
 * No thread probes, so nothing competes with the work
 * after the hand-over, and the steady state comes when it would without twins, later only by the first run's (now
 * shorter) time: the boxed calls the JIT needs fall on the next run instead (2-vCPU AMD EPYC Zen 5, JDK 25, load 8-12,
 * each JVM in its own autogroup, medians of interleaved fresh JVMs: the benchmarks' transformer's first step ends 1.62 s
 * after {@code java} starts against 5.08 s with the twins off, its second step takes ~3.5-3.9 s against ~0.2 s, so
 * the end of the second step is about where it was; mlp's first step ends at 0.60 s against 2.98 s. After 8 s of
 * warm-up, same-run ratios to the twins off: transformer 1.02 and mlp 0.95 over 10 and 18 rounds, 0.993 and 0.995 in
 * the last 3 (an A/A pair of twins-off JVMs spread 0.96-1.09); see {@code benchmarks/peers/warmup-ab.sh}). A JVM
 * without C2 ({@code -XX:TieredStopAtLevel} below 4, {@code -Xint})
 * keeps the twins: its vector kernels would stay boxed.
 *
 * <p>{@link Mode#COMPILED} ({@code true}), the earlier opt-in: the twins run until the vector kernel is seen compiled.
 * The thread {@code jasg-cpu-warmup} calls each kernel asked for on small private arrays, over and over, so the JIT's
 * counters reach the C2 threshold, and times each call; a call within the kernel's limit (nanoseconds per element, far
 * below what a boxed call takes) and a fifth faster than the compiled twin can only have run compiled code, and from
 * then on {@link Kernel#readyFor} is true. A kernel whose compiled vector code is no faster than its twin keeps the twin.
 * The thread starts when an executable's first run has ended (or two seconds after the first request) and warms one
 * kernel at a time, in the order they were asked for. Measured and not the default: the steady state came seconds
 * late (a quiet 2-vCPU AMD EPYC Zen 5: the thread probed {@code COMPARE_EQ} for 7.4 s, 44,724 calls, a third busy
 * thread on two cores, and mlp after 8 s of warm-up ran 52.6k samples/s against 120.4k with the twins off).
 * The matrix-product kernels are not probed: warmed by probe calls, C2 compiled the GEMM tile 40% slower than from real
 * products; {@link GemmWarm} samples the real calls instead; {@link VectorGemv} is not gated.
 *
 * <p>{@link Mode#OFF} ({@code false}): every vector kernel from its first call, boxed until compiled.
 * Thread-safe: the flags are volatile, the queue concurrent.
 */
final class WarmKernels {
    private static final Logger LOG = LoggerFactory.getLogger(WarmKernels.class);

    /** This JVM's warm-up mode (property {@code jasg.cpu.warmup}: {@code firstRun}, the default; {@code compiled} or {@code true}; {@code false}). */
    static final Mode MODE = Simd.ENABLED ? modeOf(System.getProperty("jasg.cpu.warmup")) : Mode.OFF;
    /** Whether the twins run at all ({@link #MODE} not {@link Mode#OFF}). */
    static final boolean ENABLED = MODE != Mode.OFF;

    /** How long the twins run: the property {@code jasg.cpu.warmup}. */
    enum Mode {
        /** Never: every vector kernel from its first call, boxed until C2 has compiled it ({@code false}). */
        OFF,
        /**
         * Until the hand-over ({@link #handOver}): the end of the JVM's first run of an executable, or {@link #HOLD_SECONDS}
         * after the first twin call, whichever comes first; then every call runs the vector kernel (an elementwise one
         * once its twin does {@link #HAND_OVER_ELEMENTS} elements within {@link #HAND_OVER_NANOS}), boxed until C2 has
         * compiled it from the real calls, as with {@link #OFF} ({@code firstRun}, the default). No thread probes.
         */
        FIRST_RUN,
        /**
         * Until the vector kernel is seen compiled: the warm-up thread probes the elementwise kernels, {@link GemmWarm}
         * samples the products' calls ({@code true} or {@code compiled}; the steady state comes seconds later).
         */
        COMPILED;

        /** The mode a value of {@code jasg.cpu.warmup} names; null (unset) is {@link #FIRST_RUN}. */
        static Mode parse(String value) {
            if (value == null) return FIRST_RUN;
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "false", "off" -> OFF;
                case "firstrun", "first-run", "" -> FIRST_RUN;
                case "true", "compiled" -> COMPILED;
                default -> throw new IllegalArgumentException("jasg.cpu.warmup=" + value + ": expected firstRun (the default), compiled (or true) or false");
            };
        }
    }
    private static Mode modeOf(String value) {
        try {
            return Mode.parse(value);
        } catch (IllegalArgumentException e) {
            LOG.warn("jasg cpu: {}; the default, firstRun, is used", e.getMessage());
            return Mode.FIRST_RUN;
        }
    }

    /** Timed probe calls a kernel gets back to back; after them the JIT has what it needs and the compiler is waited for. */
    private static final int EAGER_CALLS = 2000;
    /** Pause between the probes of a kernel past its {@link #EAGER_CALLS}. */
    private static final long WAIT_MICROS = 50;
    /** Seconds a kernel is probed at a time; one not compiled by then goes to the back of the queue. */
    private static final long PATIENT_SECONDS = 10;
    /** Seconds after its first probe at which a kernel is given up: its twin runs for good (the compiler must have failed on it). */
    private static final long GIVE_UP_SECONDS = 300;

    /**
     * A Vector API kernel with a scalar twin, and whether the JIT has compiled it. Its probe is one call
     * on the thread's small arrays: {@code limit} is how many nanoseconds a compiled call may take at most.
     */
    enum Kernel {
        EXP, LOG, TANH, SIGMOID, ERF, GELU, RELU, SILU, SOFTPLUS, ELU, SOFTMAX,
        /** Fused attention's rows: {@link VectorMath#scaledMax} and {@link VectorMath#expShifted}. */
        ATTENTION,
        /** A contiguous group of {@link NormalizeKernel} (LayerNorm's row): {@link VectorNormalize#row}. */
        NORMALIZE,
        COMPARE_EQ, COMPARE_NE, COMPARE_LT, COMPARE_LE, COMPARE_GT, COMPARE_GE, WHERE;

        private volatile boolean ready;
        private volatile boolean requested;
        /** What its twin has done in the current window since the hand-over ({@link Mode#FIRST_RUN}). */
        private final Volume volume = new Volume();
        /** When the warm-up thread first probed this kernel (only that thread reads and writes it). */
        private long warmingSince;

        /** Whether this kernel was asked for (its warm-up queued, running or done). */
        boolean requested() {
            return requested;
        }

        /** Whether the warm-up saw the vector kernel run compiled, or (after the hand-over) its twin has done its share. */
        boolean compiled() {
            return ready;
        }

        /** Whether a call now runs the vector kernel, without counting one ({@link #readyFor} does): for tests and logs. */
        boolean runsVector() {
            return ready || MODE == Mode.OFF;
        }

        /**
         * True when the vector kernel is to be called for a call over {@code elements} elements: compiled, warm-up off, or
         * (after {@link #handOver}) once its twin does {@link #HAND_OVER_ELEMENTS} elements within {@link #HAND_OVER_NANOS};
         * false says: use the twin. The first call asks for the kernel's warm-up.
         */
        boolean readyFor(long elements) {
            if (ready) return true;
            if (handedOver) {
                if (!volume.reached(elements)) return false;
                ready = true;
                return true;
            }
            return switch (MODE) {
                case OFF -> true;
                case FIRST_RUN -> {
                    if (!holding) hold();
                    yield false;
                }
                case COMPILED -> {
                    if (!requested) request(this);
                    yield false;
                }
            };
        }
    }

    /**
     * Opened when an executable's first run has ended: the warm-up waits for it (at most {@link #HOLD_SECONDS}),
     * because on a small machine its boxed probes and the compiles they cause would slow that first run, whose
     * matrix products wait for C2 themselves, more than the twins do.
     */
    private static final java.util.concurrent.CountDownLatch FIRST_RUN = new java.util.concurrent.CountDownLatch(1);
    private static final long HOLD_SECONDS = 2;

    /** Says that an executable finished its first run: the warm-up may start ({@link Mode#COMPILED}), the twins end ({@link Mode#FIRST_RUN}). */
    static void firstRunDone() {
        FIRST_RUN.countDown();
        if (MODE == Mode.FIRST_RUN && !handedOver) {
            if (C2.AVAILABLE) handOver();
            else twinsForGood = true;
        }
    }

    /**
     * Elements a kernel's twin does after the hand-over, within {@link #HAND_OVER_NANOS}, before the kernel runs its
     * vector version (property {@code jasg.cpu.handOverElements}, default 2^24). The JIT compiles a kernel with C2 after about 15,000
     * calls and loop turns, some 2^18 elements on 16 lanes, which it runs boxed (each lane operation an object) until
     * then; a kernel whose twin has done 64 times that pays for its boxed warm-up with a small share of what it saves
     * from then on. A kernel called rarely keeps its twin: the benchmarks' cnn runs a comparison of 128 elements about
     * every other step, which ran boxed for minutes, allocating 2.5 KB a step (JMH {@code -prof gc}): C2 needed thousands of
     * its calls. A hot kernel switches within a step or a few (the transformer's softmax does 2^19 elements a step).
     */
    static final long HAND_OVER_ELEMENTS = Long.getLong("jasg.cpu.handOverElements", 1L << 24);
    /**
     * The window {@link #HAND_OVER_ELEMENTS} must fall in (property {@code jasg.cpu.handOverSeconds}, default 4): a
     * kernel switches once its twin does that many elements within this many seconds, about 4 million a second. A
     * kernel that crossed the count only slowly would go boxed late, in the middle of a steady state, for as long as C2
     * then needs (the benchmarks' transformer allocated 164 KB a step after 30 s so, against 118 B); under that rate its
     * twin costs at most a few percent of a core, and it keeps it until its rate rises.
     */
    static final long HAND_OVER_NANOS = (long) (Double.parseDouble(System.getProperty("jasg.cpu.handOverSeconds", "4")) * 1e9);

    /**
     * The elements a twin (or a scalar loop) has done since its window began, for the hand-over rule: {@link #reached}
     * once {@link #HAND_OVER_ELEMENTS} fall within {@link #HAND_OVER_NANOS}, and from then on. Racy by design: threads
     * add without a lock, and a lost add or a window restarted twice only delays the switch by a call.
     */
    static final class Volume {
        private final long limit, window;
        private long elements, since;
        private boolean started;
        private volatile boolean done;

        Volume() {
            this(HAND_OVER_ELEMENTS, HAND_OVER_NANOS);
        }

        /** {@code limit} elements within {@code window} nanoseconds. */
        Volume(long limit, long window) {
            this.limit = limit;
            this.window = window;
        }

        /** Adds {@code n} elements; true once a window has held the limit, and every call after. */
        boolean reached(long n) {
            return done || reached(n, System.nanoTime());
        }

        /** {@link #reached(long)} at time {@code now} (nanoseconds, {@link System#nanoTime}'s scale). */
        boolean reached(long n, long now) {
            if (done) return true;
            if (!started || now - since > window) {
                started = true;
                since = now;
                elements = 0;
            }
            if ((elements += n) < limit) return false;
            done = true;
            return true;
        }
    }

    /** Set once ({@link Mode#FIRST_RUN}): from then on every kernel runs its vector version once its twin has done {@link #HAND_OVER_ELEMENTS}. */
    private static volatile boolean handedOver;
    /** Whether the hold's timer was started ({@link Mode#FIRST_RUN}). */
    private static volatile boolean holding;

    /** Whether the twins have handed over to the vector kernels ({@link Mode#FIRST_RUN} only). */
    static boolean handedOver() {
        return handedOver;
    }

    /**
     * Ends the twins' time ({@link Mode#FIRST_RUN}): every elementwise kernel and every {@link GemmWarm} kernel runs its
     * vector version from now on. The real calls then give C2 a real profile at once, at full rate, as with the twins off,
     * so the steady state comes when it would have without them, later only by what the twins saved.
     */
    static void handOver() {
        synchronized (LOCK) {
            if (handedOver) return;
            handedOver = true;
        }
        for (GemmWarm g : GemmWarm.values()) g.handOver();
        LOG.debug("jasg cpu: the scalar twins hand over to the vector kernels");
    }

    /** Set when this JVM is found to have no C2: the twins run for good, and {@link GemmWarm} stops sampling the boxed kernels. */
    private static volatile boolean twinsForGood;

    /** Whether this JVM was found to have no C2 compiler, so that the vector kernels would stay boxed and the twins stay. */
    static boolean twinsForGood() {
        return twinsForGood;
    }

    /**
     * Starts the timer that hands over {@link #HOLD_SECONDS} after the first twin call ({@link Mode#FIRST_RUN}), when a
     * first run lasts longer: past that, the boxed calls that get the vector kernels compiled cost less than the twins
     * would over the rest of a long run. Also where this JVM is found to have no C2: then the twins stay.
     */
    static void hold() {
        if (MODE != Mode.FIRST_RUN || holding) return;
        synchronized (LOCK) {
            if (holding) return;
            holding = true;
        }
        Thread t = new Thread(() -> {
            if (!C2.AVAILABLE) {
                twinsForGood = true;
                LOG.info("jasg cpu: this JVM runs no C2 compiler (-XX:TieredStopAtLevel, -Xint), so the Vector API kernels would stay boxed;"
                        + " their scalar twins run instead");
                return;
            }
            try {
                if (!FIRST_RUN.await(HOLD_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) handOver();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jasg-cpu-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** Whether an executable of this JVM has finished its first run. */
    static boolean firstRunEnded() {
        return FIRST_RUN.getCount() == 0;
    }

    private static final ConcurrentLinkedQueue<Kernel> QUEUE = new ConcurrentLinkedQueue<>();
    private static final Object LOCK = new Object();
    private static Thread thread;

    private WarmKernels() {}

    /** Asks for {@code kernels} to be warmed; cheap when they are (or were asked) already. */
    static void request(Kernel... kernels) {
        if (MODE != Mode.COMPILED) return;
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

    /** Asks for the kernels {@code program}'s nodes run, in the order it first runs them. */
    static void requestFor(Program program) {
        if (MODE != Mode.COMPILED) return;
        List<Kernel> ks = new ArrayList<>();
        for (Node n : program.schedule()) {
            Op op = n.op();
            if (op instanceof Op.Unary u && unaryKernel(u.kind()) != null) {
                ks.add(unaryKernel(u.kind()));
            } else if (op instanceof Op.Softmax || op instanceof Op.LogSoftmax) {
                ks.add(Kernel.SOFTMAX);
            } else if (op instanceof Op.Compare c) {
                ks.add(compareKernel(c.kind()));
            } else if (op instanceof Op.Where) {
                ks.add(Kernel.WHERE);
            } else if (op instanceof Op.Attention || op instanceof Op.AttentionStats || op instanceof Op.AttentionGrad) {
                ks.add(Kernel.ATTENTION);
            } else if (op instanceof Op.Normalize) {
                ks.add(Kernel.NORMALIZE);
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
            case SILU -> Kernel.SILU;
            case SOFTPLUS -> Kernel.SOFTPLUS;
            case ELU -> Kernel.ELU;
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
    static boolean compareReady(CompareOp kind, int elements) {
        return compareKernel(kind).readyFor(elements);
    }

    // ---- the kernels' entry points: the vector kernel when compiled, else its twin ----------------

    /** {@link VectorSoftmax#rows}. */
    static void softmaxRows(float[] x, float[] out, int n, boolean log, int r0, int r1) {
        if (Kernel.SOFTMAX.readyFor((long) n * (r1 - r0))) VectorSoftmax.rows(x, out, n, log, r0, r1);
        else ScalarTwins.softmaxRows(x, out, n, log, r0, r1);
    }

    /** {@link VectorMath#scaledMax}. */
    static float scaledMax(float[] x, int o, int n, float scale) {
        return Kernel.ATTENTION.readyFor(n) ? VectorMath.scaledMax(x, o, n, scale) : ScalarTwins.scaledMax(x, o, n, scale);
    }

    /** {@link VectorMath#expShifted}. */
    static double expShifted(float[] x, int o, int n, float scale, double shift) {
        return Kernel.ATTENTION.readyFor(n) ? VectorMath.expShifted(x, o, n, scale, shift) : ScalarTwins.expShifted(x, o, n, scale, shift);
    }

    /** {@link VectorNormalize#row}. */
    static void normalizeRow(float[] x, float[] out, int base, int r, double eps) {
        if (Kernel.NORMALIZE.readyFor(r)) VectorNormalize.row(x, out, base, r, eps);
        else ScalarTwins.normalizeRow(x, out, base, r, eps);
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
        if (!C2.AVAILABLE) {
            twinsForGood = true;
            LOG.info("jasg cpu: this JVM runs no C2 compiler (-XX:TieredStopAtLevel, -Xint), so the Vector API kernels would stay boxed;"
                    + " their scalar twins run instead");
            synchronized (LOCK) {
                QUEUE.clear();
                thread = null;
            }
            return;
        }
        try {
            FIRST_RUN.await(HOLD_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
     * Probes {@code k} until a call of its vector kernel runs compiled: timed full calls, its twin timed every
     * other one (no cheaper calls to count up the JIT's counters: the profile C2 compiles from should be a
     * real call's). After {@link #PATIENT_SECONDS} it keeps the twin when the vector kernel runs compiled but no
     * faster, else requeues the kernel behind the others, and gives it up after {@link #GIVE_UP_SECONDS}.
     */
    private static void warm(Kernel k, Probe probe, long t0) {
        if (k.warmingSince == 0) k.warmingSince = System.nanoTime();
        long start = System.nanoTime(), vectorBest = Long.MAX_VALUE, twinBest = Long.MAX_VALUE;
        int calls = 0, twinCalls = 0;
        while (true) {
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
            long now = System.nanoTime(), waited = now - start;
            if (waited > PATIENT_SECONDS * 1_000_000_000L) {
                if (vectorBest <= probe.limitNanos() / 4) {
                    // compiled long since (well within its limit), yet not faster than the twin: the twin is the better kernel here
                    LOG.debug("jasg cpu: vector kernel {} compiled but not faster than its scalar twin ({} ns a call, twin {} ns); the twin stays",
                            k, vectorBest, twinBest);
                } else if (now - k.warmingSince > GIVE_UP_SECONDS * 1_000_000_000L) {
                    LOG.info("jasg cpu: the JIT did not compile the Vector API kernel {} in {} s ({} ns the fastest call, limit {} ns);"
                            + " its scalar twin keeps running", k, GIVE_UP_SECONDS, vectorBest, probe.limitNanos());
                } else {
                    // the compiler is slow today: let the kernels behind this one have their turn, and come back to it
                    QUEUE.add(k);
                }
                return;
            }
            // past the calls C2 needs, the wait is for the compiler: probe less often
            if (calls > EAGER_CALLS) LockSupport.parkNanos(WarmKernels.class, WAIT_MICROS * 1000);
        }
    }

    /** Twin calls before the twin's time counts: by then C1 has compiled it. */
    private static final int TWIN_CALLS = 128;

    /** {@link #c2Available()}, asked once (the management beans take tens of milliseconds to load): first by the hold's thread. */
    private static final class C2 {
        static final boolean AVAILABLE = c2Available();
    }

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
     * A probe of one kernel on the thread's small arrays: a full call of the vector kernel (timed) and a call of
     * the twin on the same arrays; {@code limitNanos} is the most a compiled full call takes.
     */
    private interface Probe {
        void full();

        void twin();

        long limitNanos();
    }

    /**
     * The probes' arrays and calls. Full calls are small, so a boxed one costs tens of microseconds, but
     * cover what real calls do (tails shorter than a vector, accumulate or not, every stride pattern), so
     * the compiled code has seen every branch and is not thrown away on the first real call.
     */
    private static final class Probes {
        private final float[] x = new float[2048], y = new float[2048], out = new float[2048];
        private int turn;

        Probes() {
            SplittableRandom r = new SplittableRandom(42);
            for (float[] a : List.of(x, y)) for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 4 - 2);
            for (int i = 0; i < y.length; i += 7) y[i] = 0f; // masks of where, some false
        }

        Probe of(Kernel k) {
            return switch (k) {
                case EXP -> unary(UnaryOp.EXP, 40);
                case LOG -> unary(UnaryOp.LOG, 40);
                case TANH -> unary(UnaryOp.TANH, 40);
                case SIGMOID -> unary(UnaryOp.SIGMOID, 40);
                case ERF -> unary(UnaryOp.ERF, 60);
                case GELU -> unary(UnaryOp.GELU, 60);
                case RELU -> unary(UnaryOp.RELU, 4);
                case SILU -> unary(UnaryOp.SILU, 40);
                case SOFTPLUS -> unary(UnaryOp.SOFTPLUS, 60);
                case ELU -> unary(UnaryOp.ELU, 60);
                // two rows of 130 (a tail on every vector width), log-softmax now and then
                case SOFTMAX -> probe(() -> VectorSoftmax.rows(x, out, 130, (turn++ & 7) == 0, 0, 2),
                        () -> ScalarTwins.softmaxRows(x, out, 130, false, 0, 2), 260 * 40);
                // a row of 130 (a tail on every vector width): its maximum, then its weights, in place on a copy
                case ATTENTION -> probe(() -> {
                    System.arraycopy(x, 0, out, 0, 130);
                    VectorMath.expShifted(out, 0, 130, 0.125f, VectorMath.scaledMax(out, 0, 130, 0.125f));
                }, () -> {
                    System.arraycopy(x, 0, out, 0, 130);
                    ScalarTwins.expShifted(out, 0, 130, 0.125f, ScalarTwins.scaledMax(out, 0, 130, 0.125f));
                }, 130 * 40);
                // a row of 386 (the four-vector loop and a tail on every vector width) or of 403 (single vectors too), in
                // turn: long enough that the timer's own cost does not hide the vector kernel's lead over its twin
                case NORMALIZE -> probe(() -> VectorNormalize.row(x, out, 0, (turn++ & 1) == 0 ? 386 : 403, 1e-5),
                        () -> ScalarTwins.normalizeRow(x, out, 0, 403, 1e-5), 403 * 20);
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
                }, () -> {
                    for (int i = 0; i < 250; i++) out[300 + i] = y[i] != 0 ? x[1 + i] : out[i];
                }, 250 * 4);
            };
        }

        /** An elementwise probe of 250 elements (a tail on every vector width), {@code nsPerElement} at most. */
        private Probe unary(UnaryOp kind, int nsPerElement) {
            float[] in = kind == UnaryOp.LOG ? y : x;
            // softplus with PyTorch's default beta and threshold, ELU's alpha 1
            double a = 1, b = kind == UnaryOp.SOFTPLUS ? 20 : 0;
            return probe(() -> unaryVector(kind, a, b, in, 3, 253), () -> ScalarTwins.unary(kind, a, b, in, 3, out, 3, 250), 250L * nsPerElement);
        }

        private void unaryVector(UnaryOp kind, double a, double b, float[] in, int from, int to) {
            switch (kind) {
                case EXP -> VectorMath.exp(in, from, out, from, to - from);
                case LOG -> VectorMath.log(in, from, out, from, to - from);
                case TANH -> VectorMath.tanh(in, from, out, from, to - from);
                case SIGMOID -> VectorMath.sigmoid(in, from, out, from, to - from);
                case ERF -> VectorMath.erf(in, from, out, from, to - from);
                case GELU -> VectorMath.gelu(in, from, out, from, to - from);
                case SILU -> VectorMath.silu(in, from, out, from, to - from);
                case SOFTPLUS -> VectorMath.softplus(in, from, out, from, to - from, a, b);
                case ELU -> VectorMath.elu(in, from, out, from, to - from, a);
                default -> VectorMath.relu(in, from, out, from, to - from);
            }
        }

        /** A comparison's probe: its three stride patterns in turn. */
        private Probe compare(CompareOp kind) {
            return probe(() -> {
                int t = turn++ % 3;
                VectorMath.compareRow(kind, x, 0, t == 2 ? 0 : 1, y, 0, t == 1 ? 0 : 1, out, 0, 250);
            }, () -> {
                for (int i = 0; i < 250; i++) out[i] = kind.test(x[i], y[i]) ? 1f : 0f;
            }, 250 * 4);
        }

        private static Probe probe(Runnable full, Runnable twin, long limitNanos) {
            return new Probe() {
                @Override
                public void full() {
                    full.run();
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
