package dev.jasg.cpu;

/**
 * A step that is one parallel loop over a run's values, and allocates nothing per run: its body is made once, with the
 * plan, and reads the run's values table, which {@link #run(float[][])} puts in a field for the loop's chunks (the
 * pool's hand-over publishes it to the threads that run them). A kernel that took its operands in a capturing lambda
 * made one object a run, hundreds a training step. A plan's steps run on one thread at a time ({@link CpuExecutable#run}
 * holds the executable's lock), so the field never serves two runs; not thread-safe otherwise.
 */
class LoopStep implements Step, CpuThreads.Range {
    /** The loop's body: indices {@code [from, to)} of the run whose values are {@code v}. */
    @FunctionalInterface
    interface Body {
        void run(float[][] v, int from, int to);
    }

    private final int n, minChunk;
    private final Body body;
    private float[][] values;

    /** A loop over {@code [0, n)} split by {@link CpuThreads#parallelFor} into chunks of at least {@code minChunk}. */
    LoopStep(int n, int minChunk, Body body) {
        this.n = n;
        this.minChunk = minChunk;
        this.body = body;
    }

    /** A loop that is its own body: the subclass overrides {@link #run(int, int)} and reads {@link #values()} ({@link ElementwiseChain}). */
    LoopStep(int n, int minChunk) {
        this(n, minChunk, null);
    }

    /** The values of the run in progress (null between runs). */
    final float[][] values() {
        return values;
    }

    @Override
    public final void run(float[][] v) {
        values = v;
        try {
            CpuThreads.parallelFor(n, minChunk, this);
        } finally {
            values = null;
        }
    }

    @Override
    public void run(int from, int to) {
        body.run(values, from, to);
    }
}
