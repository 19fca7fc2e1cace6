package dev.jasg.cpu;

import dev.jasg.core.HostParameters;
import java.util.HashMap;
import java.util.Map;

/**
 * The right operands of matrix products that are parameters no run of the program writes (a layer's weights at
 * inference), kept packed in {@link Gemm}'s layout ({@link Gemm#packPanel}) across runs, so a product packs
 * its weights once instead of on every call. Each executable holds one, shared by its plans (the layout
 * depends on the weight's shape and stored layout only, not on the batch), so every weight is packed once
 * however many bindings run.
 *
 * <p>A panel is packed again when the stored array is another one or the store's
 * {@link HostParameters#generation} has moved since it was packed (a training step of another executable on
 * the same store, a {@code set}): a product never reads a stale panel. Panels take memory as large as the
 * weights they copy; past {@link #BUDGET_BYTES} in one executable the later products pack as before.
 *
 * <p>Not thread-safe: used by the runs of one executable, which hold its lock. A panel is complete before the
 * product that reads it starts on the pool.
 */
final class PackedWeights {
    /**
     * Most bytes of panels one executable keeps: a quarter of the heap the JVM may use (GPT-2 small's weights
     * are 0.5 GB; a tenth of a typical 8 GB heap would hold no large model's weights, half would crowd the
     * plans' buffers), unless {@code -Djasg.cpu.packedWeightsMiB=N} (0: never keep a panel).
     */
    static final long BUDGET_BYTES = budget();

    private static long budget() {
        String s = System.getProperty("jasg.cpu.packedWeightsMiB");
        if (s != null) return Long.parseLong(s.trim()) << 20;
        return Runtime.getRuntime().maxMemory() / 4;
    }

    private final HostParameters store;
    private final Map<String, Panel> panels = new HashMap<>();
    private long bytes;

    PackedWeights(HostParameters store) {
        this.store = store;
    }

    /** Whether packed panels can be used at all: the packed GEMM (not the EJML fallback) with blocks of whole strips. */
    static boolean supported() {
        return !Gemm.EJML_FALLBACK && Gemm.NC % Gemm.NR == 0 && BUDGET_BYTES > 0;
    }

    /**
     * The panel of parameter {@code name} read as {@code opB[p, j] = w[p*rs + j*cs]} ({@code k x n}), reserved
     * within the budget; null when it does not fit (or cannot be used), and the product then packs as usual.
     */
    Panel panel(String name, int k, int n, boolean transposed) {
        if (!supported()) return null;
        String key = name + (transposed ? "^T" : "");
        Panel p = panels.get(key);
        if (p != null) return p.k == k && p.n == n ? p : null;
        long size = (long) Gemm.panelSize(k, n) * Float.BYTES;
        if (bytes + size > BUDGET_BYTES) return null;
        bytes += size;
        p = new Panel(k, n, transposed);
        panels.put(key, p);
        return p;
    }

    /** Bytes of panels reserved (allocated when first packed): for tests and logs. */
    long bytes() {
        return bytes;
    }

    /** Times any panel was packed: for tests. */
    int packCount() {
        int c = 0;
        for (Panel p : panels.values()) c += p.packs;
        return c;
    }

    /** Drops every panel (the executable is closed). */
    void clear() {
        panels.clear();
        bytes = 0;
    }

    /** One packed weight: packed from {@code from} at store generation {@code generation}. */
    final class Panel {
        final int k, n;
        private final boolean transposed;
        private float[] packed;
        private float[] from;
        private long generation;
        /** Times this panel was packed: for tests. */
        int packs;

        private Panel(int k, int n, boolean transposed) {
            this.k = k;
            this.n = n;
            this.transposed = transposed;
        }

        /** The packed form of {@code w} (the parameter's stored array this run), packed again when it may have changed. */
        float[] of(float[] w) {
            long g = store.generation();
            if (packed == null || w != from || g != generation) {
                if (packed == null) packed = new float[Gemm.panelSize(k, n)];
                if (transposed) Gemm.packPanel(k, n, w, 0, 1, k, packed);
                else Gemm.packPanel(k, n, w, 0, n, 1, packed);
                from = w;
                generation = g;
                packs++;
            }
            return packed;
        }
    }
}
