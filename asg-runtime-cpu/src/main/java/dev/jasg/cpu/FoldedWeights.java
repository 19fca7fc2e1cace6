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
        boolean withPanel;
        float[] folded, from, scale, panel;
        long generation;
        int folds, panelOf = -1;

        Entry(int rows, int rowLength, boolean withPanel) {
            this.rows = rows;
            this.rowLength = rowLength;
            this.withPanel = withPanel;
        }
    }

    /**
     * Reserves a copy of {@code rows x rowLength} floats for node {@code key} within the budget; false when it does not
     * fit (or the node already holds one of another size).
     */
    boolean reserve(int key, int rows, int rowLength) {
        return reserve(key, rows, rowLength, false);
    }

    /**
     * {@link #reserve(int, int, int)}, with room for the copy's transpose packed as a product's right operand
     * ({@link #panel}) too when {@code withPanel} (added to an earlier reservation of the node that had none).
     */
    boolean reserve(int key, int rows, int rowLength, boolean withPanel) {
        Entry e = entries.get(key);
        if (e != null) {
            if (e.rows != rows || e.rowLength != rowLength) return false;
            if (withPanel && !e.withPanel) {
                // another plan of the node (another batch size) wants the panel too
                long panel = (long) Gemm.panelSize(rowLength, rows) * Float.BYTES;
                if (bytes + panel > BUDGET_BYTES) return false;
                bytes += panel;
                e.withPanel = true;
            }
            return true;
        }
        long size = (long) rows * rowLength * Float.BYTES + (withPanel ? (long) Gemm.panelSize(rowLength, rows) * Float.BYTES : 0);
        if (bytes + size > BUDGET_BYTES) return false;
        bytes += size;
        entries.put(key, new Entry(rows, rowLength, withPanel));
        return true;
    }

    /**
     * The transpose of the copy {@link #of} last made for {@code key}, packed by {@link Gemm#packPanel} (depth
     * {@code rowLength}, width {@code rows}), packed again whenever that copy was made again; for a reservation with a panel.
     */
    float[] panel(int key) {
        Entry e = entries.get(key);
        if (!e.withPanel) throw new IllegalStateException("folded weights: no panel reserved for node " + key);
        if (e.panelOf != e.folds) {
            if (e.panel == null) e.panel = new float[Gemm.panelSize(e.rowLength, e.rows)];
            Gemm.packPanel(e.rowLength, e.rows, e.folded, 0, 1, e.rowLength, e.panel);
            e.panelOf = e.folds;
        }
        return e.panel;
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
