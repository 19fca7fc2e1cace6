package dev.jasg.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of a Vector API GEMM kernel ({@link VectorGemmKernel}'s tiles and packing moves) and its scalar twin a call
 * runs: the vector kernel once the JIT is seen to have compiled it or the twins have handed over ({@link WarmKernels#handOver}),
 * the twin until then, except for a sample of the
 * real calls, which go to the vector kernel so that the JIT counts them and compiles it from a real product's profile:
 * as many as keep their (boxed) time within {@link #FIRST_BUDGET} of the twin calls' time until an executable has
 * finished its first run, within {@link #BUDGET} after.
 *
 * <p>Why: a fresh JVM runs the vector tile boxed (every lane operation an object and a call) until C2 has compiled it,
 * about 500 calls, each hundreds of times slower than compiled and ten times slower than a scalar twin that C1 has
 * compiled within a few hundred calls; the first training step spent most of its time there. Warming the tile with
 * probe calls of its own, as {@link WarmKernels} does the elementwise kernels, was measured and dropped: C2 compiled it
 * from the probes' profile, and 40% slower. Here the profile is the real calls' own, only fewer of them are boxed at a
 * time, and the first ones, slowest of all (the Vector API's own methods still interpreted), are followed by many
 * twin calls before the next.
 *
 * <p>How a kernel is seen to be compiled: every call is timed (a few tens of nanoseconds on calls of
 * microseconds); once the twin has run {@link #TWIN_CALLS} times (C1 has compiled it), a vector call that
 * took less than 0.6 of the twin's best time for the same work can only have run compiled code (boxed code is ten times
 * slower than the twin, not faster), and from then on every call runs the vector kernel. Noise only delays this: a
 * preempted call is slower, never faster. The twins compute the same bits as the vector kernels ({@link ScalarTwins}),
 * so results do not depend on when the switch happened.
 *
 * <p>When the switch happens is {@link WarmKernels#MODE}'s: in {@link WarmKernels.Mode#FIRST_RUN} (the default) at the
 * hand-over, the end of the JVM's first run ({@link #handOver}), and no call is sampled before it ({@link #FIRST_BUDGET}
 * 0, unless set). In
 * {@link WarmKernels.Mode#COMPILED} only when a sampled call is seen compiled: there the JIT needed as many boxed calls
 * as without the twins (about a thousand tile calls), spread over the next steps by the budget, and the transformer's
 * steady state came seconds late (2-vCPU AMD EPYC Zen 5, 8 s of warm-up: 18.2k tokens/s against 26.9k without twins).
 * The C2-compiled twin there runs 0.15 ns a multiply-add, the compiled vector tile 0.03 to 0.07. A kernel whose
 * compiled vector code is not that much faster than its twin (a packing move against C2's own vectorised loop) keeps
 * its twin in that mode, its sampled calls running compiled.
 *
 * <p>Off with {@code -Djasg.cpu.gemmWarmup=false} or {@code -Djasg.cpu.warmup=false}: every call runs the vector kernel.
 * Thread-safe: the switch is a volatile flag; the sums are plain fields that threads may update at the same time,
 * and a lost update only moves a sample by a call.
 */
enum GemmWarm {
    /** {@link VectorGemmKernel#tile}: packed A. */
    TILE,
    /** {@link VectorGemmKernel#tileRows}: A read in place. */
    TILE_ROWS,
    /** {@link VectorGemmKernel#copyRows}: packing a row-major B. */
    COPY_ROWS,
    /** {@link VectorGemmKernel#gatherSteps}: packing a transposed B. */
    GATHER_STEPS,
    /** {@link VectorGemmKernel#transposeSteps}: packing a transposed B by register transposes. */
    TRANSPOSE_STEPS,
    /** {@link VectorGemmKernel#transposeRows}: packing a row-major A by register transposes. */
    TRANSPOSE_ROWS,
    /** {@link VectorGemmKernel#copySteps}: packing a transposed A a vector a step. */
    COPY_STEPS;

    private static final Logger LOG = LoggerFactory.getLogger(GemmWarm.class);

    /**
     * The boxed vector calls' share of the time once an executable has finished its first run: a call goes to the vector
     * kernel while the sampled vector calls have taken at most this fraction of the twin calls' time (property
     * {@code jasg.cpu.gemmBudget}).
     */
    static final double BUDGET = Double.parseDouble(System.getProperty("jasg.cpu.gemmBudget", "1"));
    /**
     * The share during the JVM's first run ({@code jasg.cpu.gemmFirstBudget}): small, so that a first training step runs
     * at the twins' speed; the boxed calls the JIT needs come in the next runs. 0 (none) in
     * {@link WarmKernels.Mode#FIRST_RUN}, where the hand-over, not a sampled call, ends the twins: sampled there at 0.1,
     * the transformer's first step took ~0.23 s longer (1.21 s against 0.98 s, median of 4 interleaved fresh JVMs,
     * 2-vCPU AMD EPYC Zen 5) and its second ~0.3 s less, the end of the second step the same; 0.1 in
     * {@link WarmKernels.Mode#COMPILED}.
     */
    static final double FIRST_BUDGET = Double.parseDouble(System.getProperty("jasg.cpu.gemmFirstBudget",
            WarmKernels.MODE == WarmKernels.Mode.FIRST_RUN ? "0" : "0.1"));
    /** Twin calls before the twin's time counts as compiled code's: by then C1 has compiled it. */
    static final int TWIN_CALLS = 256;

    /** What {@link #route} tells a call to do; before the switch every call is timed. */
    static final int VECTOR = 0, VECTOR_TIMED = 1, TWIN_TIMED = 2;

    /**
     * The switch: on unless {@code -Djasg.cpu.gemmWarmup=false} (and with {@link WarmKernels#ENABLED}); a holder class
     * because an enum constant's initializer may not read its enum's own static fields.
     */
    private static final class Switch {
        static final boolean ON = WarmKernels.ENABLED && Boolean.parseBoolean(System.getProperty("jasg.cpu.gemmWarmup", "true"));
    }

    private volatile boolean compiled = !Switch.ON;
    private int twinCalls;
    private int vectorCalls;
    /** Nanoseconds the twin and the sampled vector calls took, in all. */
    private long twinNanos, vectorNanos;
    /** The twin's best time seen, in nanoseconds per unit of work. */
    private volatile double twinBest = Double.POSITIVE_INFINITY;

    /** Whether every call runs the vector kernel now. */
    boolean compiled() {
        return compiled;
    }

    /** Where this call goes: {@link #VECTOR} once compiled, else the vector kernel while it is within its {@link #BUDGET}, else the twin. */
    int route() {
        if (compiled) return VECTOR;
        if (!WarmKernels.handedOver()) WarmKernels.hold();
        // the first sample waits for the twin to be compiled: before, the Vector API's own methods are still interpreted too,
        // and a boxed call costs tens of milliseconds
        // no C2 in this JVM: boxed calls would never end, so none are sampled
        double budget = WarmKernels.twinsForGood() ? 0 : WarmKernels.firstRunEnded() ? BUDGET : FIRST_BUDGET;
        return sampled(twinCalls, vectorNanos, twinNanos, budget);
    }

    /**
     * The route of a call before the switch: the twin until it has run {@link #TWIN_CALLS} times, then the vector kernel
     * while the sampled vector calls' {@code vectorNanos} are within {@code budget} times the twin calls' {@code twinNanos};
     * a budget of 0 samples none.
     */
    static int sampled(int twinCalls, long vectorNanos, long twinNanos, double budget) {
        if (twinCalls < TWIN_CALLS || budget <= 0) return TWIN_TIMED;
        return vectorNanos <= budget * twinNanos ? VECTOR_TIMED : TWIN_TIMED;
    }

    /**
     * Whether a sampled vector call that took {@code perUnit} nanoseconds a unit of work ran compiled code: under 0.6 of
     * the compiled twin's best ({@code twinBest}, infinite until the twin has run {@link #TWIN_CALLS} times).
     */
    static boolean runsCompiled(double perUnit, double twinBest) {
        return twinBest < Double.POSITIVE_INFINITY && 5 * perUnit <= 3 * twinBest;
    }

    /** Every call runs the vector kernel from now on ({@link WarmKernels#handOver}). */
    void handOver() {
        compiled = true;
    }

    /** Records a call {@link #route} sent: {@code nanos} for {@code units} of work (multiply-adds, or floats moved). */
    void timed(int route, long nanos, long units) {
        if (units <= 0) return;
        double per = (double) nanos / units;
        if (route == TWIN_TIMED) {
            twinNanos += nanos;
            if (++twinCalls >= TWIN_CALLS && per < twinBest) twinBest = per;
        } else if (route == VECTOR_TIMED) {
            vectorNanos += nanos;
            vectorCalls++;
            if (!compiled && runsCompiled(per, twinBest)) {
                compiled = true;
                LOG.debug("jasg cpu: GEMM kernel {} runs compiled after {} sampled calls ({} ms) and {} twin calls ({} ms): {} ns a unit, twin {}",
                        this, vectorCalls, vectorNanos / 1_000_000, twinCalls, twinNanos / 1_000_000, per, twinBest);
            }
        }
    }
}
