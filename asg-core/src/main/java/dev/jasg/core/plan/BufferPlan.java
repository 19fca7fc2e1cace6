package dev.jasg.core.plan;

import java.util.List;

/**
 * Where every value of one program lives under one binding of its symbolic sizes, as the
 * {@link BufferPlanner} decided it: storage of the plan's own ({@linkplain #buffer buffer} and
 * {@linkplain #offset offset}), storage outside it ({@link #planned} false: a parameter, or a
 * feed or constant the backend reads in place), views that share an operand's storage, results
 * written over an operand, and snapshot ranges for outputs and assigned values whose storage a
 * run's assignments could overwrite. Immutable, and so safe to share between threads.
 *
 * <p>Times are positions in {@link dev.jasg.core.Program#schedule()}: a range is live from
 * {@link Range#first} to {@link Range#last} inclusive; {@link #END} stands for "after the run"
 * (outputs, assigned values, preloaded values), and the snapshots are written at time
 * {@code schedule().size()}, after the last step.
 */
public final class BufferPlan {
    /** The time of values that outlive the run. */
    public static final int END = Integer.MAX_VALUE;

    /**
     * One range of planned storage and its lifetime.
     *
     * @param head     the node the range was opened for (the first value written to it; for a
     *                 snapshot, the output or assigned value it copies)
     * @param snapshot true for a snapshot range, written after the last step
     * @param storage  how the head's value is stored (a snapshot's is {@link PlanPolicy.Storage#COMPUTED})
     * @param buffer   index of the buffer it lies in
     * @param offset   byte offset in that buffer (0 when the policy packs {@link PlanPolicy.Packing#BUFFERS})
     * @param bytes    size in bytes, aligned; at least the largest value it holds
     * @param first    first step it is live at
     * @param last     last step it is live at, or {@link #END}
     */
    public record Range(int head, boolean snapshot, PlanPolicy.Storage storage, int buffer, long offset, long bytes, int first, int last) {
        /** True when this range and {@code o} are live at some common time. */
        public boolean livesWith(Range o) {
            return first <= o.last && o.first <= last;
        }
    }

    private final int[] root, range, viewOf, inPlaceOf, snapshot;
    private final List<Range> ranges;
    private final long[] bufferBytes;
    private final int[] bufferClass;
    private final PlanPolicy.Packing packing;
    private final int views;

    BufferPlan(int[] root, int[] range, int[] viewOf, int[] inPlaceOf, int[] snapshot, List<Range> ranges, long[] bufferBytes, int[] bufferClass,
            PlanPolicy.Packing packing) {
        this.root = root;
        this.range = range;
        this.viewOf = viewOf;
        this.inPlaceOf = inPlaceOf;
        this.snapshot = snapshot;
        this.ranges = List.copyOf(ranges);
        this.bufferBytes = bufferBytes;
        this.bufferClass = bufferClass;
        this.packing = packing;
        int v = 0;
        for (int s : viewOf) if (s >= 0) v++;
        this.views = v;
    }

    /** True when node {@code id}'s value lives in storage this plan assigned (false: external storage, or not scheduled). */
    public boolean planned(int id) {
        return range[id] >= 0;
    }

    /**
     * The node whose storage holds {@code id}'s value: the head of its range when planned, else
     * the external node (parameter, feed or constant) it is a view of, or {@code id} itself; -1
     * when {@code id} is not scheduled.
     */
    public int root(int id) {
        return root[id];
    }

    /** The operand whose storage {@code id} is a view of ({@link PlanPolicy#viewOf}), or -1. */
    public int viewOf(int id) {
        return viewOf[id];
    }

    /** The operand whose storage {@code id}'s result was written over, or -1. */
    public int inPlaceOf(int id) {
        return inPlaceOf[id];
    }

    /** The buffer holding planned node {@code id}'s value. */
    public int buffer(int id) {
        return ranges.get(requirePlanned(id)).buffer();
    }

    /** The byte offset of planned node {@code id}'s value in its buffer (0 when packed as separate buffers). */
    public long offset(int id) {
        return ranges.get(requirePlanned(id)).offset();
    }

    /** The range of planned node {@code id}. */
    public Range rangeOf(int id) {
        return ranges.get(requirePlanned(id));
    }

    /**
     * True when output or assigned value {@code id} gets a snapshot: its storage is external and
     * not a constant (a parameter the run's assignments may overwrite, or a caller's array), so
     * the backend copies it to the snapshot range after the last step and reads it from there.
     */
    public boolean hasSnapshot(int id) {
        return snapshot[id] >= 0;
    }

    /** The snapshot range of {@code id} ({@link #hasSnapshot}). */
    public Range snapshotOf(int id) {
        if (snapshot[id] < 0) throw new IllegalArgumentException("node " + id + " has no snapshot in this plan");
        return ranges.get(snapshot[id]);
    }

    /** Every range, in the order they were opened (values in schedule order, then snapshots). */
    public List<Range> ranges() {
        return ranges;
    }

    /** How the buffers are packed. */
    public PlanPolicy.Packing packing() {
        return packing;
    }

    /** Number of buffers. */
    public int bufferCount() {
        return bufferBytes.length;
    }

    /** Size of buffer {@code k} in bytes (a multiple of the alignment). */
    public long bufferBytes(int k) {
        return bufferBytes[k];
    }

    /** The storage class of buffer {@code k}. */
    public int bufferClass(int k) {
        return bufferClass[k];
    }

    /** The plan's memory: the sum of its buffers' sizes, in bytes. */
    public long peakBytes() {
        long sum = 0;
        for (long b : bufferBytes) sum += b;
        return sum;
    }

    /** Number of nodes that are views of an operand's storage. */
    public int viewCount() {
        return views;
    }

    private int requirePlanned(int id) {
        if (range[id] < 0) throw new IllegalArgumentException("node " + id + " has no planned storage (external or not scheduled)");
        return range[id];
    }
}
