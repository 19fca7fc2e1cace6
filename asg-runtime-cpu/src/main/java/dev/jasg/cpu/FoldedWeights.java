package dev.jasg.cpu;

import dev.jasg.core.HostParameters;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Convolution weights with a per-output-channel scale folded in ({@code W'[o, :] = W[o, :] a[o]}, {@link ConvFold}: batch
 * norm at inference), kept across runs and shared by the plans of one executable (keyed by the node that reads them, the
 * same in every plan of a program). A copy is made again when the stored weight array is another one, the store's
 * {@link HostParameters#generation} has moved (a training step of another executable on the same store, a {@code set}),
 * or the scale differs from the one it was made with, so a convolution never reads a stale copy.
 *
 * <p>Copies take memory as large as the weights; past {@link #BUDGET_BYTES} in one executable the later convolutions
 * are not folded (they run as before, the batch norm in their elementwise chain).
 *
 * <p>Not thread-safe: used by the runs of one executable, which hold its lock.
 */
final class FoldedWeights {
    /** Most bytes of folded copies one executable keeps: {@link PackedWeights#BUDGET_BYTES}, a quarter of the heap by default. */
    static final long BUDGET_BYTES = PackedWeights.BUDGET_BYTES;

    private final HostParameters store;
    private final Map<Integer, Entry> entries = new HashMap<>();
    private long bytes;

    FoldedWeights(HostParameters store) {
        this.store = store;
    }

    /** One folded copy: made from {@code from} with {@code scale} at store generation {@code generation}. */
    private static final class Entry {
        final int rows, rowLength;
        float[] folded, from, scale;
        long generation;
        int folds;

        Entry(int rows, int rowLength) {
            this.rows = rows;
            this.rowLength = rowLength;
        }
    }

    /**
     * Reserves a copy of {@code rows x rowLength} floats for node {@code key} within the budget; false when it does not
     * fit (or the node already holds one of another size).
     */
    boolean reserve(int key, int rows, int rowLength) {
        Entry e = entries.get(key);
        if (e != null) return e.rows == rows && e.rowLength == rowLength;
        long size = (long) rows * rowLength * Float.BYTES;
        if (bytes + size > BUDGET_BYTES) return false;
        bytes += size;
        entries.put(key, new Entry(rows, rowLength));
        return true;
    }

    /** How many times the copy of {@code key} has been made: a caller that sees it unchanged reads the same values. */
    int version(int key) {
        return entries.get(key).folds;
    }

    /** {@code W'[o, i] = w[o, i] scale[o]} for the copy reserved for {@code key}, made again when it may be stale. */
    float[] of(int key, float[] w, float[] scale) {
        Entry e = entries.get(key);
        long g = store.generation();
        if (e.folded == null || e.from != w || e.generation != g || !Arrays.equals(e.scale, scale)) {
            if (e.folded == null) e.folded = new float[e.rows * e.rowLength];
            float[] f = e.folded;
            int rl = e.rowLength;
            for (int o = 0; o < e.rows; o++) {
                float a = scale[o];
                for (int i = o * rl, end = i + rl; i < end; i++) f[i] = w[i] * a;
            }
            e.from = w;
            e.generation = g;
            e.scale = scale.clone();
            e.folds++;
        }
        return e.folded;
    }

    /** Bytes of copies reserved: for tests. */
    long bytes() {
        return bytes;
    }

    /** Times any copy was made: for tests. */
    int foldCount() {
        int c = 0;
        for (Entry e : entries.values()) c += e.folds;
        return c;
    }

    /** Drops every copy (the executable is closed). */
    void clear() {
        entries.clear();
        bytes = 0;
    }
}
